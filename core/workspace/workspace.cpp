// SPDX-License-Identifier: GPL-3.0-or-later
#include "workspace/workspace.h"

#include <QDateTime>
#include "compare/model_mapping.h"
#include "drift/detect_replay.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <yaml-cpp/yaml.h>

#include <cmath>

namespace vigil {

QString WorkspaceIssue::toString() const
{
    QString where = QFileInfo(file).fileName();
    if (line > 0)
        where += u':' + QString::number(line);
    return where + QStringLiteral(": ") + message;
}

bool Workspace::hasErrors() const
{
    return std::any_of(issues.begin(), issues.end(),
                       [](const WorkspaceIssue &i) { return i.severity == WorkspaceIssue::Severity::Error; });
}

QStringList Workspace::errorMessages() const
{
    QStringList out;
    for (const WorkspaceIssue &i : issues)
        out << i.toString();
    return out;
}

const ConnectionDef *Workspace::connection(const QString &name) const
{
    for (const ConnectionDef &c : connections)
        if (c.name == name)
            return &c;
    return nullptr;
}

const ModelDef *Workspace::model(const QString &name) const
{
    for (const ModelDef &m : models) {
        if (m.name == name)
            return &m;
    }
    return nullptr;
}

const DashboardDef *Workspace::dashboard(const QString &name) const
{
    for (const DashboardDef &d : dashboards)
        if (d.name.compare(name, Qt::CaseInsensitive) == 0)
            return &d;
    return nullptr;
}

QString Workspace::connectionFor(const PanelDef &panel) const
{
    if (!panel.connection.isEmpty())
        return panel.connection;
    for (const ConnectionDef &c : connections)
        if (c.kind == QLatin1String("prometheus") || c.kind == QLatin1String("demo"))
            return c.name;
    return {};
}

qint64 parseDuration(const QString &text)
{
    // Prometheus' duration syntax: units ms, s, m, h, d, w, y, largest first.
    static const QRegularExpression re(QStringLiteral("^((\\d+)y)?((\\d+)w)?((\\d+)d)?((\\d+)h)?((\\d+)m)?((\\d+)s)?((\\d+)ms)?$"));
    const QString t = text.trimmed();
    if (t.isEmpty())
        return -1;
    bool isNumber = false;
    const double secs = t.toDouble(&isNumber); // a bare number means seconds
    if (isNumber) // NaN fails both comparisons
        return secs >= 0 && secs * 1000 <= double(kMaxDurationMs) ? qint64(secs * 1000) : -1;
    const auto m = re.match(t);
    if (!m.hasMatch())
        return -1;
    static const qint64 unit[] = {365LL * 86'400'000, 7LL * 86'400'000, 86'400'000, 3'600'000, 60'000, 1'000, 1};
    qint64 total = 0;
    for (int i = 0; i < 7; ++i) {
        if (m.captured(2 + 2 * i).isEmpty())
            continue;
        bool ok = false;
        const qint64 n = m.captured(2 + 2 * i).toLongLong(&ok);
        qint64 part = 0;
        if (!ok || __builtin_mul_overflow(n, unit[i], &part) || __builtin_add_overflow(total, part, &total))
            return -1;
    }
    return total <= kMaxDurationMs ? total : -1;
}

QString formatPromDuration(qint64 ms)
{
    if (ms <= 0)
        return QStringLiteral("0s");
    static const std::pair<qint64, const char *> units[] = {
        {86'400'000, "d"}, {3'600'000, "h"}, {60'000, "m"}, {1'000, "s"}, {1, "ms"}};
    QString out;
    for (const auto &[u, name] : units) {
        if (ms >= u) {
            out += QString::number(ms / u) + QLatin1String(name);
            ms %= u;
        }
    }
    return out;
}

QString nearestWord(const QString &word, const QStringList &candidates)
{
    auto distance = [](const QString &a, const QString &b) {
        QList<int> prev(b.size() + 1), cur(b.size() + 1);
        for (int j = 0; j <= b.size(); ++j)
            prev[j] = j;
        for (int i = 1; i <= a.size(); ++i) {
            cur[0] = i;
            for (int j = 1; j <= b.size(); ++j)
                cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
            std::swap(prev, cur);
        }
        return prev[b.size()];
    };
    QString best;
    int bestDistance = std::max(2, int(word.size()) / 3) + 1;
    for (const QString &c : candidates) {
        const int d = distance(word.toLower(), c.toLower());
        if (d < bestDistance) {
            bestDistance = d;
            best = c;
        }
    }
    return best;
}

QString expandEnvironment(const QString &text)
{
    if (!text.contains(QLatin1String("${")))
        return text;
    // "$${" is a literal "${" (as in docker-compose): how the file keeps a
    // Grafana variable or label_replace's "${name}" in a query.
    static const QRegularExpression re(QStringLiteral("\\$\\$\\{|\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\\}"));
    QString out;
    qsizetype last = 0;
    for (auto it = re.globalMatch(text); it.hasNext();) {
        const auto m = it.next();
        out += text.mid(last, m.capturedStart() - last);
        if (m.capturedLength(1) == 0 && m.captured(0) == QLatin1String("$${")) {
            out += QLatin1String("${");
        } else {
            const QString value = qEnvironmentVariable(m.captured(1).toUtf8().constData());
            out += value.isEmpty() ? m.captured(3) : value;
        }
        last = m.capturedEnd();
    }
    return out + text.mid(last);
}

QString escapeEnvironment(const QString &text)
{
    QString out = text;
    return out.replace(QLatin1String("${"), QLatin1String("$${"));
}

namespace {

class Parser
{
public:
    explicit Parser(Workspace &ws) : m_ws(ws), m_file(ws.path) {}

    void parse(const QByteArray &yaml)
    {
        YAML::Node root;
        try {
            root = YAML::Load(yaml.toStdString());
        } catch (const YAML::ParserException &e) {
            addIssue(e.mark.line + 1, {}, QStringLiteral("YAML syntax error: %1").arg(QString::fromStdString(e.msg)));
            return;
        } catch (const YAML::Exception &e) {
            addIssue(0, {}, QStringLiteral("cannot read the file as YAML: %1").arg(QString::fromStdString(e.what())));
            return;
        }
        if (root.IsNull()) {
            addIssue(0, {}, QStringLiteral("the file is empty: it needs at least 'connections' and 'dashboards'"),
                     WorkspaceIssue::Severity::Warning);
            return;
        }
        if (!root.IsMap()) {
            addIssue(line(root), {}, QStringLiteral("the top level must be a mapping of sections (connections, dashboards, ...)"));
            return;
        }
        checkKeys(root, {"connections", "models", "dashboards", "rules", "rule_files", "notifiers", "routes", "inhibit_rules", "drift", "settings"}, {},
                  QStringLiteral("at the top level"));
        if (auto s = root["settings"])
            parseSettings(s);
        if (auto c = root["connections"])
            parseConnections(c);
        if (auto d = root["dashboards"])
            parseDashboards(d);
        if (auto n = root["notifiers"])
            parseNotifiers(n);
        if (auto r = root["rules"])
            parseRules(r);
        if (auto f = root["rule_files"])
            parseRuleFiles(f);
        if (auto dr = root["drift"])
            parseDrift(dr);
        checkRuleReferences();
        if (root["routes"] || root["inhibit_rules"])
            parseRouting(root["routes"], root["inhibit_rules"]);
        if (auto m = root["models"])
            parseModels(m);
    }

private:
    static int line(const YAML::Node &n) { return n.Mark().line >= 0 ? n.Mark().line + 1 : 0; }

    void addIssue(int ln, QString key, QString message, WorkspaceIssue::Severity sev = WorkspaceIssue::Severity::Error)
    {
        m_ws.issues.append({sev, m_file, ln, std::move(key), std::move(message)});
    }

    void checkKeys(const YAML::Node &map, const QStringList &allowed, const QString &path, const QString &context)
    {
        for (auto it = map.begin(); it != map.end(); ++it) {
            const QString key = QString::fromStdString(it->first.Scalar());
            if (allowed.contains(key))
                continue;
            QString msg = QStringLiteral("unknown key '%1' %2").arg(key, context);
            const QString hint = nearestWord(key, allowed);
            msg += hint.isEmpty() ? QStringLiteral("; expected one of: %1").arg(allowed.join(QStringLiteral(", ")))
                                  : QStringLiteral("; did you mean '%1'?").arg(hint);
            addIssue(line(it->first), path.isEmpty() ? key : path + u'.' + key, msg);
        }
    }

