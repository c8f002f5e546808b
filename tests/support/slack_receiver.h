// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QElapsedTimer>
#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponse>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringList>

namespace vigil::test {

// A Slack incoming-webhook endpoint on loopback (QHttpServer) that records
// every message and answers with a status the test sets (200 "ok" by default).
// Each alert's id is its header block's block_id (plugins/slack).
class SlackWebhookReceiver
{
public:
    static inline const QString kPath = QStringLiteral("/services/T0VIGIL/B0TEST/s3cr3tT0ken");

    SlackWebhookReceiver()
    {
        m_server.route(kPath, QHttpServerRequest::Method::Post, [this](const QHttpServerRequest &request) {
            Arrival a;
            a.atMs = m_clock.elapsed();
            a.body = QJsonDocument::fromJson(request.body()).object();
            a.status = status;
            arrivals << a;
            return QHttpServerResponse("text/html", status == 200 ? QByteArray("ok") : QByteArray("rollup_error"),
                                       QHttpServerResponse::StatusCode(status));
        });
        m_port = m_server.listen(QHostAddress::LocalHost, 0);
        m_clock.start();
    }
    QString url() const { return QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(kPath); }

    struct Arrival
    {
        qint64 atMs = 0;
        QJsonObject body;
        int status = 0;
        QStringList ids() const
        {
            QStringList out;
            for (const auto &a : body.value(QStringLiteral("attachments")).toArray())
                for (const auto &b : a.toObject().value(QStringLiteral("blocks")).toArray())
                    if (b.toObject().value(QStringLiteral("type")) == QLatin1String("header"))
                        out << b.toObject().value(QStringLiteral("block_id")).toString();
            return out;
        }
    };
    // Every id that arrived in a message answered with `withStatus` (0: any), in order.
    QStringList ids(int withStatus = 0) const
    {
        QStringList out;
        for (const Arrival &a : arrivals)
            if (withStatus == 0 || a.status == withStatus)
                out << a.ids();
        return out;
    }

    int status = 200; // what the next message is answered with
    QList<Arrival> arrivals;

private:
    QHttpServer m_server;
    quint16 m_port = 0;
    QElapsedTimer m_clock;
};

} // namespace vigil::test
