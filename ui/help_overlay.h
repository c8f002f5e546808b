// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QWidget>

class QTableWidget;

namespace vigil::ui {

// ? or F1: every keyboard shortcut of the window, read from its actions and
// shortcuts (QAction text, QShortcut whatsThis), so the list cannot drift
// from what the keys do. Any key or click closes it.
class HelpOverlay : public QWidget
{
    Q_OBJECT
public:
    struct Row
    {
        QString group; // "Window", "Panel", "Alerts"
        QString keys;  // "Ctrl+K", "V / Return"
        QString description;
    };

    explicit HelpOverlay(QWidget *parent);
    // Collects the shortcuts of `root` and its children (each distinct one once).
    static QList<Row> collect(const QWidget *root);
    void popup();
    QList<Row> rows() const { return m_rows; }
    QTableWidget *table() const { return m_table; }

protected:
    void paintEvent(QPaintEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    QList<Row> m_rows;
    QWidget *m_card = nullptr;
    QTableWidget *m_table = nullptr;
};

} // namespace vigil::ui
