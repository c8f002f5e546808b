// SPDX-License-Identifier: GPL-3.0-or-later
#include "alerts_model.h"

#include "rules/alert_template.h"
#include "rules/rule.h"
#include "util/display_text.h"

#include <QColor>
#include <QDateTime>
#include <QFont>

namespace vigil::ui {

using rules::AlertState;

AlertsModel::AlertsModel(QObject *parent) : QAbstractTableModel(parent) {}

const alerting::AlertRow *AlertsModel::rowFor(const QString &fingerprint) const
{
    for (const auto &r : m_rows)
        if (r.instance.id.fingerprint == fingerprint)
            return &r;
    return nullptr;
}

void AlertsModel::setRows(const QList<alerting::AlertRow> &rows, qint64 nowMs)
{
    m_nowMs = nowMs;
    // The rule-level instance (no series) only matters when it is a problem.
    QList<alerting::AlertRow> incoming;
    incoming.reserve(rows.size());
    for (const auto &r : rows)
        if (!r.instance.id.series.labels().isEmpty() || r.instance.state != AlertState::Normal)
            incoming.append(r);
    bool sameKeys = incoming.size() == m_rows.size();
    for (int i = 0; sameKeys && i < incoming.size(); ++i)
        sameKeys = incoming[i].instance.id.fingerprint == m_rows[i].instance.id.fingerprint;
    if (sameKeys) {
        m_rows = incoming;
        if (!m_rows.isEmpty())
            Q_EMIT dataChanged(index(0, 0), index(int(m_rows.size()) - 1, ColumnCount - 1));
        return;
    }
    beginResetModel();
    m_rows = incoming;
    endResetModel();
}

QString AlertsModel::serverFingerprint(const QString &connection, const QString &fingerprint)
{
    return QStringLiteral("alertmanager/%1/%2").arg(connection, fingerprint);
}

alerting::AlertRow AlertsModel::fromServerAlert(const QString &connection, const ServerAlert &a)
{
    alerting::AlertRow row;
    const QString name = a.label(QStringLiteral("alertname"));
    Labels seriesLabels;
    for (const Label &l : a.labels) {
        if (l.first != QLatin1String("alertname"))
            seriesLabels.append(l);
    }
    row.instance.id.rule = name.isEmpty() ? QStringLiteral("(no alertname)") : name;
    row.instance.id.series = SeriesKey(QString(), seriesLabels);
    row.instance.id.fingerprint = serverFingerprint(connection, a.fingerprint);
    row.instance.state = AlertState::Firing; // the server holds it: it is open
    row.instance.severity = rules::severityFromString(a.label(QStringLiteral("severity"))).value_or(rules::Severity::Warning);
    row.instance.stateSinceMs = a.startsAtMs;
    row.instance.activeSinceMs = a.startsAtMs;
    row.labels = a.labels;
    row.summary = a.annotation(QStringLiteral("summary"));
    row.description = a.annotation(QStringLiteral("description"));
    for (const Label &l : a.annotations)
        row.annotations.append(rules::Annotation{l.first, l.second});
    row.condition = a.generatorUrl.isEmpty() ? QStringLiteral("held by Alertmanager")
                                             : QStringLiteral("held by Alertmanager, from %1").arg(a.generatorUrl);
    row.group = QStringLiteral("Alertmanager %1").arg(connection);
    row.source = row.group;
    row.serverState = toString(a.state);
    // Suppressed counts as silenced here: Alertmanager sends no notification.
    row.silencedBy = a.silencedBy + a.inhibitedBy;
    return row;
}

int AlertsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int AlertsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString AlertsModel::stateText(const alerting::AlertRow &row)
{
    const AlertState s = row.instance.state;
    if (s == AlertState::Normal)
        return QStringLiteral("Resolved");
    if (!row.silencedBy.isEmpty())
        return QStringLiteral("Silenced");
    if (row.ack)
        return QStringLiteral("Acknowledged");
    switch (s) {
    case AlertState::Pending: return QStringLiteral("Pending");
    case AlertState::Firing: return QStringLiteral("Firing");
    case AlertState::Recovering: return QStringLiteral("Recovering");
    case AlertState::NoData: return QStringLiteral("No data");
    case AlertState::Error: return QStringLiteral("Error");
    case AlertState::Normal: break;
    }
    return {};
}

bool AlertsModel::needsAttention(const alerting::AlertRow &row)
{
    return rules::isOpen(row.instance.state) && !row.ack && row.silencedBy.isEmpty();
}

QColor AlertsModel::severityColour(rules::Severity severity)
{
    switch (severity) {
    case rules::Severity::Info: return QColor(0x1e, 0x88, 0xe5);
    case rules::Severity::Warning: return QColor(0xf9, 0xa8, 0x25);
    case rules::Severity::Critical: return QColor(0xe5, 0x39, 0x35);
    case rules::Severity::Page: return QColor(0x8e, 0x24, 0xaa);
    }
    return Qt::gray;
}

QString AlertsModel::formatValue(double v)
{
    if (std::isnan(v))
        return {};
    // Four significant digits reads well for ratios (0.9362) and latencies
    // (0.4312); very large or tiny values get Prometheus' SI prefixes.
    const double a = std::fabs(v);
    if (a == 0 || (a >= 0.001 && a < 100'000))
        return QString::number(v, 'g', 4);
    return rules::humanize(v);
}

QString AlertsModel::since(qint64 sinceMs, qint64 nowMs)
{
    if (sinceMs <= 0)
        return {};
    const qint64 s = std::max<qint64>(0, (nowMs - sinceMs) / 1000);
    QString ago;
    if (s < 60)
        ago = QStringLiteral("%1s").arg(s);
    else if (s < 3600)
        ago = QStringLiteral("%1m %2s").arg(s / 60).arg(s % 60);
    else if (s < 86'400)
        ago = QStringLiteral("%1h %2m").arg(s / 3600).arg((s % 3600) / 60);
    else
        ago = QStringLiteral("%1d %2h").arg(s / 86'400).arg((s % 86'400) / 3600);
    return QStringLiteral("%1 (%2 ago)")
        .arg(QDateTime::fromMSecsSinceEpoch(sinceMs).toString(QStringLiteral("HH:mm:ss")), ago);
}

QVariant AlertsModel::data(const QModelIndex &index, int role) const
{
    const alerting::AlertRow *r = row(index.row());
    if (!r)
        return {};
    const auto &inst = r->instance;
    const qint64 sinceMs = inst.state == AlertState::Normal ? inst.stateSinceMs
                                                            : (inst.activeSinceMs ? inst.activeSinceMs : inst.stateSinceMs);
    switch (role) {
    case FingerprintRole: return inst.id.fingerprint;
    case StateRole: return int(inst.state);
    case AckedRole: return bool(r->ack);
    case SilencedRole: return !r->silencedBy.isEmpty();
    case SortRole:
        switch (index.column()) {
        case Severity: return int(inst.severity);
        case State: return int(inst.state);
        case Value: return inst.lastValue;
        case Since: return sinceMs;
        default: return data(index, Qt::DisplayRole);
        }
    case Qt::DisplayRole:
        switch (index.column()) {
        case Severity: return rules::toString(inst.severity);
        case State: return stateText(*r);
        case Alert: return inst.id.rule;
        // Label values and annotations come from servers: their control
        // characters are shown, not obeyed (see util/display_text.h).
        case Model: return visibleControls(r->label(QStringLiteral("model")));
        case Version: return visibleControls(r->label(QStringLiteral("version")));
        case Value: return formatValue(inst.lastValue);
        case Since: return since(sinceMs, m_nowMs);
        case Status: {
            QStringList parts;
            if (!r->serverState.isEmpty())
                parts << r->serverState;
            if (r->ack)
                parts << QStringLiteral("acked by %1").arg(r->ack->by);
            if (!r->silencedBy.isEmpty() && r->serverState.isEmpty())
                parts << QStringLiteral("silenced");
            if (inst.flapping)
                parts << QStringLiteral("flapping");
            if (!inst.lastError.isEmpty() && inst.state == AlertState::Error)
                parts << inst.lastError;
            return parts.join(QStringLiteral(", "));
        }
        case Summary: return visibleControls(r->summary.isEmpty() ? r->condition : r->summary);
        case Source: return r->source.isEmpty() ? QStringLiteral("Vigil") : r->source;
        }
        break;
    case Qt::ToolTipRole: {
        QStringList lines;
        lines << inst.id.toString();
        if (!r->description.isEmpty())
            lines << r->description;
        lines << QStringLiteral("Condition: %1").arg(r->condition);
        if (r->ack)
            lines << QStringLiteral("Acknowledged by %1%2").arg(r->ack->by,
                         r->ack->comment.isEmpty() ? QString() : QStringLiteral(": ") + r->ack->comment);
        // Label values in it: QToolTip would guess "<img src=x>" is HTML.
        return plainToolTip(lines.join(u'\n'));
    }
    case Qt::ForegroundRole:
        if (index.column() == Severity)
            return severityColour(inst.severity);
        if (inst.state == AlertState::Normal || r->ack || !r->silencedBy.isEmpty())
            return QColor(0x75, 0x75, 0x75); // handled or over: greyed
        break;
    case Qt::FontRole:
        if (needsAttention(*r)) {
            QFont f;
            f.setBold(true);
            return f;
        }
        break;
    case Qt::DecorationRole:
        if (index.column() == Severity)
            return severityColour(inst.severity);
        break;
    }
    return {};
}

QVariant AlertsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char *names[] = {"Severity", "State", "Alert", "Model", "Version", "Value", "Since", "Status", "Summary", "Source"};
    return section >= 0 && section < ColumnCount ? QString::fromLatin1(names[section]) : QVariant();
}

AlertsFilter::AlertsFilter(QObject *parent) : QSortFilterProxyModel(parent)
{
    setSortRole(AlertsModel::SortRole);
    setDynamicSortFilter(true);
}

QString AlertsFilter::viewName(View view)
{
    switch (view) {
    case View::Active: return QStringLiteral("Active");
    case View::Firing: return QStringLiteral("Firing");
    case View::Pending: return QStringLiteral("Pending");
    case View::Acknowledged: return QStringLiteral("Acknowledged");
    case View::Silenced: return QStringLiteral("Silenced");
    case View::Resolved: return QStringLiteral("Resolved");
    case View::All: return QStringLiteral("All");
    }
    return {};
}

void AlertsFilter::setView(View view)
{
    m_view = view;
    invalidateFilter();
}

void AlertsFilter::setText(const QString &text)
{
    m_text = text.trimmed();
    invalidateFilter();
}

bool AlertsFilter::filterAcceptsRow(int sourceRow, const QModelIndex &) const
{
    const auto *model = static_cast<const AlertsModel *>(sourceModel());
    const alerting::AlertRow *r = model->row(sourceRow);
    if (!r)
        return false;
    const AlertState s = r->instance.state;
    const bool acked = bool(r->ack);
    const bool silenced = !r->silencedBy.isEmpty();
    bool ok = true;
    switch (m_view) {
    case View::Active: ok = s != AlertState::Normal; break;
    case View::Firing: ok = rules::isOpen(s) && !acked && !silenced; break;
    case View::Pending: ok = s == AlertState::Pending; break;
    case View::Acknowledged: ok = acked && s != AlertState::Normal; break;
    case View::Silenced: ok = silenced && s != AlertState::Normal; break;
    case View::Resolved: ok = s == AlertState::Normal; break;
    case View::All: ok = true; break;
    }
    if (!ok || m_text.isEmpty())
        return ok;
    if (r->instance.id.rule.contains(m_text, Qt::CaseInsensitive) || r->summary.contains(m_text, Qt::CaseInsensitive))
        return true;
    for (const auto &[k, v] : r->labels)
        if (v.contains(m_text, Qt::CaseInsensitive) || QString(k + u'=' + v).contains(m_text, Qt::CaseInsensitive))
            return true;
    return false;
}

bool AlertsFilter::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    const QVariant a = left.data(AlertsModel::SortRole);
    const QVariant b = right.data(AlertsModel::SortRole);
    if (a.typeId() == QMetaType::QString)
        return QString::localeAwareCompare(a.toString(), b.toString()) < 0;
    return QVariant::compare(a, b) == QPartialOrdering::Less;
}

} // namespace vigil::ui