    bool scalar(const YAML::Node &parent, const char *key, const QString &path, QString *out, bool required,
                const QString &context)
    {
        const YAML::Node n = parent[key];
        if (!n || n.IsNull()) {
            if (required)
                addIssue(line(parent), path + u'.' + QLatin1String(key),
                         QStringLiteral("missing key '%1' %2").arg(QLatin1String(key), context));
            return false;
        }
        if (!n.IsScalar()) {
            addIssue(line(n), path + u'.' + QLatin1String(key),
                     QStringLiteral("'%1' %2 must be a single value, not a list or mapping").arg(QLatin1String(key), context));
            return false;
        }
        *out = expandEnvironment(QString::fromStdString(n.Scalar()));
        return true;
    }

    bool duration(const YAML::Node &parent, const char *key, const QString &path, qint64 *out, const QString &context)
    {
        QString text;
        if (!scalar(parent, key, path, &text, false, context))
            return false;
        const qint64 ms = parseDuration(text);
        if (ms <= 0) {
            addIssue(line(parent[key]), path + u'.' + QLatin1String(key),
                     QStringLiteral("'%1' %2 is not a duration: '%3' (write e.g. 15s, 5m, 1h)").arg(QLatin1String(key), context, text));
            return false;
        }
        *out = ms;
        return true;
    }

    bool integer(const YAML::Node &parent, const char *key, const QString &path, int *out, int min, int max,
                 const QString &context)
    {
        QString text;
        if (!scalar(parent, key, path, &text, false, context))
            return false;
        bool ok = false;
        const int v = text.toInt(&ok);
        if (!ok || v < min || v > max) {
            addIssue(line(parent[key]), path + u'.' + QLatin1String(key),
                     QStringLiteral("'%1' %2 must be a whole number from %3 to %4, not '%5'")
                         .arg(QLatin1String(key), context).arg(min).arg(max).arg(text));
            return false;
        }
        *out = v;
        return true;
    }

    void parseSettings(const YAML::Node &s)
    {
        const QString ctx = QStringLiteral("in settings");
        if (!s.IsMap()) {
            addIssue(line(s), QStringLiteral("settings"), QStringLiteral("'settings' must be a mapping (refresh, range)"));
            return;
        }
        checkKeys(s, {"refresh", "range", "evaluation_interval"}, QStringLiteral("settings"), ctx);
        duration(s, "refresh", QStringLiteral("settings"), &m_ws.refreshMs, ctx);
        duration(s, "range", QStringLiteral("settings"), &m_ws.rangeMs, ctx);
        duration(s, "evaluation_interval", QStringLiteral("settings"), &m_ws.evaluationIntervalMs, ctx);
    }

public:
    // ---- rules ---------------------------------------------------------

    bool number(const YAML::Node &parent, const char *key, const QString &path, double *out, const QString &context)
    {
        QString text;
        if (!scalar(parent, key, path, &text, false, context))
            return false;
        bool ok = false;
        const double v = text.toDouble(&ok);
        if (!ok || !std::isfinite(v)) {
            addIssue(line(parent[key]), path + u'.' + QLatin1String(key),
                     QStringLiteral("'%1' %2 must be a number, not '%3'").arg(QLatin1String(key), context, text));
            return false;
        }
        *out = v;
        return true;
    }

    bool pair(const YAML::Node &parent, const char *key, const QString &path, double *lo, double *hi, const QString &context)
    {
        const YAML::Node n = parent[key];
        if (!n)
            return false;
        bool ok = n.IsSequence() && n.size() == 2 && n[0].IsScalar() && n[1].IsScalar();
        bool ok0 = false, ok1 = false;
        if (ok) {
            *lo = QString::fromStdString(n[0].Scalar()).toDouble(&ok0);
            *hi = QString::fromStdString(n[1].Scalar()).toDouble(&ok1);
        }
        if (!ok || !ok0 || !ok1 || !(*lo <= *hi)) {
            addIssue(line(n), path + u'.' + QLatin1String(key),
                     QStringLiteral("'%1' %2 must be two numbers [low, high] with low <= high").arg(QLatin1String(key), context));
            return false;
        }
        return true;
    }

    bool stringMap(const YAML::Node &parent, const char *key, const QString &path, QList<std::pair<QString, QString>> *out,
                   const QString &context)
    {
        const YAML::Node n = parent[key];
        if (!n)
            return false;
        if (!n.IsMap()) {
            addIssue(line(n), path + u'.' + QLatin1String(key),
                     QStringLiteral("'%1' %2 must map names to values").arg(QLatin1String(key), context));
            return false;
        }
        for (auto it = n.begin(); it != n.end(); ++it) {
            if (!it->second.IsScalar()) {
                addIssue(line(it->second), path + u'.' + QLatin1String(key),
                         QStringLiteral("'%1.%2' %3 must be a single value").arg(QLatin1String(key),
                             QString::fromStdString(it->first.Scalar()), context));
                continue;
            }
            out->append({QString::fromStdString(it->first.Scalar()), QString::fromStdString(it->second.Scalar())});
        }
        return true;
    }

    bool policy(const YAML::Node &parent, const char *key, const QString &path, rules::StatePolicy *out, const QString &context)
    {
        QString text;
        if (!scalar(parent, key, path, &text, false, context))
            return false;
        if (auto p = rules::statePolicyFromString(text)) {
            *out = *p;
            return true;
        }
        addIssue(line(parent[key]), path + u'.' + QLatin1String(key),
                 QStringLiteral("'%1' %2 must be one of ok, alerting, nodata, error, keep_last; not '%3'")
                     .arg(QLatin1String(key), context, text));
        return false;
    }

    bool severity(const YAML::Node &parent, const char *key, const QString &path, rules::Severity *out, const QString &context)
    {
        QString text;
        if (!scalar(parent, key, path, &text, false, context))
            return false;
        if (auto sv = rules::severityFromString(text)) {
            *out = *sv;
            return true;
        }
        const QString hint = nearestWord(text, {"info", "warning", "critical", "page"});
        addIssue(line(parent[key]), path + u'.' + QLatin1String(key),
                 QStringLiteral("'%1' %2 must be info, warning, critical or page; not '%3'%4")
                     .arg(QLatin1String(key), context, text,
                          hint.isEmpty() ? QString() : QStringLiteral(" (did you mean '%1'?)").arg(hint)));
        return false;
    }

    // A duration that may be 0 ("0s"): `for: 0s` is valid, unlike a refresh.
    bool durationOrZero(const YAML::Node &parent, const char *key, const QString &path, qint64 *out, const QString &context)
    {
        QString text;
        if (!scalar(parent, key, path, &text, false, context))
            return false;
        const qint64 ms = text == QLatin1String("0") ? 0 : parseDuration(text);
        if (ms < 0) {
            addIssue(line(parent[key]), path + u'.' + QLatin1String(key),
                     QStringLiteral("'%1' %2 is not a duration: '%3' (write e.g. 0s, 30s, 5m)").arg(QLatin1String(key), context, text));
            return false;
        }
        *out = ms;
        return true;
    }

    void parseRules(const YAML::Node &node)
    {
        if (!node.IsSequence()) {
            addIssue(line(node), QStringLiteral("rules"),
                     QStringLiteral("'rules' must be a list of rules (- name: ..., query: ..., above: ...) or of groups (- group: ..., rules: [...])"));
            return;
        }
        for (std::size_t i = 0; i < node.size(); ++i) {
            const YAML::Node r = node[i];
            const QString path = QStringLiteral("rules[%1]").arg(i);
            if (r.IsMap() && r["group"]) {
                QString group;
                const QString ctx = QStringLiteral("in rule group %1").arg(i + 1);
                checkKeys(r, {"group", "interval", "rules"}, path, ctx);
                scalar(r, "group", path, &group, true, ctx);
                qint64 interval = m_ws.evaluationIntervalMs;
                duration(r, "interval", path, &interval, ctx);
                const YAML::Node inner = r["rules"];
                if (!inner || !inner.IsSequence()) {
                    addIssue(line(r), path + QStringLiteral(".rules"), QStringLiteral("rule group '%1' needs a list 'rules'").arg(group));
                    continue;
                }
                for (std::size_t j = 0; j < inner.size(); ++j)
                    parseVigilRule(inner[j], path + QStringLiteral(".rules[%1]").arg(j), group, interval);
            } else {
                parseVigilRule(r, path, QStringLiteral("default"), m_ws.evaluationIntervalMs);
            }
        }
    }

