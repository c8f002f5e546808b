// SPDX-License-Identifier: GPL-3.0-or-later
#include "alerts_view.h"
#include "theme.h"

#include "rules/alert_template.h"
#include "server_silence_dialog.h"
#include "server_silences_view.h"
#include "session/session.h"
#include "util/display_text.h"

#include <QComboBox>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QPushButton>
#include <QShortcut>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QVBoxLayout>

namespace vigil::ui {

AlertsView::AlertsView(Session *session, QWidget *parent)
    : QWidget(parent), m_session(session), m_model(new AlertsModel(this)), m_filter(new AlertsFilter(this))
{
    setObjectName(QStringLiteral("alertsView"));
    m_filter->setSourceModel(m_model);

    auto *layout = new QVBoxLayout(this);
    auto *bar = new QHBoxLayout;
    m_viewCombo = new QComboBox(this);
    m_viewCombo->setObjectName(QStringLiteral("alertsViewCombo"));
    for (auto v : {AlertsFilter::View::Active, AlertsFilter::View::Firing, AlertsFilter::View::Pending,
                   AlertsFilter::View::Acknowledged, AlertsFilter::View::Silenced, AlertsFilter::View::Resolved,
                   AlertsFilter::View::All})
        m_viewCombo->addItem(AlertsFilter::viewName(v), int(v));
    // -1: Alertmanager's silences, a list of its own rather than a filter.
    if (!session->serverAlertConnections().isEmpty())
        m_viewCombo->addItem(QStringLiteral("Alertmanager silences"), -1);
    connect(m_viewCombo, &QComboBox::currentIndexChanged, this, [this](int i) {
        const int view = m_viewCombo->itemData(i).toInt();
        m_pages->setCurrentIndex(view < 0 ? 1 : 0);
        m_keys->setText(view < 0 ? QStringLiteral("N or S new silence · Delete expire")
                                 : QStringLiteral("A acknowledge · S silence · U un-acknowledge · J/K next/previous"));
        m_search->setPlaceholderText(view < 0 ? QStringLiteral("Filter silences by matcher, author or comment (Ctrl+F)")
                                              : QStringLiteral("Filter by rule, label value or summary (Ctrl+F)"));
        if (view >= 0)
            m_filter->setView(AlertsFilter::View(view));
    });
    m_search = new QLineEdit(this);
    m_search->setObjectName(QStringLiteral("alertsSearch"));
    m_search->setPlaceholderText(QStringLiteral("Filter by rule, label value or summary (Ctrl+F)"));
    m_search->setClearButtonEnabled(true);
    connect(m_search, &QLineEdit::textChanged, m_filter, &AlertsFilter::setText);
    auto *keys = new QLabel(QStringLiteral("A acknowledge · S silence · U un-acknowledge · J/K next/previous"), this);
    m_keys = keys;
    keys->setTextFormat(Qt::PlainText);
    keys->setForegroundRole(QPalette::PlaceholderText); // readable in light and dark themes
    bar->addWidget(m_viewCombo);
    bar->addWidget(m_search, 1);
    bar->addWidget(keys);
    layout->addLayout(bar);

    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("alertsMessage"));
    m_message->setTextFormat(Qt::PlainText);
    m_message->setWordWrap(true);
    setErrorText(m_message);
    m_message->hide();
    layout->addWidget(m_message);

