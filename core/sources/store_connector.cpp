// SPDX-License-Identifier: GPL-3.0-or-later
#include "sources/store_connector.h"

#include <QPromise>
#include <QRegularExpression>

namespace vigil {

bool SeriesSelector::matches(const SeriesKey &key) const
{
    if (!name.isEmpty() && key.name() != name)
        return false;
    for (const rules::LabelMatcher &m : matchers)
        if (!m.matches(key.labels()))
            return false;
    return true;
}

std::optional<SeriesSelector> SeriesSelector::parse(const QString &text, QString *error)
{
    auto fail = [&](qsizetype at, const QString &why) -> std::optional<SeriesSelector> {
        if (error)
            *error = QStringLiteral("at char %1: %2 (the vigil connection takes selectors such as "
                                    "vigil_drift_psi{model=\"spam-filter\"})").arg(at + 1).arg(why);
        return std::nullopt;
    };
    const QString t = text.trimmed();
    SeriesSelector s;
    static const QRegularExpression nameRe(QStringLiteral("^[A-Za-z_:][A-Za-z0-9_:]*"));
    const auto nm = nameRe.match(t);
    qsizetype i = 0;
    if (nm.hasMatch()) {
        s.name = nm.captured(0);
        i = nm.capturedEnd();
    }
    if (i == t.size()) {
        if (s.name.isEmpty())
            return fail(0, QStringLiteral("an empty query"));
        return s;
    }
    if (t[i] != u'{')
        return fail(i, QStringLiteral("expected '{' or the end after the metric name, found '%1'").arg(t[i]));
    if (!t.endsWith(u'}'))
        return fail(t.size() - 1, QStringLiteral("the selector does not end with '}'"));
    // Split the matchers on commas outside quotes.
    const QString body = t.mid(i + 1, t.size() - i - 2);
    QString current;
    bool quoted = false;
    QStringList parts;
    for (qsizetype k = 0; k < body.size(); ++k) {
        const QChar c = body[k];
        if (c == u'\\' && quoted && k + 1 < body.size()) {
            current += c;
            current += body[++k];
            continue;
        }
        if (c == u'"')
            quoted = !quoted;
        if (c == u',' && !quoted) {
            parts << current;
            current.clear();
            continue;
        }
        current += c;
    }
    if (quoted)
        return fail(t.size() - 1, QStringLiteral("a quoted value is not closed"));
    if (!current.trimmed().isEmpty())
        parts << current;
    for (const QString &p : parts) {
        if (p.trimmed().isEmpty())
            continue;
        QString why;
        auto m = rules::LabelMatcher::parse(p.trimmed(), &why);
        if (!m)
            return fail(i, why);
        if (m->name() == QLatin1String("__name__") && m->op() == rules::LabelMatcher::Op::Equal) {
            s.name = m->value();
            continue;
        }
        s.matchers << *m;
    }
    if (s.name.isEmpty() && s.matchers.isEmpty())
        return fail(0, QStringLiteral("a selector needs a name or a matcher"));
    return s;
}

StoreConnector::StoreConnector(const SeriesStore *store, ConnectionSettings settings, QObject *parent)
    : Connector(parent), m_store(store), m_settings(std::move(settings))
{
    if (m_settings.kind.isEmpty())
        m_settings.kind = QStringLiteral("vigil");
}

QueryResult StoreConnector::evaluate(const QueryRequest &request) const
{
    QString error;
    const auto selector = SeriesSelector::parse(request.expr, &error);
    if (!selector)
        return QueryResult::failure(ErrorKind::Server, QStringLiteral("%1: %2").arg(m_settings.name, error));
    QueryResult r;
    r.type = request.kind == QueryKind::Instant ? ResultType::Vector : ResultType::Matrix;
    const QList<SeriesKey> keys = selector->name.isEmpty() ? m_store->keys() : m_store->keysNamed(selector->name);
    for (const SeriesKey &key : keys) {
        if (!selector->matches(key))
            continue;
        if (request.kind == QueryKind::Instant) {
            const QList<Sample> window = m_store->range(key, request.timeMs - kLookbackMs, request.timeMs);
            if (!window.isEmpty())
                r.series.append({key, {window.last()}});
        } else {
            QList<Sample> samples = m_store->range(key, request.startMs, request.endMs);
            if (!samples.isEmpty())
                r.series.append({key, std::move(samples)});
        }
    }
    return r;
}

QFuture<QueryResult> StoreConnector::query(const QueryRequest &request)
{
    QPromise<QueryResult> p;
    p.start();
    p.addResult(evaluate(request));
    p.finish();
    return p.future();
}

QFuture<ProbeResult> StoreConnector::probe()
{
    QPromise<ProbeResult> p;
    p.start();
    ProbeResult r;
    r.message = QStringLiteral("Vigil's own series: %1 in memory").arg(m_store->seriesCount());
    p.addResult(r);
    p.finish();
    return p.future();
}

} // namespace vigil