    void parseVigilRule(const YAML::Node &r, const QString &path, const QString &group, qint64 intervalMs)
    {
        RuleDef def;
        def.group = group;
        def.intervalMs = intervalMs;
        def.file = m_file;
        def.line = line(r);
        if (!r.IsMap()) {
            addIssue(def.line, path, QStringLiteral("a rule must be a mapping with at least name and query"));
            return;
        }
        if (!scalar(r, "name", path, &def.rule.name, true, QStringLiteral("in a rule")))
            return;
        const QString ctx = QStringLiteral("in rule %1").arg(def.rule.name);
        checkKeys(r, {"name", "query", "connection", "above", "below", "outside", "recover_below", "recover_above",
                      "recover_inside", "for", "keep_firing_for", "severity", "escalate", "labels", "annotations",
                      "no_data", "on_error", "notify", "flapping", "resolve_missing_after"},
                  path, ctx);
        // Unknown keys above are reported but keep the rule (as for panels); a
        // value that does not parse drops it: a rule that half-works pages wrongly.
        const qsizetype issuesBefore = m_ws.issues.size();
        bool ok = scalar(r, "query", path, &def.rule.query, true, ctx);
        def.rule.query = def.rule.query.trimmed();
        scalar(r, "connection", path, &def.connection, false, ctx);

        double above = 0, below = 0, lo = 0, hi = 0, rec = 0;
        const bool hasAbove = number(r, "above", path, &above, ctx);
        const bool hasBelow = number(r, "below", path, &below, ctx);
        const bool hasBand = pair(r, "outside", path, &lo, &hi, ctx);
        if (int(hasAbove) + int(hasBelow) + int(hasBand) > 1) {
            addIssue(def.line, path, QStringLiteral("rule %1 has more than one of above, below and outside; keep one").arg(def.rule.name));
            ok = false;
        }
        if (hasAbove) {
            def.rule.condition = rules::Condition::above(above);
            if (number(r, "recover_below", path, &rec, ctx))
                def.rule.condition.recover = rec;
        } else if (hasBelow) {
            def.rule.condition = rules::Condition::below(below);
            if (number(r, "recover_above", path, &rec, ctx))
                def.rule.condition.recover = rec;
        } else if (hasBand) {
            def.rule.condition = rules::Condition::outside(lo, hi);
            double rlo = 0, rhi = 0;
            if (pair(r, "recover_inside", path, &rlo, &rhi, ctx)) {
                def.rule.condition.recoverLow = rlo;
                def.rule.condition.recoverHigh = rhi;
            }
        } else {
            // No threshold: Prometheus style, every series the query returns fires.
            def.rule.condition = rules::Condition::returnsAnything();
        }
        for (const char *k : {"recover_below", "recover_above", "recover_inside"}) {
            const bool fits = (qstrcmp(k, "recover_below") == 0 && hasAbove) || (qstrcmp(k, "recover_above") == 0 && hasBelow)
                || (qstrcmp(k, "recover_inside") == 0 && hasBand);
            if (r[k] && !fits)
                addIssue(line(r[k]), path + u'.' + QLatin1String(k),
                         QStringLiteral("'%1' %2 goes with %3").arg(QLatin1String(k), ctx,
                             QLatin1String(qstrcmp(k, "recover_below") == 0 ? "'above'" : qstrcmp(k, "recover_above") == 0 ? "'below'" : "'outside'")));
        }
        durationOrZero(r, "for", path, &def.rule.forMs, ctx);
        durationOrZero(r, "keep_firing_for", path, &def.rule.keepFiringForMs, ctx);
        durationOrZero(r, "resolve_missing_after", path, &def.rule.resolveMissingAfterMs, ctx);
        severity(r, "severity", path, &def.rule.severity, ctx);
        policy(r, "no_data", path, &def.rule.noDataPolicy, ctx);
        policy(r, "on_error", path, &def.rule.errorPolicy, ctx);
        QString flap;
        if (scalar(r, "flapping", path, &flap, false, ctx)) {
            if (flap != QLatin1String("true") && flap != QLatin1String("false"))
                addIssue(line(r["flapping"]), path + QStringLiteral(".flapping"),
                         QStringLiteral("'flapping' %1 must be true or false, not '%2'").arg(ctx, flap));
            def.rule.flapping.enabled = flap != QLatin1String("false");
        }
        if (const YAML::Node esc = r["escalate"]) {
            if (!esc.IsSequence()) {
                addIssue(line(esc), path + QStringLiteral(".escalate"),
                         QStringLiteral("'escalate' %1 must be a list of {above: N, severity: S} or {below: N, severity: S}").arg(ctx));
            } else {
                for (std::size_t k = 0; k < esc.size(); ++k) {
                    const YAML::Node e = esc[k];
                    const QString epath = path + QStringLiteral(".escalate[%1]").arg(k);
                    if (!e.IsMap()) {
                        addIssue(line(e), epath, QStringLiteral("each escalation %1 must be {above: N, severity: S}").arg(ctx));
                        continue;
                    }
                    checkKeys(e, {"above", "below", "severity"}, epath, ctx);
                    rules::SeverityStep step;
                    double t = 0;
                    if (number(e, "above", epath, &t, ctx)) {
                        step.comparison = rules::Comparison::Above;
                    } else if (number(e, "below", epath, &t, ctx)) {
                        step.comparison = rules::Comparison::Below;
                    } else {
                        addIssue(line(e), epath, QStringLiteral("an escalation %1 needs 'above' or 'below'").arg(ctx));
                        continue;
                    }
                    step.threshold = t;
                    if (!e["severity"]) {
                        addIssue(line(e), epath, QStringLiteral("an escalation %1 needs 'severity'").arg(ctx));
                        continue;
                    }
                    if (severity(e, "severity", epath, &step.severity, ctx))
                        def.rule.escalations.append(step);
                }
            }
        }
        stringMap(r, "labels", path, &def.rule.labels, ctx);
        stringMap(r, "annotations", path, &def.rule.annotations, ctx);
        if (const YAML::Node n = r["notify"]) {
            if (n.IsScalar()) {
                def.notify << QString::fromStdString(n.Scalar());
            } else if (n.IsSequence()) {
                for (std::size_t k = 0; k < n.size(); ++k)
                    if (n[k].IsScalar())
                        def.notify << QString::fromStdString(n[k].Scalar());
            } else {
                addIssue(line(n), path + QStringLiteral(".notify"), QStringLiteral("'notify' %1 must be a list of notifier names").arg(ctx));
            }
        }
        for (qsizetype i = issuesBefore; i < m_ws.issues.size(); ++i)
            if (m_ws.issues[i].severity == WorkspaceIssue::Severity::Error)
                ok = false;
        addRule(std::move(def), ok, path);
    }

    void addRule(RuleDef def, bool ok, const QString &path)
    {
        for (const QString &problem : def.rule.validate()) {
            addIssue(def.line, path, problem);
            ok = false;
        }
        for (const RuleDef &other : m_ws.rules) {
            if (other.rule.name == def.rule.name && other.group == def.group) {
                // Prometheus allows it; two instances with one identity would fight over acks.
                addIssue(def.line, path, QStringLiteral("rule %1 is declared twice in group '%2' (the first is at %3:%4); names must be unique within a group")
                             .arg(def.rule.name, def.group, QFileInfo(other.file).fileName()).arg(other.line));
                ok = false;
            }
        }
        if (ok)
            m_ws.rules.append(std::move(def));
    }

