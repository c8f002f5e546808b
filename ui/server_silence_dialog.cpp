// SPDX-License-Identifier: GPL-3.0-or-later
#include "server_silence_dialog.h"
#include "theme.h"

#include <QComboBox>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>

namespace vigil::ui {

namespace {

enum MatcherColumn { NameColumn, OpColumn, ValueColumn, RemoveColumn };

constexpr SilenceMatcher::Op kOps[] = {SilenceMatcher::Op::Equal, SilenceMatcher::Op::NotEqual,
                                       SilenceMatcher::Op::Regex, SilenceMatcher::Op::NotRegex};

} // namespace

const QList<std::pair<QString, qint64>> &ServerSilenceDialog::durationPresets()
{
    // Alertmanager's UI starts at 2h; the others are the usual on-call spans.
    static const QList<std::pair<QString, qint64>> presets{{QStringLiteral("1 hour"), 3'600'000LL},
                                                           {QStringLiteral("2 hours"), 2 * 3'600'000LL},
                                                           {QStringLiteral("4 hours"), 4 * 3'600'000LL},
                                                           {QStringLiteral("1 day"), 86'400'000LL}};
    return presets;
}

ServerSilenceDialog::ServerSilenceDialog(const QStringList &connections, const QString &connection,
                                         const QList<SilenceMatcher> &matchers, const QString &author, QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(QStringLiteral("New Alertmanager silence"));
    setObjectName(QStringLiteral("serverSilenceDialog"));
    resize(720, 580);
    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(QStringLiteral("Alertmanager stops notifying about every alert whose labels match all "
                                            "of these matchers, until the silence ends or is expired."), this);
    intro->setTextFormat(Qt::PlainText);
    intro->setWordWrap(true);
    intro->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(intro);

    auto *form = new QFormLayout;
    m_connection = new QComboBox(this);
    m_connection->setObjectName(QStringLiteral("silenceConnection"));
    m_connection->addItems(connections);
    m_connection->setCurrentText(connection);
    m_connection->setEnabled(connections.size() > 1);
    connect(m_connection, &QComboBox::currentIndexChanged, this, [this] { updatePreview(); });
    form->addRow(QStringLiteral("Alertmanager"), m_connection);
    layout->addLayout(form);

    m_matchers = new QTableWidget(0, 4, this);
    m_matchers->setObjectName(QStringLiteral("silenceMatchers"));
    m_matchers->setHorizontalHeaderLabels({QStringLiteral("Label"), QStringLiteral("Operator"), QStringLiteral("Value"),
                                           QString()});
    m_matchers->verticalHeader()->hide();
    m_matchers->setSelectionMode(QAbstractItemView::NoSelection);
    m_matchers->horizontalHeader()->setSectionResizeMode(NameColumn, QHeaderView::ResizeToContents);
    m_matchers->horizontalHeader()->setSectionResizeMode(OpColumn, QHeaderView::ResizeToContents);
    m_matchers->horizontalHeader()->setSectionResizeMode(ValueColumn, QHeaderView::Stretch);
    m_matchers->horizontalHeader()->setSectionResizeMode(RemoveColumn, QHeaderView::ResizeToContents);
    m_matchers->setMinimumHeight(120);
    layout->addWidget(new QLabel(QStringLiteral("Matchers (all must hold; =~ and !~ take a regular expression "
                                                "that must match the whole value)"), this));
    layout->addWidget(m_matchers, 1);
    auto *add = new QPushButton(QStringLiteral("Add matcher"), this);
    add->setObjectName(QStringLiteral("addMatcher"));
    connect(add, &QPushButton::clicked, this, [this] { addMatcher(); });
    auto *addRow = new QHBoxLayout;
    addRow->addWidget(add);
    addRow->addStretch(1);
    layout->addLayout(addRow);

    m_preview = new QLabel(this);
    m_preview->setObjectName(QStringLiteral("silencePreview"));
    m_preview->setTextFormat(Qt::PlainText);
    m_preview->setWordWrap(true);
    layout->addWidget(m_preview);

    auto *form2 = new QFormLayout;
    auto *durationRow = new QHBoxLayout;
    m_duration = new QComboBox(this);
    m_duration->setObjectName(QStringLiteral("silenceDuration"));
    for (const auto &[label, ms] : durationPresets())
        m_duration->addItem(label, ms);
    m_duration->setCurrentIndex(1);
    m_until = new QLabel(this);
    m_until->setTextFormat(Qt::PlainText);
    m_until->setForegroundRole(QPalette::PlaceholderText);
    durationRow->addWidget(m_duration);
    durationRow->addWidget(m_until, 1);
    connect(m_duration, &QComboBox::currentIndexChanged, this, [this] { updatePreview(); });
    form2->addRow(QStringLiteral("Duration"), durationRow);
    m_author = new QLabel(author, this);
    m_author->setObjectName(QStringLiteral("silenceAuthor"));
    m_author->setTextFormat(Qt::PlainText);
    m_author->setToolTip(QStringLiteral("Who Alertmanager records as the silence's author: $VIGIL_USER, else the login name"));
    form2->addRow(QStringLiteral("Author"), m_author);
    m_comment = new QLineEdit(this);
    m_comment->setObjectName(QStringLiteral("silenceComment"));
    m_comment->setPlaceholderText(QStringLiteral("Why (required): e.g. deploying v14, ticket OPS-123"));
    form2->addRow(QStringLiteral("Comment"), m_comment);
    layout->addLayout(form2);

    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("silenceMessage"));
    m_message->setTextFormat(Qt::PlainText);
    m_message->setWordWrap(true);
    m_message->hide();
    layout->addWidget(m_message);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_create = buttons->addButton(QStringLiteral("Create silence"), QDialogButtonBox::AcceptRole);
    m_create->setObjectName(QStringLiteral("createSilence"));
    m_create->setDefault(true);
    connect(m_create, &QPushButton::clicked, this, &ServerSilenceDialog::submit);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);

    for (const SilenceMatcher &m : matchers)
        addMatcher(m);
    if (matchers.isEmpty())
        addMatcher();
    updatePreview();
    m_comment->setFocus();
}

