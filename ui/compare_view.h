// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "compare/compare_loader.h"

#include <QWidget>

class QLabel;
class QLineEdit;
class QGridLayout;
class QTableWidget;

namespace vigil::ui {

// Model versions side by side (issue 5, item 3). Columns are versions, the
// first the baseline; rows are registry facts, run params (differences
// highlighted), offline metrics and live metrics over the window (deltas
// against the baseline coloured better/worse), then the canary verdict of
// each other column with its evidence. It shows a CompareSnapshot; the
// loader (core/compare) fetches it, the judge decides. Server and label text
// is shown as plain text only.
class CompareView : public QWidget
{
    Q_OBJECT
public:
    explicit CompareView(const QString &model, QWidget *parent = nullptr);

    void setRefs(const QStringList &refs);
    QStringList refs() const;
    void setLoading(const QString &what);
    void setSnapshot(const vigil::compare::CompareSnapshot &snapshot);
    const vigil::compare::CompareSnapshot &snapshot() const { return m_snapshot; }
    bool hasSnapshot() const { return m_hasSnapshot; }

    QTableWidget *table() const { return m_table; }
    QLabel *summary() const { return m_summary; }
    // The overlaid charts below the table: one per live metric, a line per version.
    QList<QWidget *> charts() const { return m_charts; }
    // The row whose first cell reads `title` (section rows included); -1 if none.
    int rowOf(const QString &title) const;

    // "better" / "worse" / "" for a cell: how its delta is coloured.
    static QString cellTone(const QTableWidget *table, int row, int column);

Q_SIGNALS:
    // The user asked for these versions or aliases (Enter or the button).
    void compareRequested(const QStringList &refs);

private:
    void rebuild();
    void rebuildCharts();

    QString m_model;
    QLabel *m_title = nullptr;
    QLineEdit *m_refs = nullptr;
    QLabel *m_summary = nullptr;
    QTableWidget *m_table = nullptr;
    QWidget *m_chartArea = nullptr;
    QGridLayout *m_chartGrid = nullptr;
    QList<QWidget *> m_charts;
    vigil::compare::CompareSnapshot m_snapshot;
    bool m_hasSnapshot = false;
};

} // namespace vigil::ui
