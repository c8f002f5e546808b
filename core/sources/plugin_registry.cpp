// SPDX-License-Identifier: GPL-3.0-or-later
#include "sources/plugin_registry.h"

#include "log/log.h"

#include <QCoreApplication>
#include <QDir>
#include <QLibrary>
#include <QPluginLoader>
#include <QStandardPaths>

namespace vigil {

PluginRegistry::PluginRegistry() = default;
PluginRegistry::~PluginRegistry() = default;

QStringList PluginRegistry::defaultSearchPaths()
{
    QStringList dirs;
    const QString env = qEnvironmentVariable("VIGIL_PLUGIN_PATH");
    for (const QString &d : env.split(u':', Qt::SkipEmptyParts))
        dirs << d;
    dirs << QDir::cleanPath(QCoreApplication::applicationDirPath() + u'/' + QStringLiteral(VIGIL_PLUGIN_RELDIR));
    dirs << QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + QStringLiteral("/vigil/plugins");
    dirs.removeDuplicates();
    return dirs;
}

void PluginRegistry::load(const QStringList &dirs)
{
    for (const QString &dirPath : dirs) {
        QDir dir(dirPath);
        if (!dir.exists())
            continue;
        const auto files = dir.entryInfoList(QDir::Files | QDir::Readable, QDir::Name);
        for (const QFileInfo &fi : files) {
            if (QLibrary::isLibrary(fi.fileName()))
                loadFile(fi.absoluteFilePath());
        }
    }
}

void PluginRegistry::loadFile(const QString &path)
{
    auto loader = std::make_unique<QPluginLoader>(path);
    const QJsonObject md = loader->metaData();
    if (md.isEmpty()) {
        m_failures.append({path, QStringLiteral("not a Qt plugin (no plugin metadata)")});
        return;
    }
    const QString iid = md.value(QStringLiteral("IID")).toString();
    const bool isNotifier = iid == QLatin1String(VIGIL_NOTIFIER_PLUGIN_IID);
    if (iid != QLatin1String(VIGIL_CONNECTOR_PLUGIN_IID) && !isNotifier)
        return; // another kind of Qt plugin: not ours to judge
    const QJsonObject meta = md.value(QStringLiteral("MetaData")).toObject();
    PluginInfo info;
    info.kind = meta.value(QStringLiteral("kind")).toString();
    info.name = meta.value(QStringLiteral("name")).toString(info.kind);
    info.description = meta.value(QStringLiteral("description")).toString();
    info.settings = meta.value(QStringLiteral("settings")).toArray();
    info.delivery = meta.value(QStringLiteral("delivery")).toObject();
    info.path = path;
    if (info.kind.isEmpty()) {
        m_failures.append({path, QStringLiteral("its plugin.json names no \"kind\"")});
        return;
    }
    std::vector<Entry> &entries = isNotifier ? m_notifiers : m_entries;
    for (const Entry &e : entries) {
        if (e.info.kind == info.kind) {
            m_failures.append({path, QStringLiteral("kind '%1' is already provided by %2; this one is ignored")
                                         .arg(info.kind, e.info.path)});
            return;
        }
    }
    QObject *instance = loader->instance();
    if (!instance) {
        m_failures.append({path, QStringLiteral("cannot load: %1").arg(loader->errorString())});
        return;
    }
    if (isNotifier) {
        auto *plugin = qobject_cast<NotifierPlugin *>(instance);
        if (!plugin) {
            m_failures.append({path, QStringLiteral("does not implement the notifier interface %1")
                                         .arg(QLatin1String(VIGIL_NOTIFIER_PLUGIN_IID))});
            return;
        }
        if (auto log = logger("plugins"))
            log->debug("loaded notifier plugin '{}' from {}", info.kind.toStdString(), path.toStdString());
        Entry e{std::move(info), std::move(loader), nullptr};
        e.notifier = plugin;
        m_notifiers.push_back(std::move(e));
        return;
    }
    auto *plugin = qobject_cast<ConnectorPlugin *>(instance);
    if (!plugin) {
        m_failures.append({path, QStringLiteral("does not implement the connector interface %1")
                                     .arg(QLatin1String(VIGIL_CONNECTOR_PLUGIN_IID))});
        return;
    }
    if (auto log = logger("plugins"))
        log->debug("loaded connector plugin '{}' from {}", info.kind.toStdString(), path.toStdString());
    m_entries.push_back({std::move(info), std::move(loader), plugin});
}

QList<PluginInfo> PluginRegistry::connectors() const
{
    QList<PluginInfo> out;
    for (const Entry &e : m_entries)
        out.append(e.info);
    return out;
}

bool PluginRegistry::hasKind(const QString &kind) const
{
    return std::any_of(m_entries.begin(), m_entries.end(), [&](const Entry &e) { return e.info.kind == kind; });
}

Connector *PluginRegistry::createConnector(const ConnectionSettings &settings, QObject *parent,
                                           QString *error) const
{
    for (const Entry &e : m_entries) {
        if (e.info.kind == settings.kind)
            return e.plugin->createConnector(settings, parent);
    }
    if (error) {
        QStringList kinds;
        for (const Entry &e : m_entries)
            kinds << e.info.kind;
        *error = QStringLiteral("no plugin provides connections of kind '%1' (available: %2)")
                     .arg(settings.kind, kinds.isEmpty() ? QStringLiteral("none") : kinds.join(QStringLiteral(", ")));
    }
    return nullptr;
}

QList<PluginInfo> PluginRegistry::notifiers() const
{
    QList<PluginInfo> out;
    for (const Entry &e : m_notifiers)
        out.append(e.info);
    return out;
}

const PluginInfo *PluginRegistry::notifierInfo(const QString &kind) const
{
    for (const Entry &e : m_notifiers)
        if (e.info.kind == kind)
            return &e.info;
    return nullptr;
}

Notifier *PluginRegistry::createNotifier(const NotifierSettings &settings, QObject *parent, QString *error) const
{
    for (const Entry &e : m_notifiers) {
        if (e.info.kind == settings.kind)
            return e.notifier->createNotifier(settings, parent);
    }
    if (error) {
        QStringList kinds;
        for (const Entry &e : m_notifiers)
            kinds << e.info.kind;
        *error = QStringLiteral("no plugin provides notifiers of kind '%1' (available: %2)")
                     .arg(settings.kind, kinds.isEmpty() ? QStringLiteral("none") : kinds.join(QStringLiteral(", ")));
    }
    return nullptr;
}

} // namespace vigil
