// SPDX-License-Identifier: GPL-3.0-or-later
#include "workspace/dashboard_proposal.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <algorithm>

namespace vigil {

QStringList groupingLabels(const QStringList &labels)
{
    static const QStringList modelLike{"model", "model_name", "model_id", "service", "app", "deployment"};
    static const QStringList versionLike{"version", "model_version", "variant", "track", "revision", "canary", "stage"};
    QStringList out;
    for (const QStringList *kind : {&modelLike, &versionLike}) {
        for (const QString &l : *kind) {
            if (labels.contains(l)) {
                out.append(l);
                break; // one of each: model by service by app would split the lines three ways
            }
        }
    }
    return out;
}

namespace {

QString byClause(const QStringList &group, const QString &extra = {})
{
    QStringList all = group;
    if (!extra.isEmpty())
        all.prepend(extra);
    return all.isEmpty() ? QString() : QStringLiteral(" by (%1)").arg(all.join(QStringLiteral(", ")));
}

QString legendFor(const QStringList &group, const QString &suffix = {})
{
    QStringList parts;
    for (const QString &g : group)
        parts.append(QStringLiteral("{{%1}}").arg(g));
    if (!suffix.isEmpty())
        parts.append(suffix);
    return parts.join(u' ');
}

QString unitFromName(const QString &name)
{
    if (name.contains(QLatin1String("_seconds")))
        return QStringLiteral("s");
    if (name.contains(QLatin1String("_milliseconds")))
        return QStringLiteral("ms");
    if (name.contains(QLatin1String("_bytes")))
        return QStringLiteral("bytes");
    if (name.endsWith(QLatin1String("_ratio")))
        return QStringLiteral("percentunit");
    return {};
}

// "model_request_duration_seconds" -> "Model request duration"
QString titleFromName(QString name)
{
    static const QRegularExpression unitSuffix(QStringLiteral("_(seconds|milliseconds|bytes|total|ratio)$"));
    name.remove(unitSuffix);
    name.replace(u'_', u' ');
    if (!name.isEmpty())
        name[0] = name[0].toUpper();
    return name;
}

bool isErrorCounter(const QString &name)
{
    return name.contains(QLatin1String("error")) || name.contains(QLatin1String("fail"));
}

bool isRequestCounter(const QString &name)
{
    return name.contains(QLatin1String("request")) || name.contains(QLatin1String("prediction"))
        || name.contains(QLatin1String("inference"));
}

} // namespace

ProposedDashboard proposeDashboard(const QString &name, const QString &connection, const QList<MetricInfo> &metrics,
                                   int maxPanels)
{
    ProposedDashboard out;
    out.dashboard.name = name;
    out.dashboard.columns = 2;
    const QString window = QStringLiteral("1m");
    QList<const MetricInfo *> histograms, counters, gauges;
    for (const MetricInfo &m : metrics) {
        if (isInternalMetric(m.name))
            continue;
        if (m.type == QLatin1String("histogram"))
            histograms.append(&m);
        else if (m.type == QLatin1String("counter"))
            counters.append(&m);
        else if (m.type == QLatin1String("gauge"))
            gauges.append(&m);
        else if (m.type == QLatin1String("summary"))
            out.notes.append(QStringLiteral("%1 is a summary: its quantiles cannot be aggregated across series; chart "
                                            "%1{quantile=\"0.99\"} yourself if it has one series per instance")
                                 .arg(m.name));
    }
    auto panel = [&](const QString &title, const QString &unit, const QList<PanelQuery> &queries, const QString &description) {
        if (out.dashboard.panels.size() >= maxPanels)
            return false;
        PanelDef p;
        p.title = title;
        p.connection = connection;
        p.unit = unit;
        p.queries = queries;
        p.description = description;
        out.dashboard.panels.append(p);
        return true;
    };
    QSet<QString> groupsUsed;
    for (const MetricInfo *m : histograms) {
        const QStringList group = groupingLabels(m->labels);
        groupsUsed.unite(QSet<QString>(group.begin(), group.end()));
        QList<PanelQuery> qs;
        for (const auto &[q, label] : {std::pair{"0.5", "p50"}, std::pair{"0.95", "p95"}, std::pair{"0.99", "p99"}})
            qs.append({QStringLiteral("histogram_quantile(%1, sum%2 (rate(%3_bucket[%4])))")
                           .arg(QLatin1String(q), byClause(group, QStringLiteral("le")), m->name, window),
                       legendFor(group, QLatin1String(label))});
        QString unit = unitFromName(m->name);
        if (!panel(titleFromName(m->name) + QStringLiteral(" (p50, p95, p99)"), unit, qs, m->help))
            break;
    }
    // An error ratio where an error counter sits beside a request counter with the same labels.
    for (const MetricInfo *err : counters) {
        if (!isErrorCounter(err->name))
            continue;
        for (const MetricInfo *req : counters) {
            if (req == err || isErrorCounter(req->name) || !isRequestCounter(req->name))
                continue;
            const QStringList group = groupingLabels(err->labels);
            if (group != groupingLabels(req->labels))
                continue;
            panel(titleFromName(err->name) + QStringLiteral(" ratio"), QStringLiteral("percentunit"),
                  {{QStringLiteral("sum%1 (rate(%2[%3])) / sum%1 (rate(%4[%3]))").arg(byClause(group), err->name, window, req->name),
                    legendFor(group)}},
                  QStringLiteral("%1 per %2").arg(err->name, req->name));
            break;
        }
    }
    for (const MetricInfo *m : counters) {
        const QStringList group = groupingLabels(m->labels);
        groupsUsed.unite(QSet<QString>(group.begin(), group.end()));
        const QString unit = isRequestCounter(m->name) ? QStringLiteral("reqps")
                           : m->name.contains(QLatin1String("_bytes")) ? QStringLiteral("bytes") : QString();
        if (!panel(titleFromName(m->name) + QStringLiteral(" per second"), unit,
                   {{QStringLiteral("sum%1 (rate(%2[%3]))").arg(byClause(group), m->name, window), legendFor(group)}}, m->help))
            break;
    }
    for (const MetricInfo *m : gauges) {
        const QStringList group = groupingLabels(m->labels);
        groupsUsed.unite(QSet<QString>(group.begin(), group.end()));
        const QString agg = group.isEmpty() ? QStringLiteral("%1").arg(m->name)
                                            : QStringLiteral("avg%1 (%2)").arg(byClause(group), m->name);
        if (!panel(titleFromName(m->name), unitFromName(m->name), {{agg, legendFor(group)}}, m->help))
            break;
    }
    const int candidates = int(histograms.size() + counters.size() + gauges.size());
    if (out.dashboard.panels.size() >= maxPanels && candidates > maxPanels)
        out.notes.append(QStringLiteral("%1 metrics could be charted; the first %2 panels are proposed "
                                        "(histograms first, then error ratios, counters and gauges)")
                             .arg(candidates).arg(maxPanels));
    QStringList groups(groupsUsed.begin(), groupsUsed.end());
    std::sort(groups.begin(), groups.end());
    out.notes.prepend(groups.isEmpty() ? QStringLiteral("no label looks like a model or a version: panels are not grouped")
                                       : QStringLiteral("grouped by %1").arg(groups.join(QStringLiteral(", "))));
    return out;
}

// ---- Grafana ----

namespace {

QString vigilUnit(const QString &grafana, bool *known)
{
    static const QHash<QString, QString> map{
        {"s", "s"}, {"ms", "ms"}, {"reqps", "reqps"}, {"rps", "reqps"}, {"ops", "reqps"}, {"percent", "percent"},
        {"percentunit", "percentunit"}, {"bytes", "bytes"}, {"decbytes", "bytes"}, {"short", "short"}, {"none", ""},
        {"", ""}, {"dtdurations", "s"}, {"dtdurationms", "ms"}};
    *known = map.contains(grafana);
    return map.value(grafana);
}

struct Variables
{
    QHash<QString, QString> values;   // name -> replacement
    QStringList notes;
};

Variables readVariables(const QJsonObject &dashboard)
{
    Variables v;
    v.values.insert(QStringLiteral("__rate_interval"), QStringLiteral("1m"));
    v.values.insert(QStringLiteral("__interval"), QStringLiteral("1m"));
    v.values.insert(QStringLiteral("__range"), QStringLiteral("1h"));
    const QJsonArray list = dashboard.value(QLatin1String("templating")).toObject().value(QLatin1String("list")).toArray();
    for (const QJsonValue &item : list) {
        const QJsonObject t = item.toObject();
        const QString name = t.value(QLatin1String("name")).toString();
        const QString type = t.value(QLatin1String("type")).toString();
        if (name.isEmpty() || type == QLatin1String("datasource"))
            continue;
        const QJsonValue current = t.value(QLatin1String("current")).toObject().value(QLatin1String("value"));
        QStringList values;
        if (current.isArray())
            for (const QJsonValue &x : current.toArray())
                values.append(x.toString());
        else if (current.isString())
            values.append(current.toString());
        QString replacement;
        if (values.isEmpty() || values.contains(QLatin1String("$__all")) || values.contains(QLatin1String("All")))
            replacement = QStringLiteral(".*");
        else if (values.size() == 1)
            replacement = values.first();
        else
            replacement = values.join(u'|');
        v.values.insert(name, replacement);
        v.notes.append(QStringLiteral("variable $%1 replaced by its current value '%2'").arg(name, replacement));
    }
    return v;
}

QString substitute(QString expr, const Variables &vars, QSet<QString> *unknown)
{
    static const QRegularExpression ref(QStringLiteral("\\$\\{([A-Za-z0-9_]+)(?::[^}]*)?\\}|\\[\\[([A-Za-z0-9_]+)\\]\\]|\\$([A-Za-z0-9_]+)"));
    QString out;
    qsizetype last = 0;
    for (auto it = ref.globalMatch(expr); it.hasNext();) {
        const auto m = it.next();
        QString name = m.captured(1);
        if (name.isEmpty())
            name = m.captured(2);
        if (name.isEmpty())
            name = m.captured(3);
        out += expr.mid(last, m.capturedStart() - last);
        if (vars.values.contains(name)) {
            out += vars.values.value(name);
        } else {
            out += m.captured(0);
            unknown->insert(name);
        }
        last = m.capturedEnd();
    }
    out += expr.mid(last);
    return out;
}

QString datasourceType(const QJsonValue &ds)
{
    if (ds.isObject())
        return ds.toObject().value(QLatin1String("type")).toString();
    return {}; // a name, a ${DS_...} input or null: the dashboard's default
}

void collectPanels(const QJsonArray &panels, QList<QJsonObject> *out)
{
    for (const QJsonValue &p : panels) {
        const QJsonObject o = p.toObject();
        if (o.value(QLatin1String("type")).toString() == QLatin1String("row")) {
            collectPanels(o.value(QLatin1String("panels")).toArray(), out); // a collapsed row holds its panels
            continue;
        }
        out->append(o);
    }
}

} // namespace

namespace {

// `text` with every unpaired UTF-16 surrogate replaced by U+FFFD.
QString wellFormed(const QString &text)
{
    if (text.isValidUtf16())
        return text;
    QString out;
    out.reserve(text.size());
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (c.isHighSurrogate() && i + 1 < text.size() && text.at(i + 1).isLowSurrogate()) {
            out += c;
            out += text.at(++i);
        } else if (c.isSurrogate()) {
            out += QChar(QChar::ReplacementCharacter);
        } else {
            out += c;
        }
    }
    return out;
}

} // namespace