void ServerSilenceDialog::addMatcher(const SilenceMatcher &matcher)
{
    const int row = m_matchers->rowCount();
    m_matchers->insertRow(row);
    auto *name = new QLineEdit(matcher.name, m_matchers);
    name->setPlaceholderText(QStringLiteral("label"));
    auto *op = new QComboBox(m_matchers);
    for (SilenceMatcher::Op o : kOps)
        op->addItem(toString(o), int(o));
    op->setCurrentIndex(op->findData(int(matcher.op)));
    op->setToolTip(QStringLiteral("= equals, != differs, =~ matches the regex, !~ does not match it"));
    auto *value = new QLineEdit(matcher.value, m_matchers);
    value->setPlaceholderText(QStringLiteral("value"));
    auto *remove = new QToolButton(m_matchers);
    remove->setText(QStringLiteral("Remove"));
    remove->setToolTip(QStringLiteral("Remove this matcher"));
    m_matchers->setCellWidget(row, NameColumn, name);
    m_matchers->setCellWidget(row, OpColumn, op);
    m_matchers->setCellWidget(row, ValueColumn, value);
    m_matchers->setCellWidget(row, RemoveColumn, remove);
    connect(name, &QLineEdit::textChanged, this, [this] { updatePreview(); });
    connect(value, &QLineEdit::textChanged, this, [this] { updatePreview(); });
    connect(op, &QComboBox::currentIndexChanged, this, [this] { updatePreview(); });
    connect(remove, &QToolButton::clicked, this, [this, remove] {
        for (int r = 0; r < m_matchers->rowCount(); ++r) {
            if (m_matchers->cellWidget(r, RemoveColumn) == remove)
                return removeMatcher(r);
        }
    });
    updatePreview();
}

void ServerSilenceDialog::removeMatcher(int row)
{
    if (row < 0 || row >= m_matchers->rowCount())
        return;
    m_matchers->removeRow(row);
    updatePreview();
}

