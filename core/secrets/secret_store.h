// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QFuture>
#include <QString>

#include <memory>

namespace vigil::secrets {

// Where secrets live. The workspace names a secret (`bearer_token_secret:
// prom-token`); a SecretStore turns the name into its value. Values are never
// logged, never written to the workspace, settings or logs: a SecretResult's
// message never contains the value, only the name and where it was looked for.

enum class SecretStatus {
    Ok,
    NotFound,     // looked everywhere, nobody has it
    NoService,    // no D-Bus session or no secret service on it (no keychain at all)
    Locked,       // the keyring is locked and nothing can ask to unlock it
    AccessDenied, // the keychain refused (wrong unlock password, user said no)
    TimedOut,     // the keychain did not answer in time (waiting for an unlock prompt?)
    ReadOnly,     // writing where nothing can be written (the environment)
    Failed,       // anything else, with QtKeychain's words
};

struct SecretResult
{
    SecretStatus status = SecretStatus::Ok;
    QString value;   // the secret, for read(); empty otherwise. Never log it.
    QString message; // for the user: what failed, where, and what to do; never the value
    QString source;  // where a read found it: "environment variable VIGIL_SECRET_X" or "keychain"
    bool ok() const { return status == SecretStatus::Ok; }
};

// The fallback environment variable of a secret: VIGIL_SECRET_ and the name
// upper-cased, every character that is not a letter or digit as '_'
// ("prom-token" -> VIGIL_SECRET_PROM_TOKEN).
QString environmentVariableFor(const QString &name);

class SecretStore
{
public:
    virtual ~SecretStore() = default;
    // Each completes later (never in the caller's stack for the keychain), in
    // a thread of the store's choosing: use QFutureWatcher in the GUI thread.
    virtual QFuture<SecretResult> read(const QString &name) = 0;
    virtual QFuture<SecretResult> write(const QString &name, const QString &value) = 0;
    virtual QFuture<SecretResult> remove(const QString &name) = 0;
};

// $VIGIL_SECRET_<NAME>. Read only: write and remove answer ReadOnly.
class EnvironmentSecretStore : public SecretStore
{
public:
    QFuture<SecretResult> read(const QString &name) override;
    QFuture<SecretResult> write(const QString &name, const QString &value) override;
    QFuture<SecretResult> remove(const QString &name) override;
};

// The OS keychain through QtKeychain (the Secret Service, i.e. gnome-keyring
// or KWallet, on Linux): service `service`, key = the secret's name.
//
// QtKeychain runs its jobs one at a time through a process-wide executor that
// belongs to the thread of the first job, and libsecret completes them through
// that thread's GLib main context. So every job of every KeychainSecretStore
// runs in one thread of its own ("vigil-keychain", with its own event loop),
// and callers in any thread get a future: the GUI thread never waits.
class KeychainSecretStore : public SecretStore
{
public:
    explicit KeychainSecretStore(QString service = QStringLiteral("vigil"));
    ~KeychainSecretStore() override;
    QString service() const { return m_service; }
    QFuture<SecretResult> read(const QString &name) override;
    QFuture<SecretResult> write(const QString &name, const QString &value) override;
    QFuture<SecretResult> remove(const QString &name) override;

private:
    QString m_service;
};

// The resolution order: the environment variable first (an explicit
// override, and the fallback where no keychain runs), then the keychain.
// Writes and removals go to the keychain.
class ResolvingSecretStore : public SecretStore
{
public:
    ResolvingSecretStore(std::shared_ptr<SecretStore> environment, std::shared_ptr<SecretStore> keychain);
    QFuture<SecretResult> read(const QString &name) override;
    QFuture<SecretResult> write(const QString &name, const QString &value) override;
    QFuture<SecretResult> remove(const QString &name) override;

private:
    std::shared_ptr<SecretStore> m_environment;
    std::shared_ptr<SecretStore> m_keychain;
};

// The process's store: environment, then the keychain service "vigil".
SecretStore &defaultSecretStore();

// How long the blocking helpers wait for the keychain: a local keychain
// answers in milliseconds; longer means it waits for an unlock prompt.
inline constexpr int kDefaultSecretTimeoutMs = 10'000;

// Waits for a store's answer, blocking the calling thread (no event loop is
// spun: the keychain's jobs run in their own thread). For the I/O thread and
// the command line only, never the GUI thread. Past the timeout: TimedOut.
SecretResult waitForSecret(QFuture<SecretResult> future, const QString &name, int timeoutMs = kDefaultSecretTimeoutMs);

// defaultSecretStore().read(name), waited for. Empty with *error set (the
// message naming the fallback environment variable) when it cannot be had.
QString resolveSecret(const QString &name, QString *error, int timeoutMs = kDefaultSecretTimeoutMs);

} // namespace vigil::secrets
