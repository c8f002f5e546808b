// SPDX-License-Identifier: GPL-3.0-or-later
#include "server_rules_view.h"
#include "theme.h"

#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMap>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace vigil::ui {

namespace {

int healthRank(RuleInfo::Health h)
{
    switch (h) {
    case RuleInfo::Health::Err: return 0;
    case RuleInfo::Health::Unknown: return 1;
    case RuleInfo::Health::Ok: return 2;
    }
    return 1;
}

QString ago(qint64 atMs, qint64 nowMs)
{
    if (atMs <= 0)
        return QStringLiteral("never");
    const qint64 s = std::max<qint64>(0, (nowMs - atMs) / 1000);
    if (s < 90)
        return QStringLiteral("%1 s ago").arg(s);
    if (s < 90 * 60)
        return QStringLiteral("%1 min ago").arg(s / 60);
    return QStringLiteral("%1 h ago").arg(s / 3600);
}

QString typeName(RuleInfo::Type t)
{
    return t == RuleInfo::Type::Alerting ? QStringLiteral("alerting") : QStringLiteral("recording");
}

} // namespace

ServerRulesView::ServerRulesView(Session *session, QWidget *parent) : QWidget(parent), m_session(session)
{
    setObjectName(QStringLiteral("serverRulesView"));
    auto *layout = new QVBoxLayout(this);
    auto *bar = new QHBoxLayout;
    auto *intro = new QLabel(QStringLiteral("Rules each Prometheus evaluates itself, read every %1 s. A broken rule "
                                            "never fires: its alert is silent however bad things get.")
                                 .arg(Session::kRuleStatusPollMs / 1000), this);
    intro->setTextFormat(Qt::PlainText);
    intro->setWordWrap(true);
    intro->setForegroundRole(QPalette::PlaceholderText);
    auto *refresh = new QPushButton(QStringLiteral("Refresh"), this);
    refresh->setObjectName(QStringLiteral("refreshServerRules"));
    refresh->setToolTip(QStringLiteral("Read the rules now (F5 refreshes everything)"));
    connect(refresh, &QPushButton::clicked, this, [this] { m_session->refreshRuleStatus(); });
    bar->addWidget(intro, 1);
    bar->addWidget(refresh);
    layout->addLayout(bar);

    m_banner = new QLabel(this);
    m_banner->setObjectName(QStringLiteral("serverRulesBanner"));
    m_banner->setTextFormat(Qt::PlainText);
    m_banner->setWordWrap(true);
    layout->addWidget(m_banner);
    m_errors = new QLabel(this);
    m_errors->setObjectName(QStringLiteral("serverRulesErrors"));
    m_errors->setTextFormat(Qt::PlainText);
    m_errors->setWordWrap(true);
    setErrorText(m_errors);
    m_errors->hide();
    layout->addWidget(m_errors);

    auto *split = new QSplitter(Qt::Vertical, this);
    m_table = new QTableWidget(0, ColumnCount, split);
    m_table->setObjectName(QStringLiteral("serverRulesTable"));
    m_table->setHorizontalHeaderLabels({QStringLiteral("Health"), QStringLiteral("Rule"), QStringLiteral("Type"),
                                        QStringLiteral("State"), QStringLiteral("Group"), QStringLiteral("Connection"),
                                        QStringLiteral("Last evaluation"), QStringLiteral("Took"),
                                        QStringLiteral("Last error")}); // last: it takes the room left
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->setWordWrap(false);
    // The last error takes the room left (its whole text in the tooltip and the details).
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(LastError, QHeaderView::Stretch);
    m_details = new QPlainTextEdit(split);
    m_details->setObjectName(QStringLiteral("serverRuleDetails"));
    m_details->setReadOnly(true);
    m_details->setPlaceholderText(QStringLiteral("Select a rule to see its query and its whole last error."));
    split->addWidget(m_table);
    split->addWidget(m_details);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    layout->addWidget(split, 1);
    connect(m_table, &QTableWidget::currentCellChanged, this, [this] { showDetails(); });

    connect(session, &Session::ruleStatusUpdated, this, &ServerRulesView::reload);
    reload();
}

QString ServerRulesView::formatSeconds(double seconds)
{
    if (seconds <= 0)
        return QStringLiteral("0");
    if (seconds < 1e-3)
        return QStringLiteral("%1 µs").arg(QString::number(seconds * 1e6, 'f', 0));
    if (seconds < 1.0)
        return QStringLiteral("%1 ms").arg(QString::number(seconds * 1e3, 'g', 3));
    return QStringLiteral("%1 s").arg(QString::number(seconds, 'g', 3));
}

QString ServerRulesView::brokenSummary(const QList<RuleGroupRow> &groups)
{
    QMap<QString, int> broken; // by connection, in name order
    for (const RuleGroupRow &g : groups) {
        for (const RuleInfo &r : g.group.rules)
            if (r.health == RuleInfo::Health::Err)
                ++broken[g.connection];
    }
    QStringList parts;
    for (auto it = broken.cbegin(); it != broken.cend(); ++it)
        parts << QStringLiteral("%1 %2 broken on %3").arg(it.value()).arg(it.value() == 1 ? QStringLiteral("rule") : QStringLiteral("rules"), it.key());
    return parts.join(QStringLiteral(" · "));
}