    m_pages = new QStackedWidget(this);
    auto *split = new QSplitter(Qt::Vertical, m_pages);
    m_table = new QTableView(split);
    m_table->setObjectName(QStringLiteral("alertsTable"));
    m_table->setModel(m_filter);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(AlertsModel::Severity, Qt::DescendingOrder);
    m_table->verticalHeader()->hide();
    m_table->setAlternatingRowColors(true);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_table->setWordWrap(false);
    m_details = new QPlainTextEdit(split);
    m_details->setObjectName(QStringLiteral("alertDetails"));
    m_details->setReadOnly(true);
    m_details->setPlaceholderText(QStringLiteral("Select an alert to see its labels, annotations and acknowledgement."));
    split->addWidget(m_table);
    split->addWidget(m_details);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    m_pages->addWidget(split);
    m_silencesView = new ServerSilencesView(session, m_pages);
    m_pages->addWidget(m_silencesView);
    connect(m_search, &QLineEdit::textChanged, m_silencesView, &ServerSilencesView::setFilterText);
    connect(m_silencesView, &ServerSilencesView::newSilenceRequested, this, [this] {
        const QStringList connections = m_session->serverAlertConnections();
        if (!connections.isEmpty())
            openServerSilenceDialog(connections.first(), {});
    });
    layout->addWidget(m_pages, 1);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &AlertsView::showDetails);

    // whatsThis: the help overlay (? or F1) lists these.
    auto key = [this](QKeySequence seq, const QString &what, auto fn) {
        auto *s = new QShortcut(seq, this);
        s->setContext(Qt::WidgetWithChildrenShortcut);
        s->setWhatsThis(what);
        connect(s, &QShortcut::activated, this, fn);
    };
    key(QKeySequence(Qt::Key_A), QStringLiteral("Acknowledge the selected alert"), [this] { if (!serverSilencesShown()) askAcknowledge(); });
    key(QKeySequence(Qt::Key_S), QStringLiteral("Silence the selected alert (on Alertmanager for its alerts)"), [this] {
        if (serverSilencesShown())
            Q_EMIT m_silencesView->newSilenceRequested();
        else
            askSilence();
    });
    key(QKeySequence(Qt::Key_U), QStringLiteral("Remove the acknowledgement"), [this] { if (!serverSilencesShown()) unacknowledgeSelected(); });
    key(QKeySequence(Qt::Key_J), QStringLiteral("Next alert"), [this] { moveSelection(1); });
    key(QKeySequence(Qt::Key_K), QStringLiteral("Previous alert"), [this] { moveSelection(-1); });
    key(QKeySequence::Find, QStringLiteral("Search the alerts"), [this] { m_search->setFocus(); m_search->selectAll(); });

    connect(session, &Session::alertsUpdated, this, &AlertsView::reload);
    connect(session, &Session::serverAlertsUpdated, this, &AlertsView::reload);
    connect(session, &Session::alertHistoryReady, this, [this](const QString &fp, const QStringList &lines) {
        if (fp != selectedFingerprint())
            return;
        m_historyFor = fp;
        m_history = lines;
        m_showingHistory = true; // redraw the details without asking again
        showDetails();
        m_showingHistory = false;
    });
    connect(session, &Session::alertCommandFailed, this, [this](const QString &msg) { showMessage(msg, true); });
    // Another Vigil sends this database's notifications: say that it took the command.
    connect(session, &Session::alertCommandForwarded, this, [this](const QString &msg) { showMessage(msg, false); });
    connect(session, &Session::serverSilenceCreated, this, [this](int request, const QString &connection, const QString &id) {
        if (request != m_silenceRequest)
            return;
        if (m_serverDialog)
            m_serverDialog->setCreated();
        showMessage(QStringLiteral("Silence %1 created on %2.").arg(id, connection), false);
    });
    connect(session, &Session::serverSilenceRefused, this, [this](int request, const QString &message) {
        if (request != m_silenceRequest)
            return;
        if (m_serverDialog)
            m_serverDialog->setRefused(message); // the dialog stays open: nothing typed is lost
        else
            showMessage(message, true);
    });
    reload();
}

