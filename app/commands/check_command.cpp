// SPDX-License-Identifier: GPL-3.0-or-later
#include "commands/check_command.h"

#include "session/session.h"
#include "sources/connection_probe.h"
#include "sources/plugin_registry.h"
#include "workspace/workspace.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

namespace vigil::app {


int runCheckCommand(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Validate a workspace and probe every connection."));
    const QCommandLineOption workspaceOpt({QStringLiteral("w"), QStringLiteral("workspace")}, QStringLiteral("Workspace file."),
                                          QStringLiteral("FILE"));
    const QCommandLineOption jsonOpt(QStringLiteral("json"), QStringLiteral("Print one JSON document."));
    const QCommandLineOption timeoutOpt(QStringLiteral("timeout"), QStringLiteral("How long to wait for each connection (default 15s)."),
                                       QStringLiteral("DURATION"), QStringLiteral("15s"));
    parser.addOptions({workspaceOpt, jsonOpt, timeoutOpt});
    QTextStream out(stdout);
    QTextStream err(stderr);
    if (!parser.parse(QStringList{QStringLiteral("vigil check")} + args) || !parser.isSet(workspaceOpt)) {
        err << "vigil check: " << (parser.errorText().isEmpty() ? QStringLiteral("needs --workspace FILE") : parser.errorText())
            << "\nusage: vigil check --workspace FILE [--json] [--timeout 15s]\n";
        return 2;
    }
    const qint64 timeoutMs = parseDuration(parser.value(timeoutOpt));
    if (timeoutMs <= 0) {
        err << "vigil check: --timeout must be a duration such as 15s, not '" << parser.value(timeoutOpt) << "'\n";
        return 2;
    }
    const bool json = parser.isSet(jsonOpt);
    const Workspace ws = loadWorkspace(parser.value(workspaceOpt));
    bool allOk = !ws.hasErrors();

    QJsonObject report{{QStringLiteral("workspace"), ws.path}};
    QJsonArray issues;
    for (const WorkspaceIssue &i : ws.issues)
        issues.append(QJsonObject{{QStringLiteral("severity"), i.severity == WorkspaceIssue::Severity::Error ? QStringLiteral("error") : QStringLiteral("warning")},
                                  {QStringLiteral("line"), i.line}, {QStringLiteral("key"), i.key}, {QStringLiteral("message"), i.toString()}});
    report.insert(QStringLiteral("issues"), issues);
    if (!json) {
        out << "workspace " << ws.path << ": " << (ws.hasErrors() ? "has errors" : "valid") << "\n";
        for (const WorkspaceIssue &i : ws.issues)
            out << "  " << (i.severity == WorkspaceIssue::Severity::Error ? "error: " : "warning: ") << i.toString() << "\n";
        out.flush();
    }

    PluginRegistry plugins;
    plugins.load(PluginRegistry::defaultSearchPaths());
    QJsonArray connections;
    for (const ConnectionDef &def : ws.connections) {
        QJsonObject c{{QStringLiteral("name"), def.name}, {QStringLiteral("kind"), def.kind}, {QStringLiteral("url"), def.url}};
        QString secretError, error;
        const ConnectionSettings settings = Session::settingsFor(def, &secretError);
        if (!secretError.isEmpty())
            c.insert(QStringLiteral("secret"), secretError);
        const QJsonObject probed = probeConnection(plugins, settings, timeoutMs);
        for (auto it = probed.begin(); it != probed.end(); ++it)
            c.insert(it.key(), it.value());
        const bool ok = probed.value(QStringLiteral("ok")).toBool();
        allOk &= ok;
        connections.append(c);
        if (!json) {
            out << "connection " << def.name << " (" << def.kind << "): "
                << (c.contains(QStringLiteral("error")) ? QStringLiteral("FAILED: ") + c.value(QStringLiteral("error")).toString()
                                                        : c.value(QStringLiteral("reached")).toString())
                << "\n";
            if (c.contains(QStringLiteral("secret")))
                out << "  " << c.value(QStringLiteral("secret")).toString() << "\n";
            if (c.contains(QStringLiteral("series")))
                out << "  series: " << qint64(c.value(QStringLiteral("series")).toDouble()) << "\n";
            if (c.contains(QStringLiteral("metric_names")))
                out << "  metric names: " << c.value(QStringLiteral("metric_names")).toInt() << "\n";
            for (const QJsonValue &m : c.value(QStringLiteral("registered_models")).toArray()) {
                const QJsonObject model = m.toObject();
                QStringList versions;
                for (const QJsonValue &v : model.value(QStringLiteral("versions")).toArray()) {
                    const QJsonObject vo = v.toObject();
                    QString text = vo.value(QStringLiteral("version")).toString();
                    QStringList extra;
                    if (vo.contains(QStringLiteral("stage")))
                        extra << vo.value(QStringLiteral("stage")).toString();
                    for (const QJsonValue &a : vo.value(QStringLiteral("aliases")).toArray())
                        extra << u'@' + a.toString();
                    if (!extra.isEmpty())
                        text += QStringLiteral(" (%1)").arg(extra.join(QStringLiteral(", ")));
                    versions << text;
                }
                if (model.contains(QStringLiteral("error"))) // reached, but this model's versions could not be listed
                    out << "  model " << model.value(QStringLiteral("name")).toString() << ": FAILED: "
                        << model.value(QStringLiteral("error")).toString() << "\n";
                else
                    out << "  model " << model.value(QStringLiteral("name")).toString() << ": versions "
                        << (versions.isEmpty() ? QStringLiteral("none") : versions.join(QStringLiteral(", "))) << "\n";
            }
            out.flush();
        }
    }
    report.insert(QStringLiteral("connections"), connections);
    report.insert(QStringLiteral("ok"), allOk);
    if (json)
        out << QJsonDocument(report).toJson(QJsonDocument::Indented);
    else
        out << (allOk ? "ok\n" : "FAILED\n");
    out.flush();
    return allOk ? 0 : 1;
}

} // namespace vigil::app
