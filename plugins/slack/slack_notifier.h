// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "net/http_client.h"
#include "notify/notifier.h"
#include "util/clock.h"

#include <QUrl>

namespace vigil::slack {

// Posts each batch as one message to a Slack incoming webhook. Pacing (one
// message a second per webhook), retries and backoff are the outbox's; this
// class sends once and says what Slack's answer means.
class SlackNotifier : public Notifier
{
    Q_OBJECT
public:
    // The webhook URL comes resolved in settings.secrets["webhook_url"].
    explicit SlackNotifier(const NotifierSettings &settings, QObject *parent = nullptr,
                           const Clock &clock = SystemClock::instance());

    QString kind() const override { return QStringLiteral("slack"); }
    const NotifierSettings &settings() const override { return m_settings; }
    QFuture<DeliveryResult> deliver(const QList<Notification> &batch) override;

    // Set when the settings cannot work (no webhook URL, not http(s)); every
    // delivery then fails permanently with it.
    const QString &configurationError() const { return m_configError; }
    // The webhook as logs and messages show it.
    const QString &where() const { return m_where; }

private:
    NotifierSettings m_settings;
    const Clock &m_clock;
    QString m_where;
    QString m_configError;
    HttpClient *m_http = nullptr;
};

} // namespace vigil::slack