    // Prometheus' own rule-file format.
    void parsePrometheusRuleFile(const YAML::Node &root)
    {
        if (!root.IsMap() || !root["groups"]) {
            addIssue(line(root), {}, QStringLiteral("a Prometheus rule file needs a top-level 'groups' list"));
            return;
        }
        checkKeys(root, {"groups"}, {}, QStringLiteral("at the top level of a rule file"));
        const YAML::Node groups = root["groups"];
        if (!groups.IsSequence()) {
            addIssue(line(groups), QStringLiteral("groups"), QStringLiteral("'groups' must be a list of groups"));
            return;
        }
        for (std::size_t i = 0; i < groups.size(); ++i) {
            const YAML::Node g = groups[i];
            const QString path = QStringLiteral("groups[%1]").arg(i);
            if (!g.IsMap()) {
                addIssue(line(g), path, QStringLiteral("each group must be a mapping with name and rules"));
                continue;
            }
            QString name;
            if (!scalar(g, "name", path, &name, true, QStringLiteral("in group %1").arg(i + 1)))
                continue;
            const QString ctx = QStringLiteral("in group %1").arg(name);
            checkKeys(g, {"name", "interval", "rules", "limit", "query_offset"}, path, ctx);
            qint64 interval = m_ws.evaluationIntervalMs;
            duration(g, "interval", path, &interval, ctx);
            const YAML::Node rs = g["rules"];
            if (!rs || !rs.IsSequence()) {
                addIssue(line(g), path + QStringLiteral(".rules"), QStringLiteral("group %1 needs a list 'rules'").arg(name));
                continue;
            }
            for (std::size_t j = 0; j < rs.size(); ++j) {
                const YAML::Node r = rs[j];
                const QString rpath = path + QStringLiteral(".rules[%1]").arg(j);
                if (!r.IsMap()) {
                    addIssue(line(r), rpath, QStringLiteral("each rule %1 must be a mapping with alert and expr").arg(ctx));
                    continue;
                }
                if (r["record"]) {
                    addIssue(line(r), rpath, QStringLiteral("recording rule '%1' %2 skipped: Vigil evaluates alerting rules only")
                                 .arg(QString::fromStdString(r["record"].IsScalar() ? r["record"].Scalar() : std::string()), ctx),
                             WorkspaceIssue::Severity::Warning);
                    continue;
                }
                RuleDef def;
                def.group = name;
                def.intervalMs = interval;
                def.file = m_file;
                def.line = line(r);
                if (!scalar(r, "alert", rpath, &def.rule.name, true, ctx))
                    continue;
                const QString rctx = QStringLiteral("in rule %1").arg(def.rule.name);
                checkKeys(r, {"alert", "expr", "for", "keep_firing_for", "labels", "annotations"}, rpath, rctx);
                bool ok = scalar(r, "expr", rpath, &def.rule.query, true, rctx);
                def.rule.query = def.rule.query.trimmed();
                def.rule.condition = rules::Condition::returnsAnything();
                // Prometheus semantics: a series missing from the result is resolved at once.
                def.rule.noDataPolicy = rules::StatePolicy::Ok;
                def.rule.resolveMissingAfterMs = 0;
                durationOrZero(r, "for", rpath, &def.rule.forMs, rctx);
                durationOrZero(r, "keep_firing_for", rpath, &def.rule.keepFiringForMs, rctx);
                stringMap(r, "labels", rpath, &def.rule.labels, rctx);
                stringMap(r, "annotations", rpath, &def.rule.annotations, rctx);
                for (const auto &[k, v] : def.rule.labels) {
                    if (k == QLatin1String("severity")) {
                        if (auto sv = rules::severityFromString(v))
                            def.rule.severity = *sv;
                    }
                }
                addRule(std::move(def), ok, rpath);
            }
        }
    }

    void parseRuleFiles(const YAML::Node &node)
    {
        if (!node.IsSequence()) {
            addIssue(line(node), QStringLiteral("rule_files"), QStringLiteral("'rule_files' must be a list of paths to Prometheus rule files"));
            return;
        }
        const QDir base = QFileInfo(m_ws.path).absoluteDir();
        for (std::size_t i = 0; i < node.size(); ++i) {
            if (!node[i].IsScalar())
                continue;
            const QString rel = expandEnvironment(QString::fromStdString(node[i].Scalar()));
            const QString file = QDir::cleanPath(QDir::isAbsolutePath(rel) ? rel : base.absoluteFilePath(rel));
            if (!m_ws.ruleFiles.contains(file))
                m_ws.ruleFiles << file;
            QFile f(file);
            if (!f.open(QIODevice::ReadOnly)) {
                addIssue(line(node[i]), QStringLiteral("rule_files[%1]").arg(i),
                         QStringLiteral("cannot open rule file %1: %2").arg(file, f.errorString()));
                continue;
            }
            const QByteArray text = f.read(16 * 1024 * 1024);
            parseRuleFileText(text, file);
        }
    }

    void parseRuleFileText(const QByteArray &text, const QString &file)
    {
        const QString saved = m_file;
        m_file = file;
        try {
            parsePrometheusRuleFile(YAML::Load(text.toStdString()));
        } catch (const YAML::ParserException &e) {
            addIssue(e.mark.line + 1, {}, QStringLiteral("YAML syntax error: %1").arg(QString::fromStdString(e.msg)));
        } catch (const YAML::Exception &e) {
            addIssue(0, {}, QStringLiteral("cannot read the rule file as YAML: %1").arg(QString::fromStdString(e.what())));
        }
        m_file = saved;
    }

    void parseNotifiers(const YAML::Node &node)
    {
        if (!node.IsMap()) {
            addIssue(line(node), QStringLiteral("notifiers"),
                     QStringLiteral("'notifiers' must map names to notifiers, e.g. oncall-slack: { kind: slack, webhook_secret: slack-oncall }"));
            return;
        }
        for (auto it = node.begin(); it != node.end(); ++it) {
            NotifierDef n;
            n.name = QString::fromStdString(it->first.Scalar());
            n.line = line(it->first);
            const QString path = QStringLiteral("notifiers.") + n.name;
            const QString ctx = QStringLiteral("in notifier '%1'").arg(n.name);
            const YAML::Node v = it->second;
            if (!v.IsMap()) {
                addIssue(n.line, path, QStringLiteral("notifier '%1' must be a mapping with at least 'kind'").arg(n.name));
                continue;
            }
            if (!scalar(v, "kind", path, &n.kind, true, ctx))
                continue;
            bool ok = true;
            for (auto o = v.begin(); o != v.end(); ++o) {
                const QString key = QString::fromStdString(o->first.Scalar());
                if (key == QLatin1String("kind"))
                    continue;
                if (!o->second.IsScalar()) {
                    addIssue(line(o->second), path + u'.' + key, QStringLiteral("'%1' %2 must be a single value").arg(key, ctx));
                    continue;
                }
                const QString value = expandEnvironment(QString::fromStdString(o->second.Scalar()));
                if (key == QLatin1String("send_resolved")) {
                    if (value != QLatin1String("true") && value != QLatin1String("false"))
                        addIssue(line(o->second), path + u'.' + key,
                                 QStringLiteral("'send_resolved' %1 must be true or false, not '%2'").arg(ctx, value));
                    else
                        n.sendResolved = value == QLatin1String("true");
                } else if (key.endsWith(QLatin1String("_secret"))) {
                    n.secrets.insert(key.chopped(7), value); // webhook_secret -> webhook
                } else if (key == QLatin1String("webhook_url") || key == QLatin1String("token") || key == QLatin1String("password")
                           || value.startsWith(QLatin1String("https://hooks.slack.com/"))) {
                    addIssue(line(o->second), path + u'.' + key,
                             QStringLiteral("'%1' %2 would put a secret in the workspace file; store it in the keychain and name it with '%3_secret'")
                                 .arg(key, ctx, key == QLatin1String("webhook_url") ? QStringLiteral("webhook") : key));
                    ok = false;
                } else {
                    n.options.insert(key, value);
                }
            }
            if (ok)
                m_ws.notifiers.append(n);
        }
    }

    // `detector: page-hinkley`, `query: ...`, `params: { threshold: 20 }`:
    // checked here with the detector's own names and ranges, so a typo is a
    // workspace error with its line, not a monitor that never runs.
    void parseDetector(const YAML::Node &d, const QString &path, const QString &ctx, DriftDef &def)
    {
        scalar(d, "detector", path, &def.detector, true, ctx);
        scalar(d, "query", path, &def.query, true, ctx);
        duration(d, "hold", path, &def.holdMs, ctx);
        if (d["histogram"])
            addIssue(line(d["histogram"]), path + QStringLiteral(".histogram"),
                     QStringLiteral("drift monitor '%1' has both 'detector' and 'histogram': a monitor is one or the other").arg(def.name));
        if (const YAML::Node params = d["params"]) {
            if (!params.IsMap()) {
                addIssue(line(params), path + QStringLiteral(".params"),
                         QStringLiteral("'params' %1 must be a mapping, e.g. { threshold: 20 }").arg(ctx));
            } else {
                for (auto it = params.begin(); it != params.end(); ++it)
                    if (it->second.IsScalar())
                        def.detectorParams.insert(QString::fromStdString(it->first.as<std::string>()),
                                                  QString::fromStdString(it->second.Scalar()));
            }
        }
        if (!def.detector.isEmpty()) {
            QString error;
            if (!drift::makeDetector(def.detector, def.detectorParams, &error))
                addIssue(line(d), path + QStringLiteral(".detector"), QStringLiteral("%1 %2").arg(error, ctx));
        }
    }