void ServerRulesView::reload()
{
    const int keep = m_table->currentRow();
    const QString keepKey = keep >= 0 && keep < m_entries.size()
                                ? m_entries.at(keep).connection + u'/' + m_entries.at(keep).group + u'/' + m_entries.at(keep).rule.name
                                : QString();
    const QList<RuleGroupRow> groups = m_session->ruleGroupRows();
    m_entries.clear();
    int total = 0, broken = 0;
    for (const RuleGroupRow &g : groups) {
        for (const RuleInfo &r : g.group.rules) {
            m_entries.append(Entry{g.connection, g.group.name, g.group.file, g.group.intervalS, r});
            ++total;
            broken += r.health == RuleInfo::Health::Err;
        }
    }
    // Broken first; otherwise as the server lists them (connection, group, file order).
    std::stable_sort(m_entries.begin(), m_entries.end(), [](const Entry &a, const Entry &b) {
        return healthRank(a.rule.health) < healthRank(b.rule.health);
    });

    const QString summary = brokenSummary(groups);
    if (broken > 0) {
        m_banner->setText(summary);
        m_banner->setStyleSheet(QStringLiteral("background: #f8d7da; color: #58151c; padding: 6px; font-weight: bold;"));
    } else if (total > 0) {
        m_banner->setText(QStringLiteral("All %1 rules are healthy").arg(total));
        m_banner->setStyleSheet(QStringLiteral("background: #d4edda; color: #155724; padding: 6px;"));
    } else {
        m_banner->setText(QStringLiteral("No rules read yet"));
        m_banner->setStyleSheet(QStringLiteral("padding: 6px;"));
    }
    QStringList errors;
    const QHash<QString, QString> e = m_session->ruleStatusErrors();
    for (auto it = e.cbegin(); it != e.cend(); ++it)
        errors << QStringLiteral("%1: %2").arg(it.key(), it.value()); // the message says what was being done
    errors.sort();
    m_errors->setText(errors.join(u'\n'));
    m_errors->setVisible(!errors.isEmpty());

    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const QColor brokenBackground(0xe5, 0x39, 0x35, 48); // a tint: readable under light and dark text
    m_table->setRowCount(int(m_entries.size()));
    int select = -1;
    for (int row = 0; row < m_entries.size(); ++row) {
        const Entry &en = m_entries.at(row);
        const RuleInfo &r = en.rule;
        QString lastError = r.lastError;
        lastError.replace(u'\n', u' ');
        const QStringList cells{toString(r.health), r.name, typeName(r.type), r.state, en.group, en.connection,
                                ago(r.lastEvaluationMs, now), formatSeconds(r.evaluationTimeS), lastError};
        for (int c = 0; c < ColumnCount; ++c) {
            auto *item = new QTableWidgetItem(cells.at(c)); // plain text: server text is never markup
            item->setToolTip(c == LastEvaluation && r.lastEvaluationMs > 0
                                 ? QDateTime::fromMSecsSinceEpoch(r.lastEvaluationMs).toString(Qt::ISODateWithMs)
                                 : cells.at(c));
            if (r.health == RuleInfo::Health::Err)
                item->setBackground(brokenBackground);
            m_table->setItem(row, c, item);
        }
        if (r.health == RuleInfo::Health::Err) {
            QFont f = m_table->item(row, Health)->font();
            f.setBold(true);
            m_table->item(row, Health)->setFont(f);
            m_table->item(row, Health)->setForeground(QColor(0xc6, 0x28, 0x28));
        }
        if (!keepKey.isEmpty() && en.connection + u'/' + en.group + u'/' + r.name == keepKey)
            select = row;
    }
    if (select < 0 && !m_entries.isEmpty())
        select = 0;
    if (select >= 0)
        m_table->setCurrentCell(select, 0);
    showDetails();
    if (broken != m_broken) {
        m_broken = broken;
        Q_EMIT brokenCountChanged(broken, summary);
    }
}

int ServerRulesView::rowFor(const QString &name) const
{
    for (int r = 0; r < m_entries.size(); ++r) {
        if (m_entries.at(r).rule.name == name)
            return r;
    }
    return -1;
}

QString ServerRulesView::detailsText() const
{
    return m_details->toPlainText();
}

void ServerRulesView::showDetails()
{
    const int row = m_table->currentRow();
    if (row < 0 || row >= m_entries.size()) {
        m_details->clear();
        return;
    }
    const Entry &en = m_entries.at(row);
    const RuleInfo &r = en.rule;
    QStringList lines;
    lines << QStringLiteral("%1 (%2 rule) in group %3 on %4").arg(r.name, typeName(r.type), en.group, en.connection);
    lines << QStringLiteral("Health: %1%2").arg(toString(r.health), r.state.isEmpty() ? QString() : QStringLiteral(", state %1").arg(r.state));
    if (!r.lastError.isEmpty())
        lines << QStringLiteral("Last error: %1").arg(r.lastError);
    lines << QStringLiteral("Query: %1").arg(r.query);
    if (r.type == RuleInfo::Type::Alerting && r.durationS > 0)
        lines << QStringLiteral("For: %1 s").arg(r.durationS);
    lines << QStringLiteral("Last evaluation: %1, took %2")
                 .arg(r.lastEvaluationMs > 0 ? QDateTime::fromMSecsSinceEpoch(r.lastEvaluationMs).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))
                                             : QStringLiteral("never"),
                      formatSeconds(r.evaluationTimeS));
    lines << QStringLiteral("Group file: %1, evaluated every %2 s").arg(en.file).arg(en.intervalS);
    if (!r.labels.isEmpty()) {
        QStringList ls;
        for (const auto &[k, v] : r.labels)
            ls << k + u'=' + quoteMatcherValue(v);
        lines << QStringLiteral("Labels: %1").arg(ls.join(QStringLiteral(", ")));
    }
    if (r.type == RuleInfo::Type::Alerting)
        lines << QStringLiteral("Alerts held: %1").arg(r.alerts.size());
    m_details->setPlainText(lines.join(u'\n'));
}

} // namespace vigil::ui
