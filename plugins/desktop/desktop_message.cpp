// SPDX-License-Identifier: GPL-3.0-or-later
#include "desktop_message.h"

#include "util/display_text.h"

#include <QDateTime>

namespace vigil::desktop {

ServerCapabilities ServerCapabilities::fromList(const QStringList &capabilities)
{
    ServerCapabilities c;
    c.actions = capabilities.contains(QLatin1String("actions"));
    c.bodyMarkup = capabilities.contains(QLatin1String("body-markup"));
    return c;
}

Urgency urgencyForSeverity(const QString &severity)
{
    const QString s = severity.toLower();
    if (s == QLatin1String("info"))
        return Urgency::Low;
    if (s == QLatin1String("critical") || s == QLatin1String("page"))
        return Urgency::Critical;
    return Urgency::Normal;
}

QString appActionForKey(const QString &key)
{
    return key == QLatin1String(kActionOpen) ? QStringLiteral("open") : key;
}

QString escapeBodyMarkup(const QString &text)
{
    QString out;
    out.reserve(text.size());
    for (const QChar c : text) {
        if (c == QLatin1Char('&'))
            out += QLatin1String("&amp;");
        else if (c == QLatin1Char('<'))
            out += QLatin1String("&lt;");
        else if (c == QLatin1Char('>'))
            out += QLatin1String("&gt;");
        else
            out += c;
    }
    return out;
}

QString alertKey(const Notification &n)
{
    if (!n.fingerprint.isEmpty())
        return n.fingerprint;
    // 0x1f (unit separator) never occurs in a rule or label name, so two
    // different rule + label sets never share a key.
    QString key = n.rule;
    for (const auto &[name, value] : n.labels)
        key += QChar(0x1f) + name + QLatin1Char('=') + value;
    return key;
}

namespace {

QString severityWord(const QString &severity)
{
    if (severity.isEmpty())
        return QStringLiteral("Alert");
    return severity.left(1).toUpper() + severity.mid(1).toLower();
}

QString oneLine(QString text)
{
    text.replace(QLatin1Char('\n'), QLatin1Char(' '));
    text.replace(QLatin1Char('\r'), QLatin1Char(' '));
    return text.trimmed();
}

} // namespace

DesktopMessage composeMessage(const Notification &n, const ServerCapabilities &caps)
{
    DesktopMessage m;

    // "Critical · HighP99Latency"; a re-opened or repeated page says so first,
    // because the bubble replaces one the user may have seen already.
    QString title = severityWord(n.severity) + QStringLiteral(" · ") + n.rule;
    const bool open = n.kind != Notification::Kind::Resolved;
    if (open && n.state == Notification::State::NoData)
        title = QStringLiteral("No data: ") + title;
    else if (open && n.state == Notification::State::Error)
        title = QStringLiteral("Query failing: ") + title;
    if (n.kind == Notification::Kind::Reopened)
        title = QStringLiteral("Re-opened: ") + title;
    else if (n.kind == Notification::Kind::Reminder)
        title = QStringLiteral("Still firing: ") + title;
    else if (n.kind == Notification::Kind::Resolved)
        title = QStringLiteral("Resolved: ") + title;
    // Control characters from label values and annotations are shown, not
    // acted on: notification daemons differ in what they do with an ESC or an RLO.
    m.summary = visibleControls(oneLine(title));

    QStringList lines;
    if (open && n.state != Notification::State::Firing) {
        // The rule's summary template would render an empty value ("is NaN"):
        // say what is wrong instead.
        lines << (n.state == Notification::State::NoData ? QStringLiteral("The query returned no data")
                                                         : QStringLiteral("The query fails"));
        if (!n.description.isEmpty())
            lines << n.description;
    } else {
        if (!n.summary.isEmpty())
            lines << n.summary;
        else if (!n.description.isEmpty())
            lines << n.description;
        QString valueLine = QStringLiteral("Value %1").arg(QString::number(n.value, 'g', 4));
        if (!n.condition.isEmpty())
            valueLine += QStringLiteral(", ") + n.condition;
        lines << valueLine;
    }
    QStringList labels;
    for (const auto &[name, value] : n.labels)
        labels << name + QLatin1Char('=') + value;
    if (!labels.isEmpty())
        lines << labels.join(QStringLiteral(", "));
    QStringList status;
    if (n.activeSinceMs > 0)
        status << QStringLiteral("Since %1").arg(
            QDateTime::fromMSecsSinceEpoch(n.activeSinceMs).toString(QStringLiteral("yyyy-MM-dd HH:mm")));
    if (!n.ackedBy.isEmpty())
        status << QStringLiteral("acknowledged by %1").arg(n.ackedBy);
    if (n.silenced)
        status << QStringLiteral("silenced");
    if (!status.isEmpty())
        lines << status.join(QStringLiteral(", "));
    const QString body = visibleControlsMultiline(lines.join(QLatin1Char('\n')));
    m.body = caps.bodyMarkup ? escapeBodyMarkup(body) : body;

    const Urgency urgency = urgencyForSeverity(n.severity);
    m.hints.insert(QStringLiteral("urgency"), QVariant::fromValue(static_cast<uchar>(urgency)));
    m.hints.insert(QStringLiteral("desktop-entry"), QStringLiteral("vigil"));
    m.hints.insert(QStringLiteral("category"), QStringLiteral("x-vigil.alert"));
    // The spec's own advice: critical notifications should not time out.
    m.expireTimeoutMs = urgency == Urgency::Critical ? 0 : -1;

    if (caps.actions) {
        m.actions << QLatin1String(kActionOpen) << QStringLiteral("Open");
        if (n.ackedBy.isEmpty())
            m.actions << QLatin1String(kActionAck) << QStringLiteral("Acknowledge");
        m.actions << QLatin1String(kActionSnooze) << QStringLiteral("Snooze 15 min");
    }
    return m;
}

} // namespace vigil::desktop