    void parseDrift(const YAML::Node &node)
    {
        if (!node.IsSequence()) {
            addIssue(line(node), QStringLiteral("drift"),
                     QStringLiteral("'drift' must be a list of monitors (- name: ..., histogram: ...)"));
            return;
        }
        for (std::size_t i = 0; i < node.size(); ++i) {
            const YAML::Node d = node[i];
            const QString path = QStringLiteral("drift[%1]").arg(i);
            DriftDef def;
            def.line = line(d);
            if (!d.IsMap()) {
                addIssue(def.line, path, QStringLiteral("a drift monitor must be a mapping with name and histogram"));
                continue;
            }
            if (!scalar(d, "name", path, &def.name, true, QStringLiteral("in a drift monitor")))
                continue;
            const QString ctx = QStringLiteral("in drift monitor '%1'").arg(def.name);
            checkKeys(d, {"name", "connection", "histogram", "selector", "by", "window", "reference", "interval", "backfill",
                          "detector", "query", "params", "hold"}, path, ctx);
            const qsizetype before = m_ws.issues.size();
            if (d["detector"]) {
                parseDetector(d, path, ctx, def);
            } else {
                scalar(d, "histogram", path, &def.histogram, true, ctx);
            }
            if (def.histogram.endsWith(QLatin1String("_bucket")))
                def.histogram.chop(7);
            scalar(d, "selector", path, &def.selector, false, ctx);
            scalar(d, "connection", path, &def.connection, false, ctx);
            if (const YAML::Node by = d["by"]) {
                if (by.IsSequence()) {
                    def.by.clear();
                    for (std::size_t k = 0; k < by.size(); ++k)
                        if (by[k].IsScalar())
                            def.by << QString::fromStdString(by[k].Scalar());
                } else {
                    addIssue(line(by), path + QStringLiteral(".by"), QStringLiteral("'by' %1 must be a list of label names").arg(ctx));
                }
            }
            duration(d, "window", path, &def.windowMs, ctx);
            duration(d, "interval", path, &def.intervalMs, ctx);
            duration(d, "backfill", path, &def.backfillMs, ctx);
            if (const YAML::Node ref = d["reference"]) {
                const QString rpath = path + QStringLiteral(".reference");
                if (!ref.IsMap()) {
                    addIssue(line(ref), rpath, QStringLiteral("'reference' %1 must be { offset: 7d } or { from: TIME, to: TIME }").arg(ctx));
                } else {
                    checkKeys(ref, {"offset", "from", "to"}, rpath, ctx);
                    duration(ref, "offset", rpath, &def.referenceOffsetMs, ctx);
                    QString from, to;
                    const bool hasFrom = scalar(ref, "from", rpath, &from, false, ctx);
                    const bool hasTo = scalar(ref, "to", rpath, &to, false, ctx);
                    if (hasFrom || hasTo) {
                        const QDateTime f = QDateTime::fromString(from, Qt::ISODate);
                        const QDateTime t = QDateTime::fromString(to, Qt::ISODate);
                        if (!f.isValid() || !t.isValid() || f >= t)
                            addIssue(line(ref), rpath, QStringLiteral("'reference' %1 needs 'from' and 'to' as RFC 3339 times (2026-11-01T00:00:00Z), from before to").arg(ctx));
                        else {
                            def.referenceFromMs = f.toMSecsSinceEpoch();
                            def.referenceToMs = t.toMSecsSinceEpoch();
                        }
                    }
                }
            }
            if (!def.connection.isEmpty() && !m_ws.connection(def.connection))
                addIssue(line(d), path + QStringLiteral(".connection"),
                         QStringLiteral("drift monitor '%1' uses connection '%2', which is not defined under 'connections'").arg(def.name, def.connection));
            bool ok = true;
            for (qsizetype k = before; k < m_ws.issues.size(); ++k)
                ok &= m_ws.issues[k].severity != WorkspaceIssue::Severity::Error;
            if (ok)
                m_ws.drift.append(def);
        }
    }

    // Alertmanager's `route` (here `routes:`, the root route) and `inhibit_rules`.
    void parseRouting(const YAML::Node &routes, const YAML::Node &inhibit)
    {
        RouterConfig config;
        const qsizetype issuesBefore = m_ws.issues.size();
        if (routes) {
            m_ws.routesLine = line(routes);
            if (!routes.IsMap()) {
                addIssue(line(routes), QStringLiteral("routes"),
                         QStringLiteral("'routes' must be the root route, a mapping: receiver: NOTIFIER, group_by: [...], routes: [...]"));
                return;
            }
            parseRoute(routes, QStringLiteral("routes"), QStringLiteral("in the root route"), true, &config.root);
        } else {
            addIssue(line(inhibit), QStringLiteral("inhibit_rules"),
                     QStringLiteral("'inhibit_rules' needs a 'routes' section beside it (the root route names where alerts go)"));
            return;
        }
        if (inhibit) {
            if (!inhibit.IsSequence()) {
                addIssue(line(inhibit), QStringLiteral("inhibit_rules"),
                         QStringLiteral("'inhibit_rules' must be a list of rules (- source_matchers: [...], target_matchers: [...], equal: [...])"));
            } else {
                for (std::size_t i = 0; i < inhibit.size(); ++i) {
                    const YAML::Node r = inhibit[i];
                    const QString path = QStringLiteral("inhibit_rules[%1]").arg(i);
                    const QString ctx = QStringLiteral("in inhibit rule %1").arg(i + 1);
                    if (!r.IsMap()) {
                        addIssue(line(r), path, QStringLiteral("an inhibit rule must be a mapping with source_matchers, target_matchers and equal"));
                        continue;
                    }
                    checkKeys(r, {"source_matchers", "target_matchers", "equal"}, path, ctx);
                    InhibitRule rule;
                    matchers(r, "source_matchers", path, ctx, &rule.source);
                    matchers(r, "target_matchers", path, ctx, &rule.target);
                    stringList(r, "equal", path, ctx, &rule.equal);
                    if (rule.source.isEmpty() || rule.target.isEmpty()) {
                        addIssue(line(r), path, QStringLiteral("inhibit rule %1 needs both source_matchers and target_matchers").arg(i + 1));
                        continue;
                    }
                    config.inhibitRules.append(rule);
                }
            }
        }
        for (qsizetype i = issuesBefore; i < m_ws.issues.size(); ++i)
            if (m_ws.issues[i].severity == WorkspaceIssue::Severity::Error)
                return; // a half-read routing tree pages the wrong people: the default routing stays
        if (const QString e = config.validate(); !e.isEmpty()) {
            addIssue(m_ws.routesLine, QStringLiteral("routes"), e);
            return;
        }
        m_ws.routing = config;
    }

