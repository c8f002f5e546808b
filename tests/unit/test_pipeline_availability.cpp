// SPDX-License-Identifier: GPL-3.0-or-later
// A notifier that can lose its server (the desktop one) says so through an
// `available` property; the pipeline relays it so the window can fall back to
// its tray balloon.
#include <catch2/catch.hpp>

#include "alerting/alert_pipeline.h"
#include "storage/alert_store.h"

#include <QPromise>
#include <QSignalSpy>
#include <QTemporaryDir>

using namespace vigil;

class AvailabilityNotifier : public Notifier
{
    Q_OBJECT
    Q_PROPERTY(bool available READ available NOTIFY availableChanged)
    Q_PROPERTY(QString unavailableReason READ unavailableReason NOTIFY availableChanged)
public:
    AvailabilityNotifier()
    {
        m_settings.name = QStringLiteral("desktop");
        m_settings.kind = QStringLiteral("desktop");
    }
    QString kind() const override { return m_settings.kind; }
    const NotifierSettings &settings() const override { return m_settings; }
    QFuture<DeliveryResult> deliver(const QList<Notification> &) override
    {
        QPromise<DeliveryResult> p;
        p.start();
        p.addResult(DeliveryResult::delivered());
        p.finish();
        return p.future();
    }
    bool available() const { return m_available; }
    QString unavailableReason() const { return m_reason; }
    void set(bool available, const QString &reason)
    {
        m_available = available;
        m_reason = reason;
        Q_EMIT availableChanged(available);
    }
Q_SIGNALS:
    void availableChanged(bool available);

private:
    NotifierSettings m_settings;
    bool m_available = true;
    QString m_reason;
};

TEST_CASE("The pipeline relays a notifier's lost and regained server", "[pipeline]")
{
    ManualClock clock;
    QTemporaryDir dir;
    storage::StoreOptions o;
    o.path = dir.filePath(QStringLiteral("alerts.db"));
    o.clock = &clock;
    storage::AlertStore store(o);
    REQUIRE(store.open().usable());
    alerting::AlertEngine engine(clock, {});
    alerting::AlertPipeline pipeline(clock, &engine, &store);
    AvailabilityNotifier notifier;
    pipeline.addNotifier(&notifier);
    QSignalSpy spy(&pipeline, &alerting::AlertPipeline::notifierAvailabilityChanged);
    notifier.set(false, QStringLiteral("No desktop notification server on the session bus"));
    REQUIRE(spy.size() == 1);
    CHECK(spy[0][0].toString() == "desktop");
    CHECK(spy[0][1].toBool() == false);
    CHECK(spy[0][2].toString() == "No desktop notification server on the session bus");
    notifier.set(true, QString());
    REQUIRE(spy.size() == 2);
    CHECK(spy[1][1].toBool() == true);
}

#include "test_pipeline_availability.moc"