void AlertsView::reload()
{
    const QString keep = selectedFingerprint();
    QList<alerting::AlertRow> rows = m_session->alertRows();
    m_serverRows.clear();
    for (const ServerAlertRow &s : m_session->serverAlertRows()) {
        alerting::AlertRow row = AlertsModel::fromServerAlert(s.connection, s.alert);
        m_serverRows.insert(row.instance.id.fingerprint, s);
        rows.append(std::move(row));
    }
    m_model->setRows(rows, QDateTime::currentMSecsSinceEpoch());
    if (!keep.isEmpty())
        selectFingerprint(keep);
    if (!m_table->currentIndex().isValid() && m_filter->rowCount() > 0)
        m_table->selectRow(0);
    m_table->resizeColumnsToContents();
    int attention = 0;
    for (int i = 0; i < m_model->rowCount(); ++i)
        attention += AlertsModel::needsAttention(*m_model->row(i));
    if (attention != m_attention) {
        m_attention = attention;
        Q_EMIT attentionCountChanged(attention);
    }
    showDetails();
}

QString AlertsView::selectedFingerprint() const
{
    const QModelIndex i = m_table->currentIndex();
    return i.isValid() ? i.data(AlertsModel::FingerprintRole).toString() : QString();
}

bool AlertsView::selectFingerprint(const QString &fingerprint)
{
    for (int r = 0; r < m_filter->rowCount(); ++r) {
        const QModelIndex i = m_filter->index(r, 0);
        if (i.data(AlertsModel::FingerprintRole).toString() == fingerprint) {
            m_table->setCurrentIndex(i);
            m_table->selectRow(r);
            return true;
        }
    }
    return false;
}

void AlertsView::moveSelection(int delta)
{
    const int n = m_filter->rowCount();
    if (n == 0)
        return;
    const int cur = m_table->currentIndex().isValid() ? m_table->currentIndex().row() : -1;
    const int next = std::clamp(cur + delta, 0, n - 1);
    m_table->setCurrentIndex(m_filter->index(next, 0));
    m_table->selectRow(next);
}

void AlertsView::acknowledgeSelected(const QString &comment)
{
    const QString fp = selectedFingerprint();
    if (fp.isEmpty())
        return;
    m_message->hide();
    if (const auto it = m_serverRows.constFind(fp); it != m_serverRows.cend())
        return m_session->acknowledgeOnServer(it->connection, it->alert, comment);
    m_session->acknowledge(fp, comment);
}

void AlertsView::unacknowledgeSelected()
{
    const QString fp = selectedFingerprint();
    if (fp.isEmpty())
        return;
    m_message->hide();
    if (const auto it = m_serverRows.constFind(fp); it != m_serverRows.cend())
        return m_session->unacknowledgeOnServer(it->connection, it->alert);
    m_session->unacknowledge(fp);
}

void AlertsView::askAcknowledge()
{
    if (selectedFingerprint().isEmpty())
        return;
    bool ok = false;
    const bool onServer = m_serverRows.contains(selectedFingerprint());
    const QString comment = QInputDialog::getText(this, QStringLiteral("Acknowledge"),
        onServer ? QStringLiteral("Comment (optional). Alertmanager gets a 2 h silence of exactly this alert's labels.")
                 : QStringLiteral("Comment (optional). Repeats stop until the alert resolves or its severity rises."),
        QLineEdit::Normal, QString(), &ok);
    if (ok)
        acknowledgeSelected(comment);
}

QString AlertsView::matchersFor(const alerting::AlertRow &row)
{
    QStringList lines;
    auto quote = [](QString v) -> QString { // QString, not a QStringBuilder over the dead `v`
        v.replace(u'\\', QStringLiteral("\\\\")).replace(u'"', QStringLiteral("\\\"")).replace(u'\n', QStringLiteral("\\n"));
        return u'"' + v + u'"';
    };
    for (const auto &[k, v] : row.labels) {
        if (k == QLatin1String("severity"))
            continue; // a silence should survive an escalation
        lines << k + u'=' + quote(v);
    }
    return lines.join(u'\n');
}

void AlertsView::showMessage(const QString &text, bool error)
{
    setErrorText(m_message, error);
    m_message->setText(text);
    m_message->show();
}

QString AlertsView::messageText() const
{
    return m_message->isVisible() ? m_message->text() : QString();
}

void AlertsView::showServerSilences()
{
    const int i = m_viewCombo->findData(-1);
    if (i >= 0)
        m_viewCombo->setCurrentIndex(i);
}