    void parseRoute(const YAML::Node &node, const QString &path, const QString &ctx, bool root, Route *out)
    {
        checkKeys(node, {"receiver", "matchers", "group_by", "group_wait", "group_interval", "repeat_interval", "continue", "routes"},
                  path, ctx);
        scalar(node, "receiver", path, &out->receiver, root, ctx);
        if (!out->receiver.isEmpty()) {
            QStringList known;
            for (const NotifierDef &n : m_ws.notifiers)
                known << n.name;
            if (!known.contains(out->receiver)) {
                const QString hint = nearestWord(out->receiver, known);
                addIssue(line(node["receiver"]), path + QStringLiteral(".receiver"),
                         QStringLiteral("receiver '%1' %2 is not defined under 'notifiers'%3").arg(out->receiver, ctx,
                             hint.isEmpty() ? QString() : QStringLiteral("; did you mean '%1'?").arg(hint)));
            }
        }
        if (root && node["matchers"])
            addIssue(line(node["matchers"]), path + QStringLiteral(".matchers"),
                     QStringLiteral("the root route matches every alert; put matchers on the routes under it"));
        else
            matchers(node, "matchers", path, ctx, &out->matchers);
        if (node["group_by"]) {
            QStringList groupBy;
            stringList(node, "group_by", path, ctx, &groupBy);
            out->groupBy = groupBy;
        }
        qint64 ms = 0;
        if (duration(node, "group_wait", path, &ms, ctx))
            out->groupWaitMs = ms;
        if (duration(node, "group_interval", path, &ms, ctx))
            out->groupIntervalMs = ms;
        if (duration(node, "repeat_interval", path, &ms, ctx))
            out->repeatIntervalMs = ms;
        QString cont;
        if (scalar(node, "continue", path, &cont, false, ctx)) {
            if (cont != QLatin1String("true") && cont != QLatin1String("false"))
                addIssue(line(node["continue"]), path + QStringLiteral(".continue"),
                         QStringLiteral("'continue' %1 must be true or false, not '%2'").arg(ctx, cont));
            out->continueMatching = cont == QLatin1String("true");
        }
        if (const YAML::Node children = node["routes"]) {
            if (!children.IsSequence()) {
                addIssue(line(children), path + QStringLiteral(".routes"),
                         QStringLiteral("'routes' %1 must be a list of routes (- matchers: [...], receiver: ...)").arg(ctx));
                return;
            }
            for (std::size_t i = 0; i < children.size(); ++i) {
                const QString cpath = path + QStringLiteral(".routes[%1]").arg(i);
                const YAML::Node c = children[i];
                if (!c.IsMap()) {
                    addIssue(line(c), cpath, QStringLiteral("a route must be a mapping (matchers, receiver, ...)"));
                    continue;
                }
                Route child;
                parseRoute(c, cpath, QStringLiteral("in route %1").arg(cpath), false, &child);
                out->routes.append(child);
            }
        }
    }

    void stringList(const YAML::Node &parent, const char *key, const QString &path, const QString &ctx, QStringList *out)
    {
        const YAML::Node n = parent[key];
        if (!n)
            return;
        if (n.IsScalar()) {
            *out << expandEnvironment(QString::fromStdString(n.Scalar()));
            return;
        }
        if (!n.IsSequence()) {
            addIssue(line(n), path + u'.' + QLatin1String(key), QStringLiteral("'%1' %2 must be a list").arg(QLatin1String(key), ctx));
            return;
        }
        for (std::size_t i = 0; i < n.size(); ++i) {
            if (!n[i].IsScalar()) {
                addIssue(line(n[i]), path + u'.' + QLatin1String(key),
                         QStringLiteral("'%1' %2 must be a list of single values").arg(QLatin1String(key), ctx));
                continue;
            }
            *out << expandEnvironment(QString::fromStdString(n[i].Scalar()));
        }
    }

    // Alertmanager's matcher strings: 'severity="page"', 'model=~"fraud.*"'.
    void matchers(const YAML::Node &parent, const char *key, const QString &path, const QString &ctx,
                  QList<rules::LabelMatcher> *out)
    {
        const YAML::Node n = parent[key];
        QStringList texts;
        stringList(parent, key, path, ctx, &texts);
        for (int i = 0; i < texts.size(); ++i) {
            QString error;
            const auto m = rules::LabelMatcher::parse(texts[i], &error);
            const YAML::Node at = n.IsSequence() && std::size_t(i) < n.size() ? n[std::size_t(i)] : n;
            if (!m) {
                addIssue(line(at), path + u'.' + QLatin1String(key),
                         QStringLiteral("matcher '%1' %2: %3 (write e.g. 'severity=\"page\"' or 'model=~\"fraud.*\"')")
                             .arg(texts[i], ctx, error));
                continue;
            }
            out->append(*m);
        }
    }

    void checkRuleReferences()
    {
        for (RuleDef &def : m_ws.rules) {
            if (!def.connection.isEmpty() && !m_ws.connection(def.connection) && def.connection != QLatin1String("vigil"))
                addIssue(def.line, QStringLiteral("rules"),
                         QStringLiteral("rule %1 uses connection '%2', which is not defined under 'connections'").arg(def.rule.name, def.connection));
            QStringList known;
            for (const NotifierDef &n : m_ws.notifiers)
                known << n.name;
            for (const QString &n : def.notify) {
                if (!known.contains(n)) {
                    const QString hint = nearestWord(n, known);
                    addIssue(def.line, QStringLiteral("rules"),
                             QStringLiteral("rule %1 notifies '%2', which is not defined under 'notifiers'%3").arg(def.rule.name, n,
                                 hint.isEmpty() ? QString() : QStringLiteral("; did you mean '%1'?").arg(hint)));
                }
            }
        }
    }

private:

    void parseConnections(const YAML::Node &node)
    {
        if (!node.IsMap()) {
            addIssue(line(node), QStringLiteral("connections"),
                     QStringLiteral("'connections' must map names to connections, e.g. prom: { kind: prometheus, url: ... }"));
            return;
        }
        for (auto it = node.begin(); it != node.end(); ++it) {
            ConnectionDef c;
            c.name = QString::fromStdString(it->first.Scalar());
            c.line = line(it->first);
            const QString path = QStringLiteral("connections.") + c.name;
            const QString ctx = QStringLiteral("in connection '%1'").arg(c.name);
            const YAML::Node v = it->second;
            if (!v.IsMap()) {
                addIssue(c.line, path, QStringLiteral("connection '%1' must be a mapping with at least kind and url").arg(c.name));
                continue;
            }
            checkKeys(v, {"kind", "url", "auth", "headers", "ca_file", "tls_verify", "timeout", "options"}, path, ctx);
            bool ok = scalar(v, "kind", path, &c.kind, true, ctx);
            const bool needsUrl = c.kind != QLatin1String("demo"); // the in-process fleet has no server
            if (!scalar(v, "url", path, &c.url, needsUrl, ctx) && (needsUrl || v["url"]))
                ok = false;
            if (!c.url.isEmpty() && !c.url.startsWith(QLatin1String("http://")) && !c.url.startsWith(QLatin1String("https://"))) {
                addIssue(line(v["url"]), path + QStringLiteral(".url"),
                         QStringLiteral("url %1 must start with http:// or https://, not '%2'").arg(ctx, c.url));
                ok = false;
            }
            if (const YAML::Node auth = v["auth"]) {
                const QString apath = path + QStringLiteral(".auth");
                if (!auth.IsMap()) {
                    addIssue(line(auth), apath, QStringLiteral("'auth' %1 must be a mapping").arg(ctx));
                } else {
                    // Plain secrets are known keys with their own message below.
                    checkKeys(auth, {"bearer_token_secret", "basic_user", "password_secret", "token", "bearer_token", "password"}, apath, ctx);
                    scalar(auth, "bearer_token_secret", apath, &c.bearerTokenSecret, false, ctx);
                    scalar(auth, "basic_user", apath, &c.basicUser, false, ctx);
                    scalar(auth, "password_secret", apath, &c.passwordSecret, false, ctx);
                    for (const char *plain : {"token", "bearer_token", "password"}) {
                        if (auth[plain])
                            addIssue(line(auth[plain]), apath + u'.' + QLatin1String(plain),
                                     QStringLiteral("'%1' %2 would put a secret in the workspace file; store it in the keychain and name it with '%1_secret'")
                                         .arg(QLatin1String(plain), ctx));
                    }
                }
            }
            if (const YAML::Node headers = v["headers"]) {
                if (!headers.IsMap()) {
                    addIssue(line(headers), path + QStringLiteral(".headers"), QStringLiteral("'headers' %1 must map header names to values").arg(ctx));
                } else {
                    for (auto h = headers.begin(); h != headers.end(); ++h)
                        c.headers.append({QString::fromStdString(h->first.Scalar()), QString::fromStdString(h->second.Scalar())});
                }
            }
            scalar(v, "ca_file", path, &c.caFile, false, ctx);
            QString tls;
            if (scalar(v, "tls_verify", path, &tls, false, ctx)) {
                if (tls != QLatin1String("true") && tls != QLatin1String("false"))
                    addIssue(line(v["tls_verify"]), path + QStringLiteral(".tls_verify"),
                             QStringLiteral("'tls_verify' %1 must be true or false, not '%2'").arg(ctx, tls));
                c.tlsVerify = tls != QLatin1String("false");
                // The insecure switch is explicit and never quiet: a warning here
                // reaches `vigil check`, the window's problem list and the log.
                if (!c.tlsVerify)
                    addIssue(line(v["tls_verify"]), path + QStringLiteral(".tls_verify"),
                             QStringLiteral("TLS certificates are not checked %1 (tls_verify: false): anyone on the "
                                            "network path can read or change its data and credentials. For a private "
                                            "CA, set ca_file instead").arg(ctx),
                             WorkspaceIssue::Severity::Warning);
            }
            qint64 timeout = 0;
            if (duration(v, "timeout", path, &timeout, ctx))
                c.timeoutMs = int(std::min<qint64>(timeout, 600'000));
            if (const YAML::Node options = v["options"])
                parseConnectionOptions(options, path + QStringLiteral(".options"), ctx, &c);
            if (ok)
                m_ws.connections.append(c);
        }
    }

    // thresholds: [ 0.5, { value: 1.0, label: critical } ]
    void parsePanelThresholds(const YAML::Node &list, const QString &path, const QString &ctx, PanelDef *panel)
    {
        if (!list.IsSequence()) {
            addIssue(line(list), path, QStringLiteral("'thresholds' %1 must be a list of numbers or { value, label }").arg(ctx));
            return;
        }
        for (std::size_t i = 0; i < list.size(); ++i) {
            const YAML::Node item = list[i];
            const QString ipath = QStringLiteral("%1[%2]").arg(path).arg(i);
            PanelThreshold t;
            QString text;
            if (item.IsScalar()) {
                text = QString::fromStdString(item.Scalar());
            } else if (item.IsMap()) {
                checkKeys(item, {"value", "label"}, ipath, ctx);
                if (!scalar(item, "value", ipath, &text, true, ctx))
                    continue;
                scalar(item, "label", ipath, &t.label, false, ctx);
            } else {
                addIssue(line(item), ipath, QStringLiteral("a threshold %1 must be a number or { value, label }").arg(ctx));
                continue;
            }
            bool ok = false;
            t.value = text.toDouble(&ok);
            if (!ok || !std::isfinite(t.value)) {
                addIssue(line(item), ipath, QStringLiteral("threshold %1 must be a number, not '%2'").arg(ctx, text));
                continue;
            }
            panel->thresholds.append(t);
        }
    }

    // options: { key: scalar } for the connection's plugin. The keys of the
    // built-in kinds are checked here (with "did you mean"); a third-party
    // plugin's options pass through for it to judge.
    void parseConnectionOptions(const YAML::Node &options, const QString &path, const QString &ctx, ConnectionDef *c)
    {
        if (!options.IsMap()) {
            addIssue(line(options), path, QStringLiteral("'options' %1 must be a mapping, e.g. { tenant: team-ml }").arg(ctx));
            return;
        }
        static const QHash<QString, QStringList> known = {
            {QStringLiteral("prometheus"), {QStringLiteral("tenant"), QStringLiteral("partial_response"), QStringLiteral("dedup"),
                                            QStringLiteral("split_interval"), QStringLiteral("max_concurrency")}},
            {QStringLiteral("mlflow"), {QStringLiteral("page_size"), QStringLiteral("max_pages")}},
            {QStringLiteral("demo"), {QStringLiteral("seed"), QStringLiteral("time_scale")}},
        };
        const auto allowed = known.constFind(c->kind);
        if (allowed != known.constEnd())
            checkKeys(options, *allowed, path, QStringLiteral("in the options of connection '%1'").arg(c->name));
        for (auto it = options.begin(); it != options.end(); ++it) {
            const QString key = QString::fromStdString(it->first.Scalar());
            if (allowed != known.constEnd() && !allowed->contains(key))
                continue;
            if (!it->second.IsScalar()) {
                addIssue(line(it->second), path + u'.' + key, QStringLiteral("option '%1' %2 must be a single value").arg(key, ctx));
                continue;
            }
            const QString text = QString::fromStdString(it->second.Scalar());
            bool isNumber = false;
            const double number = text.toDouble(&isNumber);
            if (text == QLatin1String("true") || text == QLatin1String("false"))
                c->options.insert(key, text == QLatin1String("true"));
            else if (isNumber && it->second.Tag() != "!")
                c->options.insert(key, number);
            else
                c->options.insert(key, text);
        }
    }

    // models: { NAME: { registry, metrics, version_label, version_value,
    // baseline, canary, interval, queries } } (issue 5, item 2). Runs after
    // parseConnections, so the connections it names can be checked.
    void parseModels(const YAML::Node &node)
    {
        if (!node.IsMap()) {
            addIssue(line(node), QStringLiteral("models"),
                     QStringLiteral("'models' must map model names to their registry and metrics, e.g. "
                                    "fraud-detector: { registry: registry, metrics: prom, version_label: version }"));
            return;
        }
        QStringList connectionNames;
        for (const ConnectionDef &c : m_ws.connections)
            connectionNames << c.name;
        const auto checkConnection = [&](const YAML::Node &v, const char *key, const QString &path, const QString &ctx,
                                         const QString &name, bool wantRegistry) {
            const ConnectionDef *c = m_ws.connection(name);
            const QString kpath = path + u'.' + QLatin1String(key);
            if (!c) {
                const QString hint = nearestWord(name, connectionNames);
                addIssue(line(v[key]), kpath,
                         QStringLiteral("'%1' %2 names connection '%3', which is not defined under 'connections'%4")
                             .arg(QLatin1String(key), ctx, name,
                                  hint.isEmpty() ? QString() : QStringLiteral("; did you mean '%1'?").arg(hint)));
                return false;
            }
            const bool isRegistry = c->kind == QLatin1String("mlflow");
            if (wantRegistry != isRegistry) {
                addIssue(line(v[key]), kpath,
                         wantRegistry ? QStringLiteral("'registry' %1 must name a model registry (kind mlflow), but '%2' is of kind %3")
                                            .arg(ctx, name, c->kind)
                                      : QStringLiteral("'metrics' %1 must name a time-series connection (prometheus, ...), but '%2' is of kind %3")
                                            .arg(ctx, name, c->kind));
                return false;
            }
            return true;
        };
        const QStringList queryKeys = compare::liveMetricKeys();
        for (auto it = node.begin(); it != node.end(); ++it) {
            ModelDef m;
            m.name = QString::fromStdString(it->first.Scalar());
            m.line = line(it->first);
            const QString path = QStringLiteral("models.") + m.name;
            const QString ctx = QStringLiteral("in model '%1'").arg(m.name);
            const YAML::Node v = it->second;
            if (!v.IsMap()) {
                addIssue(m.line, path,
                         QStringLiteral("model '%1' must be a mapping, e.g. { registry: registry, metrics: prom, version_label: version }")
                             .arg(m.name));
                continue;
            }
            checkKeys(v, {"registry", "metrics", "version_label", "version_value", "baseline", "canary", "interval", "queries"},
                      path, ctx);
            bool ok = true;
            if (scalar(v, "registry", path, &m.registry, false, ctx))
                ok = checkConnection(v, "registry", path, ctx, m.registry, true) && ok;
            if (scalar(v, "metrics", path, &m.metrics, false, ctx))
                ok = checkConnection(v, "metrics", path, ctx, m.metrics, false) && ok;
            if (scalar(v, "version_label", path, &m.versionLabel, false, ctx)) {
                static const QRegularExpression labelName(QStringLiteral("^[a-zA-Z_][a-zA-Z0-9_]*$"));
                if (!labelName.match(m.versionLabel).hasMatch()) {
                    addIssue(line(v["version_label"]), path + QStringLiteral(".version_label"),
                             QStringLiteral("'version_label' %1 must be a Prometheus label name (letters, digits, _), not '%2'")
                                 .arg(ctx, m.versionLabel));
                    ok = false;
                }
            }
            if (scalar(v, "version_value", path, &m.versionValue, false, ctx)
                && !m.versionValue.contains(QLatin1String("{{version}}"))) {
                addIssue(line(v["version_value"]), path + QStringLiteral(".version_value"),
                         QStringLiteral("'version_value' %1 must contain {{version}}, e.g. \"v{{version}}\"; '%2' would be the same for every version")
                             .arg(ctx, m.versionValue));
                ok = false;
            }
            scalar(v, "baseline", path, &m.baseline, false, ctx);
            scalar(v, "canary", path, &m.canary, false, ctx);
            duration(v, "interval", path, &m.intervalMs, ctx);
            if (const YAML::Node q = v["queries"]) {
                const QString qpath = path + QStringLiteral(".queries");
                if (!q.IsMap()) {
                    addIssue(line(q), qpath,
                             QStringLiteral("'queries' %1 must map metric keys (%2) to query templates").arg(ctx, queryKeys.join(QStringLiteral(", "))));
                    ok = false;
                } else {
                    checkKeys(q, queryKeys, qpath, ctx);
                    for (const QString &key : queryKeys) {
                        QString tmpl;
                        if (!scalar(q, key.toLatin1().constData(), qpath, &tmpl, false, ctx))
                            continue;
                        if (!tmpl.contains(QLatin1String("{{version}}")))
                            addIssue(line(q[key.toStdString()]), qpath + u'.' + key,
                                     QStringLiteral("query '%1' %2 has no {{version}}: every version would show the same series")
                                         .arg(key, ctx),
                                     WorkspaceIssue::Severity::Warning);
                        m.queries.insert(key, tmpl);
                    }
                }
            }
            if (ok)
                m_ws.models.append(m);
        }
    }

    void parseDashboards(const YAML::Node &node)
    {
        if (!node.IsSequence()) {
            addIssue(line(node), QStringLiteral("dashboards"), QStringLiteral("'dashboards' must be a list, each item starting with '- name: ...'"));
            return;
        }
        QStringList names;
        for (std::size_t i = 0; i < node.size(); ++i) {
            const YAML::Node d = node[i];
            const QString path = QStringLiteral("dashboards[%1]").arg(i);
            DashboardDef def;
            def.line = line(d);
            if (!d.IsMap()) {
                addIssue(def.line, path, QStringLiteral("dashboard %1 must be a mapping with name and panels").arg(i + 1));
                continue;
            }
            const QString ctx0 = QStringLiteral("in dashboard %1").arg(i + 1);
            if (!scalar(d, "name", path, &def.name, true, ctx0))
                continue;
            const QString ctx = QStringLiteral("in dashboard '%1'").arg(def.name);
            checkKeys(d, {"name", "columns", "panels"}, path, ctx);
            if (names.contains(def.name, Qt::CaseInsensitive)) {
                addIssue(def.line, path + QStringLiteral(".name"),
                         QStringLiteral("dashboard name '%1' is used twice; names must be unique").arg(def.name));
                continue;
            }
            names << def.name;
            integer(d, "columns", path, &def.columns, 1, 6, ctx);
            const YAML::Node panels = d["panels"];
            if (panels && !panels.IsSequence()) {
                addIssue(line(panels), path + QStringLiteral(".panels"), QStringLiteral("'panels' %1 must be a list").arg(ctx));
            } else if (panels) {
                for (std::size_t j = 0; j < panels.size(); ++j)
                    parsePanel(panels[j], path + QStringLiteral(".panels[%1]").arg(j), def);
            }
            m_ws.dashboards.append(def);
        }
    }

    void parsePanel(const YAML::Node &p, const QString &path, DashboardDef &dash)
    {
        PanelDef panel;
        panel.line = line(p);
        if (!p.IsMap()) {
            addIssue(panel.line, path, QStringLiteral("a panel in dashboard '%1' must be a mapping with title and query").arg(dash.name));
            return;
        }
        if (!scalar(p, "title", path, &panel.title, true, QStringLiteral("in a panel of dashboard '%1'").arg(dash.name)))
            return;
        const QString ctx = QStringLiteral("in panel '%1'").arg(panel.title);
        checkKeys(p, {"title", "query", "queries", "legend", "unit", "connection", "description", "thresholds"}, path, ctx);
        QString legend;
        scalar(p, "legend", path, &legend, false, ctx);
        scalar(p, "unit", path, &panel.unit, false, ctx);
        scalar(p, "description", path, &panel.description, false, ctx);
        scalar(p, "connection", path, &panel.connection, false, ctx);
        QString expr;
        if (scalar(p, "query", path, &expr, false, ctx))
            panel.queries.append({expr.trimmed(), legend});
        if (const YAML::Node qs = p["queries"]) {
            if (!qs.IsSequence()) {
                addIssue(line(qs), path + QStringLiteral(".queries"), QStringLiteral("'queries' %1 must be a list").arg(ctx));
            } else {
                for (std::size_t k = 0; k < qs.size(); ++k) {
                    const YAML::Node q = qs[k];
                    const QString qpath = path + QStringLiteral(".queries[%1]").arg(k);
                    if (q.IsScalar()) {
                        panel.queries.append({QString::fromStdString(q.Scalar()).trimmed(), legend});
                    } else if (q.IsMap()) {
                        checkKeys(q, {"expr", "legend"}, qpath, ctx);
                        PanelQuery pq{{}, legend};
                        if (scalar(q, "expr", qpath, &pq.expr, true, ctx)) {
                            scalar(q, "legend", qpath, &pq.legend, false, ctx);
                            pq.expr = pq.expr.trimmed();
                            panel.queries.append(pq);
                        }
                    } else {
                        addIssue(line(q), qpath, QStringLiteral("each query %1 must be a string or {expr, legend}").arg(ctx));
                    }
                }
            }
        }
        if (panel.queries.isEmpty()) {
            addIssue(panel.line, path, QStringLiteral("panel '%1' has no query: add 'query: <PromQL>'").arg(panel.title));
            return;
        }
        if (const YAML::Node th = p["thresholds"])
            parsePanelThresholds(th, path + QStringLiteral(".thresholds"), ctx, &panel);
        static const QStringList units{"", "s", "ms", "reqps", "percent", "percentunit", "bytes", "short", "replicas"};
        if (!units.contains(panel.unit)) {
            const QString hint = nearestWord(panel.unit, units);
            addIssue(line(p["unit"]), path + QStringLiteral(".unit"),
                     QStringLiteral("unknown unit '%1' %2%3").arg(panel.unit, ctx,
                         hint.isEmpty() ? QStringLiteral("; use one of s, ms, reqps, percent, percentunit, bytes, short")
                                        : QStringLiteral("; did you mean '%1'?").arg(hint)));
            panel.unit.clear();
        }
        if (!panel.connection.isEmpty() && !m_ws.connection(panel.connection) && panel.connection != QLatin1String("vigil")) {
            addIssue(line(p["connection"]), path + QStringLiteral(".connection"),
                     QStringLiteral("panel '%1' uses connection '%2', which is not defined under 'connections'").arg(panel.title, panel.connection));
            return;
        }
        dash.panels.append(panel);
    }

    Workspace &m_ws;
    QString m_file; // the file issues name: the workspace, or the rule file being read
};

} // namespace

Workspace parseWorkspace(const QByteArray &yaml, const QString &fileName)
{
    Workspace ws;
    ws.path = fileName;
    Parser(ws).parse(yaml);
    return ws;
}

QList<RuleDef> parsePrometheusRules(const QByteArray &yaml, const QString &fileName, QList<WorkspaceIssue> *issues,
                                    qint64 defaultIntervalMs)
{
    Workspace ws;
    ws.path = fileName;
    ws.evaluationIntervalMs = defaultIntervalMs;
    Parser(ws).parseRuleFileText(yaml, fileName);
    if (issues)
        *issues += ws.issues;
    return ws.rules;
}

Workspace loadWorkspace(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        Workspace ws;
        ws.path = path;
        ws.issues.append({WorkspaceIssue::Severity::Error, path, 0, {},
                          QStringLiteral("cannot open the workspace file %1: %2").arg(path, f.errorString())});
        return ws;
    }
    // Workspace files are small; refuse anything absurd rather than parse it.
    if (f.size() > 16 * 1024 * 1024) {
        Workspace ws;
        ws.path = path;
        ws.issues.append({WorkspaceIssue::Severity::Error, path, 0, {},
                          QStringLiteral("the workspace file %1 is %2 MB; the limit is 16 MB").arg(path).arg(f.size() / (1024 * 1024))});
        return ws;
    }
    return parseWorkspace(f.readAll(), path);
}

} // namespace vigil
