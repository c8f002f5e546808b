// SPDX-License-Identifier: GPL-3.0-or-later
#include "mlflow_request.h"

#include <QJsonArray>
#include <QUrl>

namespace vigil::mlflow {

namespace {

const QString kApi = QStringLiteral("/api/2.0/mlflow/");

QString api(const char *endpoint)
{
    return kApi + QLatin1String(endpoint);
}

using Items = QList<std::pair<QString, QString>>;

void addPaging(Items &items, const SearchOptions &options, int pageSize, const QString &pageToken)
{
    if (!options.filter.isEmpty())
        items.append({QStringLiteral("filter"), options.filter});
    if (pageSize > 0)
        items.append({QStringLiteral("max_results"), QString::number(pageSize)});
    for (const QString &order : options.orderBy)
        items.append({QStringLiteral("order_by"), order});
    if (!pageToken.isEmpty())
        items.append({QStringLiteral("page_token"), pageToken});
}

void addPaging(QJsonObject &body, const SearchOptions &options, int pageSize, const QString &pageToken)
{
    if (!options.filter.isEmpty())
        body.insert(QStringLiteral("filter"), options.filter);
    if (pageSize > 0)
        body.insert(QStringLiteral("max_results"), pageSize);
    if (!options.orderBy.isEmpty())
        body.insert(QStringLiteral("order_by"), QJsonArray::fromStringList(options.orderBy));
    if (!pageToken.isEmpty())
        body.insert(QStringLiteral("page_token"), pageToken);
}

ApiRequest get(const char *endpoint, const Items &items)
{
    return ApiRequest{api(endpoint), encodeQuery(items), std::nullopt};
}

} // namespace

QUrlQuery encodeQuery(const QList<std::pair<QString, QString>> &items)
{
    QStringList parts;
    parts.reserve(items.size());
    for (const auto &[key, value] : items)
        parts << QString::fromLatin1(QUrl::toPercentEncoding(key) + '=' + QUrl::toPercentEncoding(value));
    QUrlQuery query;
    // Already encoded: QUrlQuery keeps the escapes as they are.
    query.setQuery(parts.join(QLatin1Char('&')));
    return query;
}

ApiRequest buildSearchExperiments(const SearchOptions &options, int pageSize, const QString &pageToken)
{
    QJsonObject body;
    addPaging(body, options, pageSize, pageToken);
    if (!options.viewType.isEmpty())
        body.insert(QStringLiteral("view_type"), options.viewType);
    return ApiRequest{api("experiments/search"), {}, body};
}

ApiRequest buildSearchRegisteredModels(const SearchOptions &options, int pageSize, const QString &pageToken)
{
    Items items;
    addPaging(items, options, pageSize, pageToken);
    return get("registered-models/search", items);
}

ApiRequest buildGetRegisteredModel(const QString &name)
{
    return get("registered-models/get", {{QStringLiteral("name"), name}});
}

ApiRequest buildSearchModelVersions(const SearchOptions &options, int pageSize, const QString &pageToken)
{
    Items items;
    addPaging(items, options, pageSize, pageToken);
    return get("model-versions/search", items);
}

ApiRequest buildGetModelVersion(const QString &name, const QString &version)
{
    return get("model-versions/get", {{QStringLiteral("name"), name}, {QStringLiteral("version"), version}});
}

ApiRequest buildGetModelVersionByAlias(const QString &name, const QString &alias)
{
    return get("registered-models/alias", {{QStringLiteral("name"), name}, {QStringLiteral("alias"), alias}});
}

ApiRequest buildGetRun(const QString &runId)
{
    return get("runs/get", {{QStringLiteral("run_id"), runId}});
}

ApiRequest buildSearchRuns(const QStringList &experimentIds, const SearchOptions &options, int pageSize,
                           const QString &pageToken)
{
    QJsonObject body;
    body.insert(QStringLiteral("experiment_ids"), QJsonArray::fromStringList(experimentIds));
    addPaging(body, options, pageSize, pageToken);
    // runs/search calls the view type run_view_type (experiments/search: view_type).
    if (!options.viewType.isEmpty())
        body.insert(QStringLiteral("run_view_type"), options.viewType);
    return ApiRequest{api("runs/search"), {}, body};
}

ApiRequest buildGetMetricHistory(const QString &runId, const QString &key, const QString &pageToken)
{
    Items items{{QStringLiteral("run_id"), runId}, {QStringLiteral("metric_key"), key}};
    if (!pageToken.isEmpty())
        items.append({QStringLiteral("page_token"), pageToken});
    return get("metrics/get-history", items);
}

QString modelNameFilter(const QString &name)
{
    if (name.contains(QLatin1Char('\'')))
        return QStringLiteral("name=\"%1\"").arg(name);
    return QStringLiteral("name='%1'").arg(name);
}

// ---- the series mini-syntax ----

namespace {

class SelectorReader
{
public:
    explicit SelectorReader(const QString &text) : m_text(text) {}

