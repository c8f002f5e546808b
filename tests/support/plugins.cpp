// SPDX-License-Identifier: GPL-3.0-or-later
#include "support/plugins.h"

#include <catch2/catch.hpp>

#include <QHash>
#include <QPluginLoader>

namespace vigil::test {

QObject *pluginInstance(const QString &name)
{
    static QHash<QString, std::shared_ptr<QPluginLoader>> loaders;
    std::shared_ptr<QPluginLoader> &loader = loaders[name];
    if (!loader)
        loader = std::make_shared<QPluginLoader>(QStringLiteral(VIGIL_PLUGIN_DIR "/libvigil-%1.so").arg(name));
    QObject *instance = loader->instance();
    INFO(loader->errorString().toStdString());
    REQUIRE(instance);
    return instance;
}

std::unique_ptr<Connector> connectorFor(const QString &kind, const QUrl &url, int timeoutMs)
{
    auto *plugin = qobject_cast<ConnectorPlugin *>(pluginInstance(kind));
    REQUIRE(plugin);
    ConnectionSettings s;
    s.name = kind;
    s.kind = kind;
    s.url = url;
    s.timeoutMs = timeoutMs;
    std::unique_ptr<Connector> c(plugin->createConnector(s, nullptr));
    REQUIRE(c);
    return c;
}

} // namespace vigil::test
