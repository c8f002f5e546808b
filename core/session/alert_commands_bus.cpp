// SPDX-License-Identifier: GPL-3.0-or-later
#include "session/alert_commands_bus.h"

#include "alerting/alert_engine.h"
#include "log/log.h"

#include <QCryptographicHash>
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>

namespace vigil {

namespace alertcommands {

QString busName(const QString &databasePath)
{
    const QFileInfo info(databasePath);
    const QString canonical = info.canonicalFilePath();
    const QString path = canonical.isEmpty() ? QDir::cleanPath(info.absoluteFilePath()) : canonical;
    const QByteArray digest = QCryptographicHash::hash(path.toUtf8(), QCryptographicHash::Sha256).toHex().left(16);
    // A bus name element may not start with a digit: hence the "d".
    return QStringLiteral("io.github.vigil.AlertCommands.d") + QString::fromLatin1(digest);
}

} // namespace alertcommands

AlertCommandsService::AlertCommandsService(alerting::AlertEngine *engine, QObject *parent)
    : QObject(parent)
    , m_engine(engine)
{
    // Queued: the engine records an ack event before the ack takes effect
    // (write-ahead), and a mirror asking at once must see it in effect.
    connect(m_engine, &alerting::AlertEngine::ackEventsHappened, this, &AlertCommandsService::Changed,
            Qt::QueuedConnection);
    connect(m_engine, &alerting::AlertEngine::silencesChanged, this, &AlertCommandsService::Changed,
            Qt::QueuedConnection);
}

AlertCommandsService::~AlertCommandsService()
{
    if (m_name.isEmpty())
        return;
    QDBusConnection bus = QDBusConnection::sessionBus();
    bus.unregisterObject(QString::fromLatin1(alertcommands::kPath));
    bus.unregisterService(m_name);
}

QString AlertCommandsService::start(const QString &databasePath)
{
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected())
        return QStringLiteral("no D-Bus session bus (%1), so another Vigil on this alert database cannot forward "
                              "acknowledgements here")
            .arg(bus.lastError().message().isEmpty() ? QStringLiteral("DBUS_SESSION_BUS_ADDRESS is not set")
                                                     : bus.lastError().message());
    const QString name = alertcommands::busName(databasePath);
    if (!bus.registerObject(QString::fromLatin1(alertcommands::kPath), this,
                            QDBusConnection::ExportAllSlots | QDBusConnection::ExportAllSignals))
        return QStringLiteral("cannot export the alert commands on the session bus: %1").arg(bus.lastError().message());
    if (!bus.registerService(name)) {
        const QString why = bus.lastError().message();
        bus.unregisterObject(QString::fromLatin1(alertcommands::kPath));
        return QStringLiteral("cannot take the bus name %1 for the alert database %2: %3").arg(name, databasePath, why);
    }
    m_name = name;
    return {};
}

QString AlertCommandsService::Acknowledge(const QString &fingerprint, const QString &by, const QString &comment,
                                          qlonglong expiresAtMs)
{
    if (by.trimmed().isEmpty())
        return QStringLiteral("an acknowledgement needs a name");
    return m_engine->acknowledge(fingerprint, by, comment, expiresAtMs);
}

QString AlertCommandsService::Unacknowledge(const QString &fingerprint, const QString &by)
{
    if (by.trimmed().isEmpty())
        return QStringLiteral("taking back an acknowledgement needs a name");
    return m_engine->unacknowledge(fingerprint, by);
}

QString AlertCommandsService::AddSilence(const QString &id, const QStringList &matchers, qlonglong startsAtMs,
                                         qlonglong endsAtMs, const QString &createdBy, const QString &comment)
{
    rules::Silence s;
    s.id = id;
    for (const QString &text : matchers) {
        QString why;
        const auto m = rules::LabelMatcher::parse(text, &why);
        if (!m)
            return QStringLiteral("the matcher %1 cannot be read: %2").arg(text, why);
        s.matchers.append(*m);
    }
    s.startsAtMs = startsAtMs;
    s.endsAtMs = endsAtMs;
    s.createdBy = createdBy;
    s.comment = comment;
    QString error;
    if (m_engine->addSilence(std::move(s), &error).isEmpty())
        return error.isEmpty() ? QStringLiteral("the silence was refused") : error;
    return {};
}