GrafanaImport importGrafanaDashboard(const QByteArray &json, const QString &connection, const QString &where)
{
    GrafanaImport out;
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &pe);
    if (pe.error != QJsonParseError::NoError) {
        int line = 1;
        for (int i = 0; i < pe.offset && i < json.size(); ++i)
            line += json.at(i) == '\n' ? 1 : 0;
        out.error = QStringLiteral("%1:%2: not valid JSON (%3); export the dashboard again with Share > Export > Save to file")
                        .arg(where).arg(line).arg(pe.errorString());
        return out;
    }
    QJsonObject d = doc.object();
    if (d.contains(QLatin1String("dashboard")) && d.value(QLatin1String("dashboard")).isObject())
        d = d.value(QLatin1String("dashboard")).toObject(); // the HTTP API's shape
    if (!d.contains(QLatin1String("panels")) && !d.contains(QLatin1String("rows"))) {
        out.error = QStringLiteral("%1: not a Grafana dashboard: it has neither 'panels' nor 'rows'").arg(where);
        return out;
    }
    out.dashboard.name = d.value(QLatin1String("title")).toString(QStringLiteral("Imported dashboard")).trimmed();
    if (out.dashboard.name.isEmpty())
        out.dashboard.name = QStringLiteral("Imported dashboard");
    const Variables vars = readVariables(d);
    out.notes = vars.notes;

    QList<QJsonObject> panels;
    collectPanels(d.value(QLatin1String("panels")).toArray(), &panels);
    for (const QJsonValue &row : d.value(QLatin1String("rows")).toArray()) // schema before Grafana 5
        collectPanels(row.toObject().value(QLatin1String("panels")).toArray(), &panels);

    const QString defaultDs = datasourceType(d.value(QLatin1String("datasource")));
    QHash<int, int> columnsSeen; // columns implied by each panel's width -> how many panels
    QSet<QString> unknownVars;
    for (const QJsonObject &p : panels) {
        const QString type = p.value(QLatin1String("type")).toString();
        QString title = p.value(QLatin1String("title")).toString().trimmed();
        if (title.isEmpty())
            title = QStringLiteral("Panel %1").arg(p.value(QLatin1String("id")).toInt());
        const QString label = QStringLiteral("panel '%1' (%2)").arg(title, type);
        static const QStringList charts{"timeseries", "graph", "stat", "gauge", "bargauge", "singlestat"};
        if (!charts.contains(type)) {
            out.skipped.append(QStringLiteral("%1: Vigil has no %2 panel").arg(label, type.isEmpty() ? QStringLiteral("untyped") : type));
            continue;
        }
        QString ds = datasourceType(p.value(QLatin1String("datasource")));
        if (ds.isEmpty() || ds == QLatin1String("datasource") || ds == QLatin1String("mixed"))
            ds = defaultDs;
        PanelDef panel;
        panel.title = title;
        panel.connection = connection;
        panel.description = p.value(QLatin1String("description")).toString();
        int hidden = 0, foreign = 0;
        for (const QJsonValue &tv : p.value(QLatin1String("targets")).toArray()) {
            const QJsonObject t = tv.toObject();
            const QString tds = datasourceType(t.value(QLatin1String("datasource")));
            const QString effective = tds.isEmpty() || tds == QLatin1String("__expr__") ? ds : tds;
            if (!effective.isEmpty() && effective != QLatin1String("prometheus")) {
                ++foreign;
                continue;
            }
            if (t.value(QLatin1String("hide")).toBool()) {
                ++hidden;
                continue;
            }
            const QString expr = t.value(QLatin1String("expr")).toString().trimmed();
            if (expr.isEmpty())
                continue;
            PanelQuery q;
            q.expr = substitute(expr, vars, &unknownVars);
            QString legend = t.value(QLatin1String("legendFormat")).toString();
            if (legend == QLatin1String("__auto"))
                legend.clear();
            q.legend = legend;
            panel.queries.append(q);
        }
        if (panel.queries.isEmpty()) {
            out.skipped.append(foreign > 0 ? QStringLiteral("%1: its queries are not Prometheus queries").arg(label)
                                           : QStringLiteral("%1: no query to import").arg(label));
            continue;
        }
        if (hidden > 0)
            out.notes.append(QStringLiteral("%1: %2 hidden quer%3 left out").arg(label).arg(hidden).arg(hidden == 1 ? "y" : "ies"));
        if (foreign > 0)
            out.notes.append(QStringLiteral("%1: %2 non-Prometheus quer%3 left out").arg(label).arg(foreign).arg(foreign == 1 ? "y" : "ies"));
        if (type != QLatin1String("timeseries") && type != QLatin1String("graph"))
            out.notes.append(QStringLiteral("%1 is shown as a time series").arg(label));

        const QJsonObject defaults = p.value(QLatin1String("fieldConfig")).toObject().value(QLatin1String("defaults")).toObject();
        QString unit = defaults.value(QLatin1String("unit")).toString();
        if (unit.isEmpty()) // the graph panel's left axis
            unit = p.value(QLatin1String("yaxes")).toArray().at(0).toObject().value(QLatin1String("format")).toString();
        bool known = false;
        panel.unit = vigilUnit(unit, &known);
        if (!known)
            out.notes.append(QStringLiteral("%1: unit '%2' has no Vigil equivalent; shown without a unit").arg(label, unit));

        for (const QJsonValue &step : defaults.value(QLatin1String("thresholds")).toObject().value(QLatin1String("steps")).toArray()) {
            const QJsonObject s = step.toObject();
            if (!s.value(QLatin1String("value")).isDouble()) // the base step (value null) is not a line
                continue;
            panel.thresholds.append({s.value(QLatin1String("value")).toDouble(), s.value(QLatin1String("color")).toString()});
        }
        for (const QJsonValue &th : p.value(QLatin1String("thresholds")).toArray()) { // the graph panel's
            const QJsonObject s = th.toObject();
            if (s.value(QLatin1String("value")).isDouble())
                panel.thresholds.append({s.value(QLatin1String("value")).toDouble(), s.value(QLatin1String("colorMode")).toString()});
        }
        const int w = p.value(QLatin1String("gridPos")).toObject().value(QLatin1String("w")).toInt(0);
        if (w > 0)
            ++columnsSeen[std::clamp(24 / w, 1, 4)];
        out.dashboard.panels.append(panel);
    }
    for (const QString &name : unknownVars)
        out.notes.append(QStringLiteral("variable $%1 is not defined in the dashboard: left in the query as written; replace it with a label value").arg(name));
    // Vigil's grid has one column count: the one most panels were laid out in.
    int columns = 2, most = 0;
    for (auto it = columnsSeen.constBegin(); it != columnsSeen.constEnd(); ++it)
        if (it.value() > most || (it.value() == most && it.key() < columns))
            columns = it.key(), most = it.value();
    out.dashboard.columns = columns;
    if (out.dashboard.panels.isEmpty() && out.error.isEmpty())
        out.error = QStringLiteral("%1: no panel with a Prometheus query to import (%2 skipped)").arg(where).arg(out.skipped.size());
    // JSON may carry a lone surrogate ("\ud800"), which no UTF-8 file can hold:
    // it becomes U+FFFD now, so the dashboard reads back from the workspace as
    // imported (found by fuzz_grafana_import).
    out.dashboard.name = wellFormed(out.dashboard.name);
    for (PanelDef &panel : out.dashboard.panels) {
        for (QString *text : {&panel.title, &panel.connection, &panel.unit, &panel.description})
            *text = wellFormed(*text);
        for (PanelQuery &q : panel.queries) {
            q.expr = wellFormed(q.expr);
            q.legend = wellFormed(q.legend);
        }
        for (PanelThreshold &t : panel.thresholds)
            t.label = wellFormed(t.label);
    }
    return out;
}

