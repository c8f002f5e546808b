// SPDX-License-Identifier: GPL-3.0-or-later
// Secrets without a keychain: the fallback variable's name, the environment
// store, and QtKeychain's errors (as seen on Debian 12) as plain messages.
#include <catch2/catch.hpp>

#include "secrets/keychain_errors.h"
#include "secrets/secret_store.h"

using namespace vigil::secrets;

TEST_CASE("The fallback variable of a secret is VIGIL_SECRET_ and its name upper-cased, other characters as _", "[secrets]")
{
    CHECK(environmentVariableFor(QStringLiteral("prom-token")) == "VIGIL_SECRET_PROM_TOKEN");
    CHECK(environmentVariableFor(QStringLiteral("slack.oncall/2")) == "VIGIL_SECRET_SLACK_ONCALL_2");
    CHECK(environmentVariableFor(QStringLiteral("clé")) == "VIGIL_SECRET_CL_");
}

TEST_CASE("The environment store reads the variable, and cannot be written", "[secrets]")
{
    EnvironmentSecretStore env;
    qputenv("VIGIL_SECRET_UNIT_TEST_TOKEN", "abc");
    const SecretResult r = env.read(QStringLiteral("unit-test-token")).result();
    qunsetenv("VIGIL_SECRET_UNIT_TEST_TOKEN");
    CHECK(r.ok());
    CHECK(r.value == "abc");
    CHECK(r.source == "environment variable VIGIL_SECRET_UNIT_TEST_TOKEN");
    const SecretResult missing = env.read(QStringLiteral("unit-test-token")).result();
    CHECK(missing.status == SecretStatus::NotFound);
    CHECK(missing.message == "secret 'unit-test-token' not found; set the environment variable VIGIL_SECRET_UNIT_TEST_TOKEN");
    CHECK(env.write(QStringLiteral("x"), QStringLiteral("y")).result().status == SecretStatus::ReadOnly);
}

TEST_CASE("QtKeychain's errors become plain messages naming the fallback variable", "[secrets]")
{
    struct Row
    {
        int code;
        const char *text;
        KeychainOperation op;
        SecretStatus status;
        const char *message;
    };
    const QList<Row> table{
        {7, "Cannot autolaunch D-Bus without X11 $DISPLAY", KeychainOperation::Read, SecretStatus::NoService,
         "secret 'prom-token': no secret service is running (QtKeychain: Cannot autolaunch D-Bus without X11 $DISPLAY); "
         "set the environment variable VIGIL_SECRET_PROM_TOKEN or start gnome-keyring"},
        {7, "The name org.freedesktop.secrets was not provided by any .service files", KeychainOperation::Write, SecretStatus::NoService,
         "secret 'prom-token' was not stored: no secret service is running (QtKeychain: The name org.freedesktop.secrets "
         "was not provided by any .service files); set the environment variable VIGIL_SECRET_PROM_TOKEN or start gnome-keyring"},
        {5, "", KeychainOperation::Read, SecretStatus::NoService,
         "secret 'prom-token': no secret service is running; set the environment variable VIGIL_SECRET_PROM_TOKEN or start gnome-keyring"},
        {7, "Object does not exist at path \xe2\x80\x9c/org/freedesktop/secrets/collection/login\xe2\x80\x9d", KeychainOperation::Write,
         SecretStatus::Locked, nullptr},
        {1, "the default collection is locked", KeychainOperation::Read, SecretStatus::Locked, nullptr},
        {4, "Cannot create an item in a locked collection", KeychainOperation::Write, SecretStatus::AccessDenied,
         "secret 'prom-token' was not stored: the keychain refused access (QtKeychain: Cannot create an item in a locked "
         "collection); unlock the keyring or set the environment variable VIGIL_SECRET_PROM_TOKEN"},
        {1, "Entry not found", KeychainOperation::Read, SecretStatus::NotFound,
         "secret 'prom-token' not found in the keychain (service 'vigil') nor in the environment; store it with "
         "Connections… (Ctrl+Shift+C) or set the environment variable VIGIL_SECRET_PROM_TOKEN"},
        {7, "Unknown error", KeychainOperation::Remove, SecretStatus::Failed,
         "secret 'prom-token' was not removed: the keychain failed (QtKeychain: Unknown error); set the environment variable VIGIL_SECRET_PROM_TOKEN"},
    };
    for (const Row &row : table) {
        const SecretResult r = keychainFailure(QStringLiteral("prom-token"), QStringLiteral("vigil"), row.op, row.code,
                                               QString::fromUtf8(row.text));
        INFO(row.text);
        CHECK(r.status == row.status);
        CHECK(r.message.contains("VIGIL_SECRET_PROM_TOKEN"));
        if (row.message)
            CHECK(r.message == QString::fromUtf8(row.message));
        if (row.status == SecretStatus::Locked)
            CHECK(r.message.contains("the keyring is locked and nothing can ask you to unlock it"));
    }
    CHECK(keychainTimeout(QStringLiteral("prom-token"), 10'000).message
          == "secret 'prom-token': the keychain did not answer within 10 s (is it waiting to be unlocked?); "
             "set the environment variable VIGIL_SECRET_PROM_TOKEN");
}
