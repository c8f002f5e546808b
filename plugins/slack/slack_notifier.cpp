// SPDX-License-Identifier: GPL-3.0-or-later
#include "slack_notifier.h"

#include "log/log.h"
#include "slack_message.h"

#include <QJsonDocument>

namespace vigil::slack {

SlackNotifier::SlackNotifier(const NotifierSettings &settings, QObject *parent, const Clock &clock)
    : Notifier(parent), m_settings(settings), m_clock(clock)
{
    const QString secretName = settings.options.value(QStringLiteral("webhook_secret")).toString();
    const QUrl url(settings.secrets.value(QStringLiteral("webhook_url")).trimmed(), QUrl::StrictMode);
    m_where = redactWebhookUrl(url);
    // Never the URL itself in these messages: it is the credential.
    if (url.isEmpty())
        m_configError = QStringLiteral("notifier '%1': no Slack webhook URL (the keychain entry '%2' is empty or missing)")
                            .arg(settings.name, secretName);
    else if (!url.isValid() || url.host().isEmpty()
             || (url.scheme() != QLatin1String("https") && url.scheme() != QLatin1String("http")))
        m_configError = QStringLiteral("notifier '%1': the keychain entry '%2' does not hold an http(s) webhook URL")
                            .arg(settings.name, secretName);

    ConnectionSettings http;
    http.name = settings.name;
    http.kind = kind();
    http.url = url;
    http.timeoutMs = settings.options.value(QStringLiteral("timeout_ms")).toInt(10'000);
    http.maxBodyBytes = 64 * 1024; // Slack answers "ok" or an error code
    m_http = new HttpClient(http, this);
    if (m_configError.isEmpty())
        logger("slack")->info("notifier {} posts to {}", settings.name.toStdString(), m_where.toStdString());
    else
        logger("slack")->error("{}", m_configError.toStdString());
}

QFuture<DeliveryResult> SlackNotifier::deliver(const QList<Notification> &batch)
{
    if (!m_configError.isEmpty())
        return QtFuture::makeReadyFuture(DeliveryResult::permanent(m_configError));
    const QJsonDocument message(buildMessage(batch));
    const qsizetype count = batch.size();
    return m_http->postJson(QString(), message).then(this, [this, count](const HttpResponse &r) {
        const DeliveryResult result = classifyResponse(r, m_where, m_clock.nowMs());
        if (result.outcome == DeliveryResult::Outcome::Delivered)
            logger("slack")->debug("{}: {} alert(s) posted to {} in {} ms", m_settings.name.toStdString(), count,
                                   m_where.toStdString(), r.elapsedMs);
        return result;
    });
}

} // namespace vigil::slack
