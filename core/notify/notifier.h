// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "series/series_key.h"

#include <QFuture>
#include <QJsonObject>
#include <QMap>
#include <QObject>
#include <QUrl>
#include <QtPlugin>

namespace vigil {

// One message about one alert instance, as the router hands it to a notifier.
// `id` is stable across retries and restarts (instance fingerprint + the
// transition's sequence number), so a receiver can de-duplicate: delivery is
// at least once.
struct Notification
{
    enum class Kind { Firing, Resolved, Reopened, Reminder };
    // What the open alert is: its condition holds, or its query returned
    // nothing (no-data policy "nodata"), or its query fails (error policy
    // "error"). A receiver says which: "precision is NaN" helps nobody at 3 a.m.
    enum class State { Firing, NoData, Error };

    QString id;
    // The alert instance's identity (rules::fingerprintOf), the same for every
    // transition of one alert, so a receiver can keep one message per alert
    // and update it in place (the desktop's replaces_id). Empty: the receiver
    // derives one from rule + labels.
    QString fingerprint;
    Kind kind = Kind::Firing;
    State state = State::Firing;
    QString rule;
    QString severity;        // info, warning, critical, page
    QString summary;         // rendered annotation, plain text
    QString description;
    Labels labels;           // the instance's labels (model, version, ...)
    QMap<QString, QString> annotations;
    double value = 0.0;      // the value that crossed (or came back)
    QString condition;       // "above 0.25 (recovers below 0.20)"
    qint64 activeSinceMs = 0;
    qint64 createdMs = 0;
    QString ackedBy;         // empty: not acknowledged
    QString ackComment;
    bool silenced = false;
    QUrl link;               // http/https only
};

QString notificationKindName(Notification::Kind kind);

// What became of a delivery attempt.
struct DeliveryResult
{
    enum class Outcome { Delivered, Retry, PermanentFailure };
    Outcome outcome = Outcome::Delivered;
    qint64 retryAfterMs = 0; // Retry: the receiver's Retry-After, or 0 for "use backoff"
    int httpStatus = 0;
    QString reason;          // for the user: "Slack says channel_not_found (HTTP 404)"

    static DeliveryResult delivered() { return {}; }
    static DeliveryResult retry(QString reason, qint64 afterMs = 0, int status = 0)
    {
        return {Outcome::Retry, afterMs, status, std::move(reason)};
    }
    static DeliveryResult permanent(QString reason, int status = 0)
    {
        return {Outcome::PermanentFailure, 0, status, std::move(reason)};
    }
};

struct NotifierSettings
{
    QString name;        // the workspace's name, e.g. "oncall-slack"
    QString kind;        // plugin kind, e.g. "slack"
    QJsonObject options; // plugin-specific, as declared in its plugin.json
    QMap<QString, QString> secrets; // resolved secrets by option name (e.g. webhook_url); never logged
};

// Sends notifications somewhere (Slack, the desktop). Lives in one thread and
// answers with futures completed there. A batch is what the router grouped
// into one message (Alertmanager's group); a notifier may merge further.
class Notifier : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    ~Notifier() override = default;

    virtual QString kind() const = 0;
    virtual const NotifierSettings &settings() const = 0;
    virtual QFuture<DeliveryResult> deliver(const QList<Notification> &batch) = 0;

Q_SIGNALS:
    // A notifier that can take actions (the desktop's Acknowledge button) reports them here.
    void actionInvoked(const QString &notificationId, const QString &action);
};

class NotifierPlugin
{
public:
    virtual ~NotifierPlugin() = default;
    virtual Notifier *createNotifier(const NotifierSettings &settings, QObject *parent) = 0;
};

} // namespace vigil

#define VIGIL_NOTIFIER_PLUGIN_IID "org.vigil.NotifierPlugin/1"
Q_DECLARE_INTERFACE(vigil::NotifierPlugin, VIGIL_NOTIFIER_PLUGIN_IID)
