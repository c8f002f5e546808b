// SPDX-License-Identifier: GPL-3.0-or-later
#include "secrets/keychain_errors.h"

namespace vigil::secrets {

namespace {

// QKeychain::Error, restated so this file needs no QtKeychain header.
enum Code { EntryNotFound = 1, CouldNotDeleteEntry, AccessDeniedByUser, AccessDenied, NoBackendAvailable, NotImplemented, OtherError };

bool mentionsAny(const QString &text, std::initializer_list<const char *> needles)
{
    for (const char *n : needles)
        if (text.contains(QLatin1String(n), Qt::CaseInsensitive))
            return true;
    return false;
}

SecretStatus classify(int code, const QString &text)
{
    // No session bus: GLib's "Cannot autolaunch D-Bus without X11 $DISPLAY",
    // or a bus address whose socket is gone. A bus without a secret service:
    // "The name org.freedesktop.secrets was not provided by any .service files".
    if (code == NoBackendAvailable || code == NotImplemented
        || mentionsAny(text, {"autolaunch", "not provided by any .service files", "ServiceUnknown",
                              "Could not connect", "Failed to connect to socket", "No such file or directory",
                              "DBUS_SESSION_BUS_ADDRESS", "no secret service"}))
        return SecretStatus::NoService;
    // A locked (or never created) login collection and nothing to prompt.
    if (mentionsAny(text, {"does not exist at path", "is locked", "locked collection"}))
        return code == AccessDenied || code == AccessDeniedByUser ? SecretStatus::AccessDenied : SecretStatus::Locked;
    if (code == AccessDenied || code == AccessDeniedByUser)
        return SecretStatus::AccessDenied;
    if (code == EntryNotFound)
        return SecretStatus::NotFound;
    return SecretStatus::Failed;
}

} // namespace

SecretResult keychainFailure(const QString &name, const QString &service, KeychainOperation op, int code,
                             const QString &text)
{
    SecretResult r;
    r.status = classify(code, text);
    const QString var = environmentVariableFor(name);
    const QString what = op == KeychainOperation::Read    ? QStringLiteral("secret '%1'").arg(name)
                         : op == KeychainOperation::Write ? QStringLiteral("secret '%1' was not stored").arg(name)
                                                          : QStringLiteral("secret '%1' was not removed").arg(name);
    const QString said = text.isEmpty() ? QString() : QStringLiteral(" (QtKeychain: %1)").arg(text);
    switch (r.status) {
    case SecretStatus::NoService:
        r.message = QStringLiteral("%1: no secret service is running%2; set the environment variable %3 or start gnome-keyring")
                        .arg(what, said, var);
        break;
    case SecretStatus::Locked:
        r.message = QStringLiteral("%1: the keyring is locked and nothing can ask you to unlock it%2; unlock it "
                                   "(log in to the desktop, or gnome-keyring-daemon --unlock) or set the environment variable %3")
                        .arg(what, said, var);
        break;
    case SecretStatus::AccessDenied:
        r.message = QStringLiteral("%1: the keychain refused access%2; unlock the keyring or set the environment variable %3")
                        .arg(what, said, var);
        break;
    case SecretStatus::NotFound:
        r.message = op == KeychainOperation::Read
            ? QStringLiteral("secret '%1' not found in the keychain (service '%2') nor in the environment; store it "
                             "with Connections… (Ctrl+Shift+C) or set the environment variable %3").arg(name, service, var)
            : QStringLiteral("%1: the keychain has no entry '%2' (service '%3')").arg(what, name, service);
        break;
    default:
        r.status = SecretStatus::Failed;
        r.message = QStringLiteral("%1: the keychain failed%2; set the environment variable %3").arg(what, said, var);
        break;
    }
    return r;
}

SecretResult keychainTimeout(const QString &name, int timeoutMs)
{
    return {SecretStatus::TimedOut, {},
            QStringLiteral("secret '%1': the keychain did not answer within %2 s (is it waiting to be unlocked?); "
                           "set the environment variable %3").arg(name).arg(timeoutMs / 1000.0).arg(environmentVariableFor(name)),
            {}};
}

} // namespace vigil::secrets