    SelectorParse read()
    {
        SelectorParse out;
        skipSpace();
        const QString name = identifier();
        if (name != QLatin1String("mlflow_metric"))
            return fail(name.isEmpty() ? QStringLiteral("expected mlflow_metric{...} at the start")
                                       : QStringLiteral("unknown series \"%1\": the MLflow connector serves only mlflow_metric{...}").arg(name));
        skipSpace();
        if (!eat(QLatin1Char('{')))
            return fail(QStringLiteral("expected '{' after mlflow_metric"));
        QStringList seen;
        skipSpace();
        while (!eat(QLatin1Char('}'))) {
            if (!seen.isEmpty()) {
                if (!eat(QLatin1Char(',')))
                    return fail(QStringLiteral("expected ',' or '}' at position %1").arg(m_pos + 1));
                skipSpace();
                if (eat(QLatin1Char('}')))
                    break; // a trailing comma, as PromQL allows
            }
            const QString label = identifier();
            if (label.isEmpty())
                return fail(QStringLiteral("expected a label name at position %1").arg(m_pos + 1));
            skipSpace();
            if (peek() == QLatin1Char('!') || (peek() == QLatin1Char('=') && peek(1) == QLatin1Char('~')))
                return fail(QStringLiteral("only = matchers are supported (label %1)").arg(label));
            if (!eat(QLatin1Char('=')))
                return fail(QStringLiteral("expected '=' after %1").arg(label));
            skipSpace();
            QString value;
            if (!quoted(value))
                return fail(QStringLiteral("expected a value in double quotes for %1").arg(label));
            if (seen.contains(label))
                return fail(QStringLiteral("label %1 is given twice").arg(label));
            seen << label;
            if (label == QLatin1String("model"))
                out.selector.model = value;
            else if (label == QLatin1String("version"))
                out.selector.version = value;
            else if (label == QLatin1String("alias"))
                out.selector.alias = value;
            else if (label == QLatin1String("run_id"))
                out.selector.runId = value;
            else if (label == QLatin1String("key"))
                out.selector.key = value;
            else
                return fail(QStringLiteral("unknown label %1 (use model, version, alias, run_id and key)").arg(label));
            skipSpace();
        }
        skipSpace();
        if (m_pos < m_text.size())
            return fail(QStringLiteral("unexpected text after '}': \"%1\"").arg(m_text.mid(m_pos, 20)));

        const MetricSelector &s = out.selector;
        if (s.key.isEmpty())
            return fail(QStringLiteral("key=\"...\" (the metric's name in the run) is required"));
        const int ways = int(!s.runId.isEmpty()) + int(!s.version.isEmpty()) + int(!s.alias.isEmpty());
        if (ways != 1)
            return fail(QStringLiteral("name the run with exactly one of run_id, version or alias"));
        if (s.runId.isEmpty() && s.model.isEmpty())
            return fail(QStringLiteral("model=\"...\" is required with %1").arg(s.version.isEmpty() ? "alias" : "version"));
        return out;
    }

private:
    SelectorParse fail(const QString &why) const { return SelectorParse{{}, why}; }
    QChar peek(int ahead = 0) const
    {
        return m_pos + ahead < m_text.size() ? m_text.at(m_pos + ahead) : QChar();
    }
    bool eat(QChar c)
    {
        if (peek() != c)
            return false;
        ++m_pos;
        return true;
    }
    void skipSpace()
    {
        while (m_pos < m_text.size() && m_text.at(m_pos).isSpace())
            ++m_pos;
    }
    QString identifier()
    {
        const int start = m_pos;
        while (m_pos < m_text.size()) {
            const QChar c = m_text.at(m_pos);
            const bool ok = c == QLatin1Char('_') || (c.isLetter() && c.unicode() < 128) ||
                            (m_pos > start && c.isDigit());
            if (!ok)
                break;
            ++m_pos;
        }
        return m_text.mid(start, m_pos - start);
    }
    bool quoted(QString &value)
    {
        if (!eat(QLatin1Char('"')))
            return false;
        while (m_pos < m_text.size()) {
            const QChar c = m_text.at(m_pos++);
            if (c == QLatin1Char('"'))
                return true;
            if (c == QLatin1Char('\\')) {
                if (m_pos >= m_text.size())
                    return false;
                value.append(m_text.at(m_pos++));
            } else {
                value.append(c);
            }
        }
        return false; // no closing quote
    }

    const QString &m_text;
    int m_pos = 0;
};

} // namespace

SelectorParse parseMetricSelector(const QString &expr)
{
    return SelectorReader(expr).read();
}

} // namespace vigil::mlflow
