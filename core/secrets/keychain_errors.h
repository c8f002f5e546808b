// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "secrets/secret_store.h"

namespace vigil::secrets {

enum class KeychainOperation { Read, Write, Remove };

// QtKeychain's error (its QKeychain::Error code and errorString) as a plain
// message that names the secret, what went wrong and the fallback
// environment variable. QtKeychain's codes alone mislead on Linux (see
// docs/USER-GUIDE.md and ../shared/DESIGN.md): a missing D-Bus session and a
// missing secret service are both OtherError, a locked keyring with no
// prompter is EntryNotFound on read and OtherError on write; the text tells
// them apart. Pure: the table is tested in tests/unit/test_secret_store.cpp.
SecretResult keychainFailure(const QString &name, const QString &service, KeychainOperation op, int code,
                             const QString &text);

// The keychain did not answer within timeoutMs.
SecretResult keychainTimeout(const QString &name, int timeoutMs);

} // namespace vigil::secrets
