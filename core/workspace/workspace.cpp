// SPDX-License-Identifier: GPL-3.0-or-later
#include "workspace/workspace.h"

#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <yaml-cpp/yaml.h>

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
    if (isNumber)
        return secs >= 0 ? qint64(secs * 1000) : -1;
    const auto m = re.match(t);
    if (!m.hasMatch())
        return -1;
    static const qint64 unit[] = {365LL * 86'400'000, 7LL * 86'400'000, 86'400'000, 3'600'000, 60'000, 1'000, 1};
    qint64 total = 0;
    for (int i = 0; i < 7; ++i)
        if (!m.captured(2 + 2 * i).isEmpty())
            total += m.captured(2 + 2 * i).toLongLong() * unit[i];
    return total;
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
    static const QRegularExpression re(QStringLiteral("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\\}"));
    QString out;
    qsizetype last = 0;
    for (auto it = re.globalMatch(text); it.hasNext();) {
        const auto m = it.next();
        out += text.mid(last, m.capturedStart() - last);
        const QString value = qEnvironmentVariable(m.captured(1).toUtf8().constData());
        out += value.isEmpty() ? m.captured(3) : value;
        last = m.capturedEnd();
    }
    return out + text.mid(last);
}

namespace {

class Parser
{
public:
    explicit Parser(Workspace &ws) : m_ws(ws) {}

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
        checkKeys(root, {"connections", "models", "dashboards", "rules", "notifiers", "routes", "settings"}, {},
                  QStringLiteral("at the top level"));
        if (auto s = root["settings"])
            parseSettings(s);
        if (auto c = root["connections"])
            parseConnections(c);
        if (auto d = root["dashboards"])
            parseDashboards(d);
        for (const char *later : {"models", "rules", "notifiers", "routes"}) {
            if (root[later])
                addIssue(line(root[later]), QString::fromLatin1(later),
                         QStringLiteral("section '%1' is recognised but not used by this version of Vigil yet").arg(QLatin1String(later)),
                         WorkspaceIssue::Severity::Warning);
        }
    }

private:
    static int line(const YAML::Node &n) { return n.Mark().line >= 0 ? n.Mark().line + 1 : 0; }

    void addIssue(int ln, QString key, QString message, WorkspaceIssue::Severity sev = WorkspaceIssue::Severity::Error)
    {
        m_ws.issues.append({sev, m_ws.path, ln, std::move(key), std::move(message)});
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
        checkKeys(s, {"refresh", "range"}, QStringLiteral("settings"), ctx);
        duration(s, "refresh", QStringLiteral("settings"), &m_ws.refreshMs, ctx);
        duration(s, "range", QStringLiteral("settings"), &m_ws.rangeMs, ctx);
    }

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
            checkKeys(v, {"kind", "url", "auth", "headers", "ca_file", "tls_verify", "timeout"}, path, ctx);
            bool ok = scalar(v, "kind", path, &c.kind, true, ctx);
            ok &= scalar(v, "url", path, &c.url, c.kind != QLatin1String("demo"), ctx);
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
            }
            qint64 timeout = 0;
            if (duration(v, "timeout", path, &timeout, ctx))
                c.timeoutMs = int(std::min<qint64>(timeout, 600'000));
            if (ok)
                m_ws.connections.append(c);
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
        checkKeys(p, {"title", "query", "queries", "legend", "unit", "connection", "description"}, path, ctx);
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
        static const QStringList units{"", "s", "ms", "reqps", "percent", "percentunit", "bytes", "short", "replicas"};
        if (!units.contains(panel.unit)) {
            const QString hint = nearestWord(panel.unit, units);
            addIssue(line(p["unit"]), path + QStringLiteral(".unit"),
                     QStringLiteral("unknown unit '%1' %2%3").arg(panel.unit, ctx,
                         hint.isEmpty() ? QStringLiteral("; use one of s, ms, reqps, percent, percentunit, bytes, short")
                                        : QStringLiteral("; did you mean '%1'?").arg(hint)));
            panel.unit.clear();
        }
        if (!panel.connection.isEmpty() && !m_ws.connection(panel.connection)) {
            addIssue(line(p["connection"]), path + QStringLiteral(".connection"),
                     QStringLiteral("panel '%1' uses connection '%2', which is not defined under 'connections'").arg(panel.title, panel.connection));
            return;
        }
        dash.panels.append(panel);
    }

    Workspace &m_ws;
};

} // namespace

Workspace parseWorkspace(const QByteArray &yaml, const QString &fileName)
{
    Workspace ws;
    ws.path = fileName;
    Parser(ws).parse(yaml);
    return ws;
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