QString AlertCommandsService::ExpireSilence(const QString &id)
{
    return m_engine->expireSilence(id) ? QString() : QStringLiteral("silence %1 is unknown or already over").arg(id);
}

QString AlertCommandsService::State()
{
    AlertCommandsState state;
    for (const alerting::AlertRow &row : m_engine->alerts())
        if (row.ack && rules::isOpen(row.instance.state))
            state.acks.insert(row.ack->fingerprint, {row.ack->by, row.ack->comment, row.ack->expiresAtMs});
    const qint64 now = m_engine->clock().nowMs();
    for (const rules::Silence &s : m_engine->silences())
        if (!s.isExpired(now))
            state.silences.append(s);
    return QString::fromUtf8(state.toJson());
}

QByteArray AlertCommandsState::toJson() const
{
    QJsonArray ackArray;
    for (auto it = acks.constBegin(); it != acks.constEnd(); ++it)
        ackArray.append(QJsonObject{{"fingerprint", it.key()}, {"by", it->by}, {"comment", it->comment},
                                    {"expiresAtMs", double(it->expiresAtMs)}});
    QJsonArray silenceArray;
    for (const rules::Silence &s : silences) {
        QJsonArray matchers;
        for (const rules::LabelMatcher &m : s.matchers)
            matchers.append(m.toString());
        silenceArray.append(QJsonObject{{"id", s.id}, {"matchers", matchers}, {"startsAtMs", double(s.startsAtMs)},
                                        {"endsAtMs", double(s.endsAtMs)}, {"createdBy", s.createdBy},
                                        {"comment", s.comment}});
    }
    return QJsonDocument(QJsonObject{{"acks", ackArray}, {"silences", silenceArray}}).toJson(QJsonDocument::Compact);
}

std::optional<AlertCommandsState> AlertCommandsState::fromJson(const QByteArray &json, QString *error)
{
    auto fail = [error](const QString &why) -> std::optional<AlertCommandsState> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return fail(QStringLiteral("not JSON (%1 at byte %2)").arg(parseError.errorString()).arg(parseError.offset));
    if (!doc.isObject() || !doc.object().value("acks").isArray() || !doc.object().value("silences").isArray())
        return fail(QStringLiteral("not an object with \"acks\" and \"silences\" lists"));
    AlertCommandsState state;
    const QJsonArray ackArray = doc.object().value("acks").toArray();
    for (qsizetype i = 0; i < ackArray.size(); ++i) {
        const QJsonObject a = ackArray.at(i).toObject();
        const QString fingerprint = a.value("fingerprint").toString();
        const QString by = a.value("by").toString();
        if (fingerprint.isEmpty() || by.isEmpty())
            return fail(QStringLiteral("acks[%1] has no fingerprint or no \"by\"").arg(i));
        state.acks.insert(fingerprint, {by, a.value("comment").toString(), qint64(a.value("expiresAtMs").toDouble())});
    }
    const QJsonArray silenceArray = doc.object().value("silences").toArray();
    for (qsizetype i = 0; i < silenceArray.size(); ++i) {
        const QJsonObject o = silenceArray.at(i).toObject();
        rules::Silence s;
        s.id = o.value("id").toString();
        if (s.id.isEmpty())
            return fail(QStringLiteral("silences[%1] has no id").arg(i));
        const QJsonArray matchers = o.value("matchers").toArray();
        for (const QJsonValue &m : matchers) {
            QString why;
            const auto matcher = rules::LabelMatcher::parse(m.toString(), &why);
            if (!matcher)
                return fail(QStringLiteral("silences[%1]: the matcher %2 cannot be read: %3").arg(i).arg(m.toString(), why));
            s.matchers.append(*matcher);
        }
        s.startsAtMs = qint64(o.value("startsAtMs").toDouble());
        s.endsAtMs = qint64(o.value("endsAtMs").toDouble());
        s.createdBy = o.value("createdBy").toString();
        s.comment = o.value("comment").toString();
        state.silences.append(s);
    }
    return state;
}

