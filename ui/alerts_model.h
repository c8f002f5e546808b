// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "alerting/alert_engine.h"
#include "sources/server_alerts.h"

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>

namespace vigil::ui {

// The alerts as a table: one row per alert instance. Text only, never rich
// text: label values and server messages are shown as they are.
class AlertsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Severity, State, Alert, Model, Version, Value, Since, Status, Summary, Source, ColumnCount };
    enum Role { FingerprintRole = Qt::UserRole + 1, SortRole, StateRole, AckedRole, SilencedRole };

    explicit AlertsModel(QObject *parent = nullptr);

    // Keeps rows in place where the fingerprint is unchanged, so selection survives updates.
    void setRows(const QList<alerting::AlertRow> &rows, qint64 nowMs);
    const alerting::AlertRow *row(int r) const { return r >= 0 && r < m_rows.size() ? &m_rows[r] : nullptr; }
    const alerting::AlertRow *rowFor(const QString &fingerprint) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    // "Firing", "Acknowledged", ... : what the Status column and filters call a row.
    static QString stateText(const alerting::AlertRow &row);
    static QColor severityColour(rules::Severity severity);
    static QString since(qint64 sinceMs, qint64 nowMs);
    static QString formatValue(double value);
    // A server-side alert as a row: source "Alertmanager <connection>", open
    // (Firing) while the server holds it, Silenced when it is suppressed there,
    // its fingerprint prefixed so it never meets one of Vigil's own.
    static alerting::AlertRow fromServerAlert(const QString &connection, const ServerAlert &alert);
    static QString serverFingerprint(const QString &connection, const QString &fingerprint);
    // Firing (or NoData/Error/Recovering) and neither acknowledged nor silenced.
    static bool needsAttention(const alerting::AlertRow &row);

private:
    QList<alerting::AlertRow> m_rows;
    qint64 m_nowMs = 0;
};

// Filters by view (active, firing, pending, acknowledged, silenced, resolved,
// all) and by text (any label value, the rule, the summary).
class AlertsFilter : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    enum class View { Active, Firing, Pending, Acknowledged, Silenced, Resolved, All };
    explicit AlertsFilter(QObject *parent = nullptr);
    void setView(View view);
    void setText(const QString &text);
    static QString viewName(View view);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    View m_view = View::Active;
    QString m_text;
};

} // namespace vigil::ui
