// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "notify/notifier.h"
#include "sources/connector.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <memory>
#include <vector>

class QPluginLoader;

namespace vigil {

struct PluginInfo
{
    QString kind;        // "prometheus"
    QString name;        // "Prometheus"
    QString description;
    QString path;        // the file it was loaded from
    QJsonArray settings; // what the connection (or notifier) form asks for
    QJsonObject delivery; // notifiers: {"messages_per_second": 1}, for the outbox's pacing
};

struct PluginFailure
{
    QString path;
    QString reason; // for the user: why this file was not used
};

// Finds connector and notifier plugins (MODULE libraries with a plugin.json
// naming their kind) in a list of folders, loads them and keeps them loaded.
// The first plugin of a kind wins (per interface: a connector and a notifier
// may share a kind name); later ones are reported as duplicates, as is every
// file that is not a usable plugin, with the reason.
class PluginRegistry
{
public:
    PluginRegistry();
    ~PluginRegistry();
    PluginRegistry(const PluginRegistry &) = delete;
    PluginRegistry &operator=(const PluginRegistry &) = delete;

    // In search order: $VIGIL_PLUGIN_PATH (colon-separated), the folder beside
    // the executable (build tree and install tree alike: <bin>/../lib/<multiarch>/vigil/plugins),
    // and ~/.local/share/vigil/plugins.
    static QStringList defaultSearchPaths();

    void load(const QStringList &dirs);

    QList<PluginInfo> connectors() const;
    QList<PluginFailure> failures() const { return m_failures; }
    bool hasKind(const QString &kind) const;
    // Nullptr, with the reason in *error, when no plugin provides the kind.
    Connector *createConnector(const ConnectionSettings &settings, QObject *parent, QString *error) const;

    QList<PluginInfo> notifiers() const;
    const PluginInfo *notifierInfo(const QString &kind) const;
    // Nullptr, with the reason in *error, when no plugin provides the kind.
    Notifier *createNotifier(const NotifierSettings &settings, QObject *parent, QString *error) const;

private:
    void loadFile(const QString &path);

    struct Entry
    {
        PluginInfo info;
        std::unique_ptr<QPluginLoader> loader;
        ConnectorPlugin *plugin = nullptr;
        NotifierPlugin *notifier = nullptr; // set instead of plugin for notifier plugins
    };
    std::vector<Entry> m_entries;  // connector plugins
    std::vector<Entry> m_notifiers; // notifier plugins
    QList<PluginFailure> m_failures;
};

} // namespace vigil