AlertCommandsMirror::AlertCommandsMirror(alerting::AlertEngine *engine, const QString &databasePath,
                                         const QString &holder, QObject *parent)
    : QObject(parent)
    , m_engine(engine)
    , m_databasePath(databasePath)
    , m_holder(holder)
{
    m_refresh.callOnTimeout(this, &AlertCommandsMirror::ask);
    // An alert evaluated here for the first time gets the holder's ack.
    connect(m_engine, &alerting::AlertEngine::alertsChanged, this, &AlertCommandsMirror::reconcile);
}

QString AlertCommandsMirror::start(int refreshMs)
{
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected())
        return QStringLiteral("no D-Bus session bus, so acknowledgements made in %1 are not shown here").arg(m_holder);
    // By the well-known name: the bus follows it to whichever process owns it.
    if (!bus.connect(alertcommands::busName(m_databasePath), QString::fromLatin1(alertcommands::kPath),
                     QString::fromLatin1(alertcommands::kInterface), QStringLiteral("Changed"), this,
                     SLOT(holderChanged())))
        return QStringLiteral("cannot listen to %1 on the session bus: %2").arg(m_holder, bus.lastError().message());
    m_refresh.start(refreshMs);
    ask();
    return {};
}

void AlertCommandsMirror::holderChanged()
{
    ask();
}

void AlertCommandsMirror::forgetAck(const QString &fingerprint)
{
    ++m_localCommands;
    m_state.acks.remove(fingerprint);
    m_mirroredAcks.remove(fingerprint);
}

void AlertCommandsMirror::forgetSilence(const QString &id)
{
    ++m_localCommands;
    m_state.silences.removeIf([&](const rules::Silence &s) { return s.id == id; });
    m_mirroredSilences.remove(id);
}

void AlertCommandsMirror::ask()
{
    if (m_asking) {
        m_askAgain = true; // one more when this answer is in: it may predate the change
        return;
    }
    m_asking = true;
    const quint64 commandsBefore = m_localCommands;
    callAlertCommand(m_databasePath, QStringLiteral("State"), {}, this, [this, commandsBefore](const QString &answer) {
        // callAlertCommand's `done` gets "" or why not; State answers JSON,
        // which always starts with "{".
        m_asking = false;
        if (!answer.startsWith(u'{')) {
            if (answer != m_lastError)
                logger("alerts")->info("cannot read the acknowledgements of {}: {}", m_holder.toStdString(),
                                       answer.toStdString());
            m_lastError = answer.isEmpty() ? QStringLiteral("an empty answer") : answer;
        } else if (commandsBefore != m_localCommands) {
            m_askAgain = true; // asked before a command made here: it may undo it
        } else {
            QString why;
            if (auto state = AlertCommandsState::fromJson(answer.toUtf8(), &why)) {
                m_state = std::move(*state);
                m_refusedSilences.clear();
                m_lastError.clear();
                ++m_answers;
                reconcile();
                Q_EMIT synced();
            } else {
                m_lastError = QStringLiteral("its answer cannot be read: %1").arg(why);
                logger("alerts")->warn("the state of {} cannot be read: {}", m_holder.toStdString(), why.toStdString());
            }
        }
        if (std::exchange(m_askAgain, false))
            ask();
    });
}

