// SPDX-License-Identifier: GPL-3.0-or-later
#include "server_silences_view.h"
#include "theme.h"

#include <QCheckBox>
#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QShortcut>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace vigil::ui {

namespace {

int stateRank(SilenceState s)
{
    switch (s) {
    case SilenceState::Active: return 0;
    case SilenceState::Pending: return 1;
    case SilenceState::Unknown: return 2;
    case SilenceState::Expired: return 3;
    }
    return 2;
}

QString when(qint64 ms)
{
    if (ms <= 0)
        return {};
    const QDateTime t = QDateTime::fromMSecsSinceEpoch(ms);
    // Today's times without the date: what an on-call screen reads at a glance.
    return t.date() == QDate::currentDate() ? t.toString(QStringLiteral("HH:mm")) : t.toString(QStringLiteral("yyyy-MM-dd HH:mm"));
}

} // namespace

ServerSilencesView::ServerSilencesView(Session *session, QWidget *parent) : QWidget(parent), m_session(session)
{
    setObjectName(QStringLiteral("serverSilencesView"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *bar = new QHBoxLayout;
    auto *intro = new QLabel(QStringLiteral("Silences held by Alertmanager: they apply to every alert it routes, "
                                            "whoever created them."), this);
    intro->setTextFormat(Qt::PlainText);
    intro->setForegroundRole(QPalette::PlaceholderText);
    m_showExpired = new QCheckBox(QStringLiteral("Show expired"), this);
    m_showExpired->setObjectName(QStringLiteral("showExpiredSilences"));
    m_showExpired->setChecked(true);
    connect(m_showExpired, &QCheckBox::toggled, this, &ServerSilencesView::reload);
    auto *add = new QPushButton(QStringLiteral("New silence…"), this);
    add->setObjectName(QStringLiteral("newServerSilence"));
    add->setToolTip(QStringLiteral("Create a silence on Alertmanager (N)"));
    connect(add, &QPushButton::clicked, this, &ServerSilencesView::newSilenceRequested);
    auto *expire = new QPushButton(QStringLiteral("Expire…"), this);
    expire->setObjectName(QStringLiteral("expireServerSilence"));
    expire->setToolTip(QStringLiteral("End the selected silence now (Delete)"));
    connect(expire, &QPushButton::clicked, this, &ServerSilencesView::expireSelected);
    bar->addWidget(intro, 1);
    bar->addWidget(m_showExpired);
    bar->addWidget(add);
    bar->addWidget(expire);
    layout->addLayout(bar);

    m_errors = new QLabel(this);
    m_errors->setObjectName(QStringLiteral("serverSilencesErrors"));
    m_errors->setTextFormat(Qt::PlainText);
    m_errors->setWordWrap(true);
    setErrorText(m_errors);
    m_errors->hide();
    layout->addWidget(m_errors);

    m_table = new QTableWidget(0, ColumnCount, this);
    m_table->setObjectName(QStringLiteral("serverSilencesTable"));
    m_table->setHorizontalHeaderLabels({QStringLiteral("State"), QStringLiteral("Matchers"), QStringLiteral("Created by"),
                                        QStringLiteral("Comment"), QStringLiteral("Starts"), QStringLiteral("Ends"),
                                        QStringLiteral("Alertmanager"), QStringLiteral("ID")});
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    // The comment takes the room left; long matchers are capped (whole in the tooltip).
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(Matchers, QHeaderView::Interactive);
    m_table->horizontalHeader()->setSectionResizeMode(Comment, QHeaderView::Stretch);
    layout->addWidget(m_table, 1);

    auto key = [this](QKeySequence seq, const QString &what, auto fn) {
        auto *s = new QShortcut(seq, this);
        s->setContext(Qt::WidgetWithChildrenShortcut);
        s->setWhatsThis(what);
        connect(s, &QShortcut::activated, this, fn);
    };
    key(QKeySequence(Qt::Key_Delete), QStringLiteral("Expire the selected Alertmanager silence"), [this] { expireSelected(); });
    key(QKeySequence(Qt::Key_N), QStringLiteral("New Alertmanager silence"), [this] { Q_EMIT newSilenceRequested(); });

    m_confirm = [this](const QString &title, const QString &text) {
        return QMessageBox::question(this, title, text, QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel)
               == QMessageBox::Yes;
    };
    connect(session, &Session::serverSilencesUpdated, this, &ServerSilencesView::reload);
    reload();
}

bool ServerSilencesView::showsBefore(const ServerSilenceRow &a, const ServerSilenceRow &b)
{
    const int ra = stateRank(a.silence.state), rb = stateRank(b.silence.state);
    if (ra != rb)
        return ra < rb;
    // Expired: the latest first; the others: the one ending soonest first.
    if (a.silence.state == SilenceState::Expired)
        return a.silence.endsAtMs > b.silence.endsAtMs;
    return a.silence.endsAtMs < b.silence.endsAtMs;
}

QString ServerSilencesView::matchersText(const ServerSilence &silence)
{
    QStringList parts;
    for (const SilenceMatcher &m : silence.matchers)
        parts << m.toString();
    return parts.join(QStringLiteral(", "));
}

void ServerSilencesView::reload()
{
    const QString keep = selectedId();
    QList<ServerSilenceRow> rows = m_session->serverSilenceRows();
    if (!m_showExpired->isChecked())
        rows.removeIf([](const ServerSilenceRow &r) { return r.silence.state == SilenceState::Expired; });
    if (!m_filterText.isEmpty()) {
        rows.removeIf([this](const ServerSilenceRow &r) {
            for (const QString &field : {matchersText(r.silence), r.silence.createdBy, r.silence.comment, r.silence.id})
                if (field.contains(m_filterText, Qt::CaseInsensitive))
                    return false;
            return true;
        });
    }
    std::stable_sort(rows.begin(), rows.end(), &ServerSilencesView::showsBefore);
    m_rows = rows;

    QStringList errors;
    const QHash<QString, QString> e = m_session->serverSilenceErrors();
    for (auto it = e.cbegin(); it != e.cend(); ++it)
        errors << QStringLiteral("%1: %2").arg(it.key(), it.value());
    errors.sort();
    m_errors->setText(errors.join(u'\n'));
    m_errors->setVisible(!errors.isEmpty());

    m_table->setRowCount(int(rows.size()));
    const QBrush dim = palette().brush(QPalette::PlaceholderText);
    for (int r = 0; r < rows.size(); ++r) {
        const ServerSilence &s = rows.at(r).silence;
        const QStringList cells{toString(s.state), matchersText(s), s.createdBy, s.comment, when(s.startsAtMs),
                                when(s.endsAtMs), rows.at(r).connection, s.id};
        for (int c = 0; c < ColumnCount; ++c) {
            auto *item = new QTableWidgetItem(cells.at(c)); // items are plain text
            item->setToolTip(c == Starts || c == Ends
                                 ? QDateTime::fromMSecsSinceEpoch(c == Starts ? s.startsAtMs : s.endsAtMs).toString(Qt::ISODate)
                                 : cells.at(c));
            if (s.state == SilenceState::Expired)
                item->setForeground(dim);
            m_table->setItem(r, c, item);
        }
        if (s.state == SilenceState::Active) {
            QFont f = m_table->item(r, State)->font();
            f.setBold(true);
            m_table->item(r, State)->setFont(f);
        }
    }
    m_table->resizeColumnToContents(Matchers);
    m_table->setColumnWidth(Matchers, std::min(m_table->columnWidth(Matchers), 420));
    if (!keep.isEmpty())
        selectSilence(keep);
}

void ServerSilencesView::setFilterText(const QString &text)
{
    m_filterText = text.trimmed();
    reload();
}

int ServerSilencesView::rowFor(const QString &id) const
{
    for (int r = 0; r < m_rows.size(); ++r) {
        if (m_rows.at(r).silence.id == id)
            return r;
    }
    return -1;
}

bool ServerSilencesView::selectSilence(const QString &id)
{
    const int r = rowFor(id);
    if (r < 0)
        return false;
    m_table->setCurrentCell(r, 0);
    m_table->selectRow(r);
    return true;
}

QString ServerSilencesView::selectedId() const
{
    const int r = m_table->currentRow();
    return r >= 0 && r < m_rows.size() ? m_rows.at(r).silence.id : QString();
}

void ServerSilencesView::expireSelected()
{
    const int r = m_table->currentRow();
    if (r < 0 || r >= m_rows.size())
        return;
    const ServerSilenceRow row = m_rows.at(r);
    if (row.silence.state == SilenceState::Expired) {
        m_errors->setText(QStringLiteral("Silence %1 has already expired.").arg(row.silence.id));
        m_errors->show();
        return;
    }
    const QString text = QStringLiteral("Expire this silence on %1 now?\n\n%2\nby %3: %4\n\nThe alerts it silences "
                                        "will notify again.")
                             .arg(row.connection, matchersText(row.silence), row.silence.createdBy, row.silence.comment);
    if (!m_confirm(QStringLiteral("Expire silence"), text))
        return;
    m_session->expireServerSilence(row.connection, row.silence.id);
}

} // namespace vigil::ui