// ---- YAML ----

namespace {

// A double-quoted YAML scalar: always safe, whatever the text.
QString quoted(const QString &text)
{
    const QString s = escapeEnvironment(text); // "${" stays literal when read back
    QString out = QStringLiteral("\"");
    for (const QChar c : s) {
        switch (c.unicode()) {
        case '"': out += QStringLiteral("\\\""); break;
        case '\\': out += QStringLiteral("\\\\"); break;
        case '\n': out += QStringLiteral("\\n"); break;
        case '\t': out += QStringLiteral("\\t"); break;
        case '\r': out += QStringLiteral("\\r"); break;
        default:
            if (c.unicode() < 0x20)
                out += QStringLiteral("\\x%1").arg(c.unicode(), 2, 16, QLatin1Char('0'));
            else
                out += c;
        }
    }
    out += u'"';
    return out;
}

} // namespace

QString dashboardToYaml(const DashboardDef &d)
{
    QString y;
    y += QStringLiteral("  - name: %1\n").arg(quoted(d.name));
    y += QStringLiteral("    columns: %1\n").arg(d.columns);
    y += QStringLiteral("    panels:\n");
    for (const PanelDef &p : d.panels) {
        y += QStringLiteral("      - title: %1\n").arg(quoted(p.title));
        if (!p.connection.isEmpty())
            y += QStringLiteral("        connection: %1\n").arg(quoted(p.connection));
        if (!p.unit.isEmpty())
            y += QStringLiteral("        unit: %1\n").arg(p.unit);
        if (!p.description.isEmpty())
            y += QStringLiteral("        description: %1\n").arg(quoted(p.description));
        y += QStringLiteral("        queries:\n");
        for (const PanelQuery &q : p.queries) {
            y += QStringLiteral("          - expr: %1\n").arg(quoted(q.expr));
            if (!q.legend.isEmpty())
                y += QStringLiteral("            legend: %1\n").arg(quoted(q.legend));
        }
        if (!p.thresholds.isEmpty()) {
            y += QStringLiteral("        thresholds:\n");
            for (const PanelThreshold &t : p.thresholds) {
                y += QStringLiteral("          - { value: %1").arg(QString::number(t.value, 'g', 17));
                if (!t.label.isEmpty())
                    y += QStringLiteral(", label: %1").arg(quoted(t.label));
                y += QStringLiteral(" }\n");
            }
        }
    }
    return y;
}