void AlertCommandsMirror::reconcile()
{
    if (m_reconciling || m_answers == 0)
        return;
    m_reconciling = true; // the engine's own alertsChanged would come back here
    const qint64 now = m_engine->clock().nowMs();
    QHash<QString, bool> ackedHere; // open alerts here: fingerprint -> has an ack
    for (const alerting::AlertRow &row : m_engine->alerts())
        if (rules::isOpen(row.instance.state))
            ackedHere.insert(row.instance.id.fingerprint, row.ack.has_value());
    for (auto it = m_state.acks.constBegin(); it != m_state.acks.constEnd(); ++it) {
        const auto here = ackedHere.constFind(it.key());
        if (here == ackedHere.constEnd())
            continue; // not evaluated here yet: on a later alertsChanged
        if (!*here && m_engine->acknowledge(it.key(), it->by, it->comment, it->expiresAtMs).isEmpty())
            logger("alerts")->info("acknowledgement of {} by {} shown from {}", it.key().toStdString(),
                                   it->by.toStdString(), m_holder.toStdString());
        m_mirroredAcks.insert(it.key()); // the holder has it: when it no longer does, neither do we
    }
    for (auto it = m_mirroredAcks.begin(); it != m_mirroredAcks.end();) {
        if (m_state.acks.contains(*it)) {
            ++it;
            continue;
        }
        if (ackedHere.value(*it))
            m_engine->unacknowledge(*it, m_holder);
        it = m_mirroredAcks.erase(it);
    }
    QHash<QString, rules::Silence> silencesHere;
    for (const rules::Silence &s : m_engine->silences())
        silencesHere.insert(s.id, s);
    QSet<QString> holderIds;
    for (const rules::Silence &s : std::as_const(m_state.silences)) {
        holderIds.insert(s.id);
        const auto here = silencesHere.constFind(s.id);
        const bool differs = here == silencesHere.constEnd() || here->endsAtMs != s.endsAtMs
            || here->startsAtMs != s.startsAtMs;
        if (differs && !m_refusedSilences.contains(s.id)) {
            QString why;
            if (m_engine->addSilence(s, &why).isEmpty()) {
                m_refusedSilences.insert(s.id); // until the holder's next answer
                logger("alerts")->warn("silence {} of {} cannot be shown here: {}", s.id.toStdString(),
                                       m_holder.toStdString(), why.toStdString());
            }
        }
        m_mirroredSilences.insert(s.id);
    }
    for (auto it = m_mirroredSilences.begin(); it != m_mirroredSilences.end();) {
        if (holderIds.contains(*it)) {
            ++it;
            continue;
        }
        if (const auto here = silencesHere.constFind(*it); here != silencesHere.constEnd() && !here->isExpired(now))
            m_engine->expireSilence(*it);
        it = m_mirroredSilences.erase(it);
    }
    m_reconciling = false;
}

void callAlertCommand(const QString &databasePath, const QString &method, const QVariantList &args, QObject *context,
                      std::function<void(const QString &error)> done)
{
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected()) {
        done(QStringLiteral("there is no D-Bus session bus to reach it by"));
        return;
    }
    QDBusMessage call = QDBusMessage::createMethodCall(alertcommands::busName(databasePath),
                                                       QString::fromLatin1(alertcommands::kPath),
                                                       QString::fromLatin1(alertcommands::kInterface), method);
    call.setArguments(args);
    // No service activation: a Vigil that is not running is not started for this.
    call.setAutoStartService(false);
    auto *watcher = new QDBusPendingCallWatcher(bus.asyncCall(call, 10'000), context);
    QObject::connect(watcher, &QDBusPendingCallWatcher::finished, context,
                     [watcher, done = std::move(done)] {
                         watcher->deleteLater();
                         const QDBusPendingReply<QString> reply = *watcher;
                         if (reply.isError()) {
                             const QDBusError e = reply.error();
                             if (e.type() == QDBusError::ServiceUnknown
                                 || e.name() == QLatin1String("org.freedesktop.DBus.Error.NameHasNoOwner"))
                                 done(QStringLiteral("it does not answer on the session bus (it stopped, runs on another "
                                                     "machine or session, or is an older Vigil)"));
                             else if (e.type() == QDBusError::NoReply || e.type() == QDBusError::Timeout)
                                 done(QStringLiteral("it did not answer within 10 s"));
                             else
                                 done(QStringLiteral("D-Bus: %1").arg(e.message()));
                             return;
                         }
                         done(reply.value());
                     });
}

QVariantList silenceArguments(const rules::Silence &silence)
{
    QStringList matchers;
    for (const rules::LabelMatcher &m : silence.matchers)
        matchers.append(m.toString());
    return {silence.id, matchers, qlonglong(silence.startsAtMs), qlonglong(silence.endsAtMs), silence.createdBy,
            silence.comment};
}

} // namespace vigil
