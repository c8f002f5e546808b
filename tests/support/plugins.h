// SPDX-License-Identifier: GPL-3.0-or-later
// Plugins of the build tree for tests that load them as the app does.
#pragma once

#include "sources/connector.h"

#include <QString>
#include <QUrl>
#include <memory>

class QObject;

namespace vigil::test {

// The plugin VIGIL_PLUGIN_DIR/libvigil-<name>.so, loaded once for the whole
// run and kept loaded (its loader is held here, where LeakSanitizer sees it).
// REQUIREs that it loads.
QObject *pluginInstance(const QString &name);

// A connector from the plugin of `kind` for `url`.
std::unique_ptr<Connector> connectorFor(const QString &kind, const QUrl &url, int timeoutMs = 10'000);

} // namespace vigil::test
