// SPDX-License-Identifier: GPL-3.0-or-later
#include <catch2/catch.hpp>

#include "sources/plugin_registry.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

using namespace vigil;

namespace {
QString fixtureDir(const char *name)
{
    return QStringLiteral(VIGIL_FIXTURE_PLUGIN_DIR "/") + QLatin1String(name);
}
} // namespace

TEST_CASE("Plugin registry loads a connector plugin and creates connectors of its kind", "[plugins]")
{
    PluginRegistry registry;
    registry.load({fixtureDir("good")});
    REQUIRE(registry.connectors().size() == 1);
    const PluginInfo info = registry.connectors().first();
    CHECK(info.kind == "fixture");
    CHECK(info.name == "Fixture (good)");
    CHECK(info.settings.size() == 1);
    CHECK(registry.failures().isEmpty());

    ConnectionSettings s;
    s.name = "f";
    s.kind = "fixture";
    QString error;
    std::unique_ptr<Connector> c(registry.createConnector(s, nullptr, &error));
    REQUIRE(c);
    CHECK(c->settings().name == "f");
    CHECK(error.isEmpty());
}

TEST_CASE("Plugin registry names the kinds it has when asked for one it lacks", "[plugins]")
{
    PluginRegistry registry;
    registry.load({fixtureDir("good")});
    ConnectionSettings s;
    s.kind = "mlflow";
    QString error;
    CHECK(registry.createConnector(s, nullptr, &error) == nullptr);
    CHECK(error == "no plugin provides connections of kind 'mlflow' (available: fixture)");
}

TEST_CASE("Plugin registry rejects a duplicate kind and says which file provides it", "[plugins]")
{
    PluginRegistry registry;
    registry.load({fixtureDir("good"), fixtureDir("dup")});
    CHECK(registry.connectors().size() == 1);
    REQUIRE(registry.failures().size() == 1);
    const PluginFailure f = registry.failures().first();
    CHECK(f.path.contains("dup"));
    CHECK(f.reason.startsWith("kind 'fixture' is already provided by "));
    CHECK(f.reason.contains("fixture-plugins/good/"));
}

TEST_CASE("Plugin registry reports a plugin.json without a kind", "[plugins]")
{
    PluginRegistry registry;
    registry.load({fixtureDir("nokind")});
    CHECK(registry.connectors().isEmpty());
    REQUIRE(registry.failures().size() == 1);
    CHECK(registry.failures().first().reason == "its plugin.json names no \"kind\"");
}

TEST_CASE("Plugin registry reports a file that is not a plugin and skips missing folders", "[plugins]")
{
    QTemporaryDir dir;
    REQUIRE(dir.isValid());
    QFile junk(dir.filePath("libjunk.so"));
    REQUIRE(junk.open(QIODevice::WriteOnly));
    junk.write("this is not an ELF file");
    junk.close();
    PluginRegistry registry;
    registry.load({dir.path(), dir.filePath("does-not-exist")});
    REQUIRE(registry.failures().size() == 1);
    CHECK(registry.failures().first().path.endsWith("libjunk.so"));
    CHECK(registry.failures().first().reason == "not a Qt plugin (no plugin metadata)");
}

TEST_CASE("Default plugin search paths honour VIGIL_PLUGIN_PATH first", "[plugins]")
{
    qputenv("VIGIL_PLUGIN_PATH", "/opt/a:/opt/b");
    const QStringList dirs = PluginRegistry::defaultSearchPaths();
    qunsetenv("VIGIL_PLUGIN_PATH");
    REQUIRE(dirs.size() >= 4);
    CHECK(dirs[0] == "/opt/a");
    CHECK(dirs[1] == "/opt/b");
    CHECK(dirs[2].endsWith("/vigil/plugins"));
    CHECK(dirs.last().endsWith(".local/share/vigil/plugins"));
}