void ServerSilenceDialog::setMatcher(int row, const SilenceMatcher &matcher)
{
    if (row < 0 || row >= m_matchers->rowCount())
        return;
    static_cast<QLineEdit *>(m_matchers->cellWidget(row, NameColumn))->setText(matcher.name);
    auto *op = static_cast<QComboBox *>(m_matchers->cellWidget(row, OpColumn));
    op->setCurrentIndex(op->findData(int(matcher.op)));
    static_cast<QLineEdit *>(m_matchers->cellWidget(row, ValueColumn))->setText(matcher.value);
}

int ServerSilenceDialog::matcherCount() const
{
    return m_matchers->rowCount();
}

QList<SilenceMatcher> ServerSilenceDialog::matchers() const
{
    QList<SilenceMatcher> out;
    for (int r = 0; r < m_matchers->rowCount(); ++r) {
        SilenceMatcher m;
        m.name = static_cast<QLineEdit *>(m_matchers->cellWidget(r, NameColumn))->text().trimmed();
        m.op = SilenceMatcher::Op(static_cast<QComboBox *>(m_matchers->cellWidget(r, OpColumn))->currentData().toInt());
        m.value = static_cast<QLineEdit *>(m_matchers->cellWidget(r, ValueColumn))->text();
        out << m;
    }
    return out;
}

QString ServerSilenceDialog::connection() const
{
    return m_connection->currentText();
}

ServerSilence ServerSilenceDialog::silence(qint64 nowMs) const
{
    ServerSilence s;
    s.matchers = matchers();
    s.startsAtMs = nowMs;
    s.endsAtMs = nowMs + m_duration->currentData().toLongLong();
    s.createdBy = m_author->text();
    s.comment = m_comment->text().trimmed();
    return s;
}

void ServerSilenceDialog::setAlerts(const QList<ServerAlertRow> &alerts)
{
    m_alerts = alerts;
    updatePreview();
}

void ServerSilenceDialog::updatePreview()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    m_until->setText(QStringLiteral("until %1").arg(
        QDateTime::fromMSecsSinceEpoch(now + m_duration->currentData().toLongLong()).toString(QStringLiteral("ddd HH:mm"))));
    const QList<SilenceMatcher> ms = matchers();
    int total = 0;
    QStringList hits;
    for (const ServerAlertRow &a : m_alerts) {
        if (a.connection != connection())
            continue;
        ++total;
        if (silenceMatchesLabels(ms, a.alert.labels))
            hits << a.alert.displayName();
    }
    QString text = QStringLiteral("Matches %1 of the %2 %3 on %4 now")
                       .arg(hits.size())
                       .arg(total)
                       .arg(total == 1 ? QStringLiteral("alert") : QStringLiteral("alerts"), connection());
    if (!hits.isEmpty())
        text += QStringLiteral(": ") + hits.mid(0, 3).join(QStringLiteral("; "))
                + (hits.size() > 3 ? QStringLiteral("; and %1 more").arg(hits.size() - 3) : QString());
    m_preview->setText(text + u'.');
}

void ServerSilenceDialog::showProblems(const QStringList &problems)
{
    setErrorText(m_message);
    m_message->setText(problems.join(u'\n'));
    m_message->setVisible(!problems.isEmpty());
}

void ServerSilenceDialog::submit()
{
    const ServerSilence s = silence(QDateTime::currentMSecsSinceEpoch());
    const QStringList problems = silenceProblems(s);
    if (!problems.isEmpty())
        return showProblems(problems);
    m_message->setStyleSheet(QString());
    m_message->setText(QStringLiteral("Creating the silence on %1 …").arg(connection()));
    m_message->show();
    m_create->setEnabled(false);
    Q_EMIT submitted(connection(), s);
}

void ServerSilenceDialog::setRefused(const QString &message)
{
    m_create->setEnabled(true);
    showProblems({message});
}

void ServerSilenceDialog::setCreated()
{
    accept();
}

} // namespace vigil::ui