QString uniqueDashboardName(const Workspace &ws, const QString &name)
{
    QString candidate = name;
    for (int n = 2; ws.dashboard(candidate); ++n)
        candidate = QStringLiteral("%1 (%2)").arg(name).arg(n);
    return candidate;
}

QByteArray addDashboardToWorkspaceText(const QByteArray &text, const DashboardDef &dashboard, const QString &fileName,
                                       QString *error)
{
    const Workspace before = parseWorkspace(text, fileName);
    QByteArray item = dashboardToYaml(dashboard).toUtf8();
    QList<QByteArray> lines = text.split('\n');
    if (!lines.isEmpty() && lines.last().isEmpty())
        lines.removeLast();
    auto topLevelKey = [](const QByteArray &line) {
        return !line.isEmpty() && line[0] != ' ' && line[0] != '\t' && line[0] != '#' && line[0] != '-';
    };
    qsizetype start = -1;
    for (qsizetype i = 0; i < lines.size(); ++i) {
        if (lines[i].startsWith("dashboards:")) {
            start = i;
            break;
        }
    }
    QByteArray out;
    if (start < 0) {
        out = lines.join('\n');
        if (!out.isEmpty())
            out += '\n';
        out += "dashboards:\n" + item;
    } else {
        QByteArray rest = lines[start].mid(11).trimmed();
        QByteArray comment; // `dashboards: []  # none yet`: the comment stays
        if (qsizetype from = lines[start].indexOf(" #", 11); from > 0) {
            while (from > 11 && lines[start][from - 1] == ' ')
                --from;
            comment = lines[start].mid(from);
            rest = lines[start].mid(11, from - 11).trimmed();
        }
        if (!rest.isEmpty() && !rest.startsWith('#') && rest != "[]") {
            *error = QStringLiteral("%1:%2: 'dashboards:' is written in flow style; add the dashboard by hand:\n%3")
                         .arg(fileName).arg(start + 1).arg(QString::fromUtf8(item));
            return {};
        }
        if (rest == "[]")
            lines[start] = "dashboards:" + comment;
        // Indent the item as the list's existing items are ("- name" at
        // column 0 is as valid as "  - name").
        for (qsizetype i = start + 1; i < lines.size() && !topLevelKey(lines[i]); ++i) {
            const QByteArray t = lines[i].trimmed();
            if (t.startsWith("- ") || t == "-") {
                const qsizetype indent = lines[i].indexOf('-');
                QByteArray reindented;
                for (const QByteArray &l : item.split('\n'))
                    if (!l.isEmpty())
                        reindented += QByteArray(indent, ' ') + l.mid(2) + '\n';
                item = reindented;
                break;
            }
        }
        // The block ends before the next top-level key; trailing blank lines
        // and comments stay after the new item, with what they introduce.
        qsizetype end = start + 1;
        while (end < lines.size() && !topLevelKey(lines[end]))
            ++end;
        qsizetype insertAt = end;
        while (insertAt > start + 1 && (lines[insertAt - 1].trimmed().isEmpty() || lines[insertAt - 1].trimmed().startsWith('#')))
            --insertAt;
        for (qsizetype i = 0; i < lines.size(); ++i) {
            if (i == insertAt)
                out += item;
            out += lines[i];
            out += '\n';
        }
        if (insertAt >= lines.size())
            out += item;
    }
    const Workspace after = parseWorkspace(out, fileName);
    // Errors the file already had move down by the inserted lines: compare
    // them without their line numbers.
    auto withoutLines = [](const Workspace &ws) {
        QStringList out;
        for (const WorkspaceIssue &i : ws.issues)
            if (i.severity == WorkspaceIssue::Severity::Error)
                out.append(i.key + u'|' + i.message);
        return out;
    };
    const QStringList was = withoutLines(before);
    for (const WorkspaceIssue &i : after.issues) {
        if (i.severity == WorkspaceIssue::Severity::Error && !was.contains(i.key + u'|' + i.message)) {
            *error = QStringLiteral("adding dashboard '%1' would break the workspace: %2").arg(dashboard.name, i.toString());
            return {};
        }
    }
    if (after.dashboards.size() != before.dashboards.size() + 1) {
        *error = QStringLiteral("adding dashboard '%1' to %2 did not add it (the file's layout is not one Vigil can edit); "
                                "add it by hand:\n%3").arg(dashboard.name, fileName, QString::fromUtf8(item));
        return {};
    }
    return out;
}

} // namespace vigil
