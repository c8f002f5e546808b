// SPDX-License-Identifier: GPL-3.0-or-later
#include "startup_probe.h"

#include "chart_panel.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QEvent>
#include <QFile>
#include <QTimer>
#include <QWidget>
#include <cstdio>
#include <ctime>
#include <unistd.h>

namespace vigil::app {

namespace {

bool enabled()
{
    return qEnvironmentVariableIsSet("VIGIL_MEASURE_STARTUP");
}

// Epoch ms when the process started.
double processStartEpochMs()
{
    bool ok = false;
    const qint64 given = qEnvironmentVariable("VIGIL_MEASURE_STARTUP").toLongLong(&ok);
    if (ok && given > 1'000'000'000'000LL)
        return double(given);
    // /proc/self/stat field 22: start time in clock ticks after boot.
    QFile f(QStringLiteral("/proc/self/stat"));
    if (!f.open(QIODevice::ReadOnly))
        return double(QDateTime::currentMSecsSinceEpoch());
    const QByteArray stat = f.readAll();
    const QList<QByteArray> fields = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
    const double startTicks = fields.value(19).toDouble(); // field 22, counted from field 3
    timespec boot{};
    clock_gettime(CLOCK_BOOTTIME, &boot);
    const double sinceBootMs = boot.tv_sec * 1e3 + boot.tv_nsec / 1e6;
    const double ageMs = sinceBootMs - startTicks * 1000.0 / double(sysconf(_SC_CLK_TCK));
    return double(QDateTime::currentMSecsSinceEpoch()) - ageMs;
}

double sinceStart()
{
    timespec now{};
    clock_gettime(CLOCK_REALTIME, &now);
    static const double start = processStartEpochMs();
    return now.tv_sec * 1e3 + now.tv_nsec / 1e6 - start;
}

void mark(const char *what)
{
    std::fprintf(stderr, "vigil startup: %s %.1f ms\n", what, sinceStart());
    std::fflush(stderr);
}

// Watches paint events in the window: the first one is the first frame; the
// first one after a chart has data is that chart on screen.
class Probe : public QObject
{
public:
    explicit Probe(QWidget *window) : QObject(window), m_window(window)
    {
        m_poll.setInterval(5);
        connect(&m_poll, &QTimer::timeout, this, [this] {
            if (m_chartHasData)
                return;
            for (const ui::ChartPanel *p : m_window->findChildren<ui::ChartPanel *>()) {
                if (p->isVisible() && p->hasData()) {
                    m_chartHasData = true;
                    mark("first chart has data");
                    break;
                }
            }
        });
        m_poll.start();
        QTimer::singleShot(60'000, qApp, [] {
            mark("gave up waiting for data after");
            QCoreApplication::exit(2);
        });
    }

    bool eventFilter(QObject *, QEvent *e) override
    {
        if (e->type() != QEvent::Paint)
            return false;
        // Queued: runs once the paint being delivered has finished.
        if (!m_firstFrame) {
            m_firstFrame = true;
            QTimer::singleShot(0, this, [] { mark("first frame painted"); });
        } else if (m_chartHasData && !m_chartPainted) {
            m_chartPainted = true;
            QTimer::singleShot(0, this, [] {
                mark("first chart with data painted");
                QCoreApplication::quit();
            });
        }
        return false;
    }

private:
    QWidget *m_window;
    QTimer m_poll;
    bool m_firstFrame = false;
    bool m_chartHasData = false;
    bool m_chartPainted = false;
};

} // namespace

void startupProbeMainEntered()
{
    if (enabled())
        mark("main entered");
}

void installStartupProbe(QWidget *window)
{
    if (!enabled())
        return;
    auto *probe = new Probe(window);
    // Paint events go to the widgets, not the window: watch them all.
    qApp->installEventFilter(probe);
}

} // namespace vigil::app