bool AlertsView::serverSilencesShown() const
{
    return m_pages->currentIndex() == 1;
}

ServerSilenceDialog *AlertsView::openServerSilenceDialog(const QString &connection, const QList<SilenceMatcher> &matchers)
{
    if (m_serverDialog)
        m_serverDialog->close();
    auto *dialog = new ServerSilenceDialog(m_session->serverAlertConnections(), connection, matchers,
                                           Session::userName(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAlerts(m_session->serverAlertRows());
    connect(dialog, &ServerSilenceDialog::submitted, this, [this](const QString &conn, const ServerSilence &silence) {
        m_message->hide();
        m_silenceRequest = m_session->createServerSilence(conn, silence);
    });
    m_serverDialog = dialog;
    dialog->open();
    return dialog;
}

void AlertsView::askSilence()
{
    // An Alertmanager alert is silenced there, starting from all of its labels.
    if (const auto it = m_serverRows.constFind(selectedFingerprint()); it != m_serverRows.cend()) {
        QList<SilenceMatcher> matchers;
        for (const auto &[k, v] : it->alert.labels)
            if (!v.isEmpty())
                matchers.append(SilenceMatcher{k, v, SilenceMatcher::Op::Equal});
        openServerSilenceDialog(it->connection, matchers);
        return;
    }
    const alerting::AlertRow *row = m_model->rowFor(selectedFingerprint());
    SilenceDialog dialog(row ? matchersFor(*row) : QString(), Session::userName(), this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    QString error;
    const rules::Silence s = dialog.silence(QDateTime::currentMSecsSinceEpoch(), &error);
    if (!error.isEmpty()) {
        m_message->setText(error);
        m_message->show();
        return;
    }
    m_message->hide();
    m_session->addSilence(s);
}

QString AlertsView::detailsText() const
{
    return m_details->toPlainText();
}

void AlertsView::showDetails()
{
    const alerting::AlertRow *r = m_model->rowFor(selectedFingerprint());
    if (!r) {
        m_details->clear();
        return;
    }
    QStringList lines;
    const auto &inst = r->instance;
    lines << QStringLiteral("%1 — %2 (%3)").arg(inst.id.rule, AlertsModel::stateText(*r), rules::toString(inst.severity));
    if (!r->source.isEmpty())
        lines << QStringLiteral("Source: %1, %2 there").arg(r->source, r->serverState);
    if (!r->summary.isEmpty())
        lines << r->summary;
    if (!r->description.isEmpty())
        lines << r->description;
    lines << QStringLiteral("Condition: %1").arg(r->condition);
    if (!std::isnan(inst.lastValue))
        lines << QStringLiteral("Value: %1").arg(rules::formatValue(inst.lastValue));
    if (!inst.lastError.isEmpty())
        lines << QStringLiteral("Last error: %1").arg(inst.lastError);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    lines << QStringLiteral("In this state since %1").arg(AlertsModel::since(inst.stateSinceMs, now));
    if (r->ack)
        lines << QStringLiteral("Acknowledged by %1 at %2%3%4")
                     .arg(r->ack->by, QDateTime::fromMSecsSinceEpoch(r->ack->atMs).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")),
                          r->ack->comment.isEmpty() ? QString() : QStringLiteral(": ") + r->ack->comment,
                          r->ack->expiresAtMs > 0 ? QStringLiteral(" (until %1)").arg(QDateTime::fromMSecsSinceEpoch(r->ack->expiresAtMs).toString(QStringLiteral("HH:mm"))) : QString());
    if (!r->silencedBy.isEmpty())
        lines << QStringLiteral("Silenced by %1").arg(r->silencedBy.join(QStringLiteral(", ")));
    if (inst.flapping)
        lines << QStringLiteral("Flapping: notifications are held until it settles");
    lines << QString() << QStringLiteral("Labels:");
    for (const auto &[k, v] : r->labels)
        lines << QStringLiteral("  %1 = %2").arg(k, v);
    lines << QStringLiteral("Fingerprint: %1").arg(inst.id.fingerprint);
    lines << QString() << QStringLiteral("History (from the alert database):");
    if (m_historyFor == inst.id.fingerprint)
        for (const QString &h : m_history)
            lines << QStringLiteral("  ") + h;
    else
        lines << QStringLiteral("  loading ...");
    // Asked again on every change of the alert, so a new transition shows up.
    if (!m_showingHistory)
        m_session->requestAlertHistory(inst.id.fingerprint);
    const int scroll = m_details->verticalScrollBar()->value();
    // Plain text: label values are never markup; their control characters are shown, not obeyed.
    m_details->setPlainText(visibleControlsMultiline(lines.join(u'\n')));
    m_details->verticalScrollBar()->setValue(scroll);
}

SilenceDialog::SilenceDialog(const QString &matchers, const QString &author, QWidget *parent) : QDialog(parent)
{
    setWindowTitle(QStringLiteral("New silence"));
    setObjectName(QStringLiteral("silenceDialog"));
    auto *form = new QFormLayout(this);
    m_matchers = new QPlainTextEdit(matchers, this);
    m_matchers->setToolTip(QStringLiteral("One matcher per line: name=\"value\", name!=\"value\", name=~\"regex\", name!~\"regex\""));
    m_matchers->setMinimumHeight(110);
    m_duration = new QComboBox(this);
    // Alertmanager's UI starts at 2h; the rest are the usual on-call spans.
    for (const auto &[label, ms] : QList<std::pair<QString, qint64>>{{QStringLiteral("15 minutes"), 15 * 60'000LL},
                                                                   {QStringLiteral("1 hour"), 3'600'000LL},
                                                                   {QStringLiteral("2 hours"), 2 * 3'600'000LL},
                                                                   {QStringLiteral("8 hours"), 8 * 3'600'000LL},
                                                                   {QStringLiteral("1 day"), 86'400'000LL},
                                                                   {QStringLiteral("1 week"), 7 * 86'400'000LL}})
        m_duration->addItem(label, ms);
    m_duration->setCurrentIndex(2);
    m_author = new QLineEdit(author, this);
    m_comment = new QLineEdit(this);
    m_comment->setPlaceholderText(QStringLiteral("Why (required): e.g. deploying v14, ticket OPS-123"));
    form->addRow(QStringLiteral("Matchers"), m_matchers);
    form->addRow(QStringLiteral("Duration"), m_duration);
    form->addRow(QStringLiteral("Author"), m_author);
    form->addRow(QStringLiteral("Comment"), m_comment);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(QStringLiteral("Silence"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    form->addRow(buttons);
    m_comment->setFocus();
}

rules::Silence SilenceDialog::silence(qint64 nowMs, QString *error) const
{
    rules::Silence s;
    s.startsAtMs = nowMs;
    s.endsAtMs = nowMs + m_duration->currentData().toLongLong();
    s.createdBy = m_author->text().trimmed();
    s.comment = m_comment->text().trimmed();
    const QStringList lines = m_matchers->toPlainText().split(u'\n', Qt::SkipEmptyParts);
    for (int i = 0; i < lines.size(); ++i) {
        if (lines[i].trimmed().isEmpty())
            continue;
        QString why;
        auto m = rules::LabelMatcher::parse(lines[i].trimmed(), &why);
        if (!m) {
            *error = QStringLiteral("matcher on line %1 ('%2'): %3").arg(i + 1).arg(lines[i].trimmed(), why);
            return {};
        }
        s.matchers << *m;
    }
    if (s.matchers.isEmpty())
        *error = QStringLiteral("a silence needs at least one matcher, e.g. alertname=\"HighP99Latency\"");
    else if (s.createdBy.isEmpty())
        *error = QStringLiteral("a silence needs an author");
    else if (s.comment.isEmpty())
        *error = QStringLiteral("a silence needs a comment saying why, as in Alertmanager");
    return s;
}

} // namespace vigil::ui
