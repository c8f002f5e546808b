// SPDX-License-Identifier: GPL-3.0-or-later
// The dashboard on the GUI thread, offscreen (issue 7). A real DashboardView
// on a real Session's SeriesStore, fed from a writer thread the way the I/O
// thread feeds it (store.append -> queued seriesChanged -> markDirty -> one
// redraw per frame); no network: what is measured is Vigil's GUI work.
//
//   bench-gui [SECONDS]     (default 30; VIGIL_BENCH_SHORT=1: 4)
//
// Every event the GUI thread handles is timed at the top of
// QApplication::notify, so "the longest GUI-thread task" is exactly that.
// Phases:
//  1. live: 20 panels x 4 series, 15-minute range at 1 s steps, a new
//     sample for every series every 1 s; per refresh: the redraw
//     (DashboardView's frame timer: decimation + QLineSeries::replace for the
//     dirty panels) and the paint that follows (UpdateRequest on the window:
//     Qt Charts draws into the offscreen backing store); their sum is the
//     frame time. An event-loop probe (a 5 ms timer) reports its worst lateness.
//  2. idle: the same 20 panels, a new sample every 15 s: GUI-thread CPU
//     and paint events.
//  3. hidden, then minimized: samples every 1 s: paint events and
//     redraws must be zero. (The offscreen platform has no window manager:
//     a minimized window's state is what Qt records, like on X11.)
//  4. week: one panel, 100 series x 11,000 points (7 days, capped at 11,000
//     points: one every 55 s) arriving
//     in one batch: from the batch landing in the store to the panel painted.
//     Side by side: plain Qt Charts, one QLineSeries per series fed every
//     point (what a chart without decimation does), replace + paint.
#include "dashboard_view.h"
#include "session/session.h"

#include "bench_util.h"

#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QElapsedTimer>
#include <QLineSeries>
#include <QTimer>
#include <QValueAxis>
#include <atomic>
#include <cmath>
#include <ctime>
#include <map>
#include <mutex>
#include <thread>

using namespace vigil;
using namespace vigil::ui;

namespace {

double threadCpuMs()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

// Times every top-level event the GUI thread handles.
class ProbeApp : public QApplication
{
public:
    using QApplication::QApplication;

    struct Rec
    {
        QEvent::Type type;
        double ms;
        bool redraw; // the dashboard's frame timer
        int paints;  // paint events handled inside it
    };
    std::vector<Rec> recs;
    int paints = 0; // QEvent::Paint to any widget, nested or not
    const void *redrawTimerLo = nullptr, *redrawTimerHi = nullptr;
    bool recording = false;

    bool notify(QObject *receiver, QEvent *event) override
    {
        if (event->type() == QEvent::Paint && recording) {
            ++paints;
            ++m_nestedPaints;
        }
        if (m_depth > 0 || QThread::currentThread() != thread()) {
            ++m_depth;
            const bool r = QApplication::notify(receiver, event);
            --m_depth;
            return r;
        }
        ++m_depth;
        m_nestedPaints = 0;
        QElapsedTimer t;
        t.start();
        const bool r = QApplication::notify(receiver, event);
        const double ms = t.nsecsElapsed() / 1e6;
        --m_depth;
        if (recording) {
            const bool redraw = event->type() == QEvent::Timer && receiver >= redrawTimerLo && receiver < redrawTimerHi;
            recs.push_back({event->type(), ms, redraw, m_nestedPaints});
        }
        return r;
    }

private:
    int m_depth = 0;
    int m_nestedPaints = 0;
};

ProbeApp *probe = nullptr;

void spin(int ms)
{
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < ms)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
}

DashboardDef dashboard(const QString &name, int panels, int columns)
{
    DashboardDef d;
    d.name = name;
    d.columns = columns;
    for (int p = 0; p < panels; ++p) {
        PanelDef pd;
        pd.title = QStringLiteral("panel %1").arg(p);
        pd.unit = QStringLiteral("s");
        pd.queries.append({QStringLiteral("histogram_quantile(0.99, x)"), QStringLiteral("{{pod}}")});
        d.panels.append(pd);
    }
    return d;
}

QList<SeriesKey> keysFor(const QString &dash, int panels, int perPanel)
{
    QList<SeriesKey> keys;
    for (int p = 0; p < panels; ++p)
        for (int s = 0; s < perPanel; ++s)
            keys.append(SeriesKey(Session::jobId(dash, p, 0), {{QStringLiteral("pod"), QStringLiteral("pod-%1").arg(s)}}));
    return keys;
}

double wave(int k, qint64 t)
{
    return 0.08 + 0.02 * std::sin(double(t) / 60'000.0 + k) + 0.005 * ((t / 1000 + k) % 7);
}

// Appends one sample per key at `t`, as one batch (one poll's worth).
void appendAt(SeriesStore &store, const QList<SeriesKey> &keys, qint64 t)
{
    QList<SeriesData> batches;
    for (int k = 0; k < keys.size(); ++k)
        batches.append({keys[k], {{t, wave(k, t)}}});
    store.append(batches);
}

// A thread that appends every `periodMs` until stopped, like the I/O thread.
struct Writer
{
    std::atomic<bool> stop{false};
    std::thread th;
    Writer(SeriesStore &store, QList<SeriesKey> keys, int periodMs)
    {
        th = std::thread([this, &store, keys, periodMs] {
            while (!stop) {
                appendAt(store, keys, QDateTime::currentMSecsSinceEpoch());
                for (int i = 0; i < periodMs / 10 && !stop; ++i)
                    std::this_thread::sleep_for(std::chrono::milliseconds(10));
            }
        });
    }
    ~Writer()
    {
        stop = true;
        th.join();
    }
};

void setRedrawTimer(const DashboardView &view)
{
    // DashboardView's frame timer is a member: its address lies inside the view.
    probe->redrawTimerLo = &view;
    probe->redrawTimerHi = reinterpret_cast<const char *>(&view) + sizeof(DashboardView);
}

void phaseLive(int seconds)
{
    Session session;
    session.setRangeMs(15 * 60'000);
    const DashboardDef def = dashboard(QStringLiteral("Live"), 20, 4);
    const QList<SeriesKey> keys = keysFor(def.name, 20, 4);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (qint64 t = now - 15 * 60'000; t < now; t += 1000)
        appendAt(*session.store(), keys, t);
    DashboardView view(def, &session);
    setRedrawTimer(view);
    view.resize(1920, 1080);
    view.show();
    spin(1500);

    // Event-loop latency probe.
    double worstLate = 0;
    QElapsedTimer since;
    QTimer tick;
    tick.setTimerType(Qt::PreciseTimer);
    tick.setInterval(5);
    QObject::connect(&tick, &QTimer::timeout, [&] {
        if (since.isValid())
            worstLate = std::max(worstLate, since.nsecsElapsed() / 1e6 - 5.0);
        since.restart();
    });

    probe->recs.clear();
    probe->paints = 0;
    probe->recording = true;
    tick.start();
    {
        Writer w(*session.store(), keys, 1000);
        spin(seconds * 1000);
    }
    tick.stop();
    probe->recording = false;

    // A frame: one redraw and every paint task after it, until the next redraw
    // (each panel's chart view repaints in its own task).
    std::vector<double> redraw, paint, frame;
    double current = -1;
    double longest = 0;
    QEvent::Type longestType = QEvent::None;
    for (const auto &r : probe->recs) {
        if (r.ms > longest) {
            longest = r.ms;
            longestType = r.type;
        }
        if (r.redraw) {
            if (current >= 0)
                frame.push_back(current);
            redraw.push_back(r.ms);
            current = r.ms;
        } else if (r.paints > 0) {
            paint.push_back(r.ms);
            if (current >= 0)
                current += r.ms;
        }
    }
    if (current >= 0)
        frame.push_back(current);
    const auto rs = bench::stats(redraw), ps = bench::stats(paint), fs = bench::stats(frame);
    std::printf("[live] 20 panels x 4 series, 15 min at 1 s (900 points/series), refresh 1 s, %d s, 1920x1080\n",
                seconds);
    std::printf("  redraws %zu: p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms  (decimate + QLineSeries::replace of the dirty panels one frame timer handles)\n",
                redraw.size(), rs.median, rs.p99, rs.max);
    std::printf("  paint tasks %zu: p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms  (%d paint events)\n", paint.size(),
                ps.median, ps.p99, ps.max, probe->paints);
    std::printf("  frame (redraw + its paints): p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms   target p99 <= 16 ms\n",
                fs.median, fs.p99, fs.max);
    std::printf("  longest GUI-thread task: %6.2f ms (event type %d)   target <= 50 ms; event-loop probe worst lateness %.2f ms\n",
                longest, int(longestType), worstLate);
}

enum class Shown { Visible, Hidden, Minimized };

void phaseIdle(int seconds, Shown shown)
{
    const bool hidden = shown != Shown::Visible;
    Session session;
    session.setRangeMs(15 * 60'000);
    const DashboardDef def = dashboard(QStringLiteral("Idle"), 20, 4);
    const QList<SeriesKey> keys = keysFor(def.name, 20, 4);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (qint64 t = now - 15 * 60'000; t < now; t += 15'000)
        appendAt(*session.store(), keys, t);
    DashboardView view(def, &session);
    setRedrawTimer(view);
    view.resize(1920, 1080);
    view.show();
    spin(1500);
    if (shown == Shown::Hidden)
        view.hide();
    else if (shown == Shown::Minimized)
        view.showMinimized();
    spin(300);
    probe->recs.clear();
    probe->paints = 0;
    probe->recording = true;
    const double cpu0 = threadCpuMs();
    QElapsedTimer wall;
    wall.start();
    {
        Writer w(*session.store(), keys, hidden ? 1000 : 15'000);
        // No processEvents spinning here: a real event loop, as the app runs.
        QTimer::singleShot(seconds * 1000, qApp, &QCoreApplication::quit);
        QCoreApplication::exec();
    }
    const double cpu = threadCpuMs() - cpu0;
    const double elapsed = double(wall.elapsed());
    probe->recording = false;
    int redraws = 0;
    for (const auto &r : probe->recs)
        redraws += r.redraw ? 1 : 0;
    std::printf("[%s] 20 panels x 4 series, new samples every %s, %d s: GUI-thread CPU %.2f %% of a core, "
                "%d redraws, %d paint events\n",
                shown == Shown::Hidden ? "hidden" : shown == Shown::Minimized ? "minimized" : "idle", hidden ? "1 s" : "15 s", seconds, 100.0 * cpu / elapsed, redraws,
                probe->paints);
}

void phaseWeek(int runs)
{
    constexpr int kSeries = 100, kPoints = 11'000;
    constexpr qint64 kStep = 7 * 86'400'000LL / (kPoints - 1); // 55 s: the week in 11,000 points
    Session session;
    session.setRangeMs(7 * 86'400'000LL);
    // Capacity per series is Series::kDefaultCapacity (43,200) > 11,000.
    const DashboardDef def = dashboard(QStringLiteral("Week"), 1, 1);
    const QList<SeriesKey> keys = keysFor(def.name, 1, kSeries);
    DashboardView view(def, &session);
    setRedrawTimer(view);
    view.resize(1280, 720);
    view.show();
    spin(500);
    ChartPanel *panel = view.panels().first();

    std::vector<double> latency, redraw, paint;
    qsizetype drawn = 0;
    double other = 0, otherMax = 0;
    QEvent::Type otherType = QEvent::None;
    for (int r = 0; r < runs; ++r) {
        const qint64 end = QDateTime::currentMSecsSinceEpoch();
        QList<SeriesData> batches;
        for (int k = 0; k < kSeries; ++k) {
            SeriesData sd{keys[k], {}};
            sd.samples.reserve(kPoints);
            for (int i = 0; i < kPoints; ++i) {
                const qint64 t = end - qint64(kPoints - 1 - i) * kStep;
                sd.samples.append({t, wave(k, t) + (i == (k * 37) % kPoints ? 1.0 : 0.0)});
            }
            batches.append(std::move(sd));
        }
        probe->recs.clear();
        probe->recording = true;
        std::atomic<qint64> arrivedNs{0};
        QElapsedTimer clock;
        clock.start();
        std::thread writer([&] {
            session.store()->append(batches);
            arrivedNs = clock.nsecsElapsed();
        });
        // Wait for the redraw and the paint after it.
        double paintedAt = -1;
        bool redrawn = false;
        while (paintedAt < 0 && clock.elapsed() < 20'000) {
            QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
            for (const auto &rec : probe->recs) {
                if (rec.redraw && panel->hasData())
                    redrawn = true;
                if (redrawn && !rec.redraw && rec.paints > 0)
                    paintedAt = clock.nsecsElapsed() / 1e6;
            }
        }
        writer.join();
        probe->recording = false;
        double rd = 0, pt = 0;
        bool seenRedraw = false;
        for (const auto &rec : probe->recs) {
            if (rec.redraw) {
                rd = std::max(rd, rec.ms);
                seenRedraw = true;
            } else if (seenRedraw && rec.paints > 0 && pt == 0) {
                pt = rec.ms;
            } else if (pt == 0 && rec.ms > 20) {
                // Anything else long before the paint: say what it was.
                other += rec.ms;
                if (rec.ms > otherMax) {
                    otherMax = rec.ms;
                    otherType = rec.type;
                }
            }
        }
        drawn = panel->pointCount();
        latency.push_back(paintedAt - arrivedNs / 1e6);
        redraw.push_back(rd);
        paint.push_back(pt);
        session.store()->removeNamed(keys.first().name());
        spin(300);
    }
    const auto l = bench::stats(latency), rd = bench::stats(redraw), pt = bench::stats(paint);
    std::printf("[week] 1 panel, 100 series x 11,000 points over 7 days, 1280x720, %d runs, %lld points drawn\n",
                runs, (long long)drawn);
    std::printf("  data in store -> panel painted: median %7.1f ms (min %.1f, max %.1f)   target <= 250 ms\n",
                l.median, l.min, l.max);
    std::printf("  of which redraw (range copy + decimate + replace, GUI thread): median %7.1f ms; paint median %7.1f ms\n",
                rd.median, pt.median);
    std::printf("  other GUI-thread tasks > 20 ms before the paint, all runs: %.1f ms in total, longest %.1f ms (event type %d)\n",
                other, otherMax, int(otherType));

    // Plain Qt Charts, every point handed over.
    std::vector<double> plainReplace, plainPaint;
    for (int r = 0; r < runs; ++r) {
        QChartView chartView;
        auto *chart = new QChart;
        chartView.setChart(chart);
        chartView.setRenderHint(QPainter::Antialiasing);
        auto *x = new QDateTimeAxis;
        auto *y = new QValueAxis;
        chart->addAxis(x, Qt::AlignBottom);
        chart->addAxis(y, Qt::AlignLeft);
        chartView.resize(1280, 720);
        chartView.show();
        spin(200);
        const qint64 end = QDateTime::currentMSecsSinceEpoch();
        QElapsedTimer t;
        t.start();
        for (int k = 0; k < kSeries; ++k) {
            QList<QPointF> pts;
            pts.reserve(kPoints);
            for (int i = 0; i < kPoints; ++i) {
                const qint64 ts = end - qint64(kPoints - 1 - i) * kStep;
                pts.append(QPointF(double(ts), wave(k, ts)));
            }
            auto *line = new QLineSeries(chart);
            chart->addSeries(line);
            line->attachAxis(x);
            line->attachAxis(y);
            line->replace(pts);
        }
        x->setRange(QDateTime::fromMSecsSinceEpoch(end - 7 * 86'400'000LL), QDateTime::fromMSecsSinceEpoch(end));
        y->setRange(0, 0.2);
        plainReplace.push_back(t.nsecsElapsed() / 1e6);
        t.restart();
        const QPixmap pixels = chartView.grab(); // renders the whole chart once
        plainPaint.push_back(t.nsecsElapsed() / 1e6);
    }
    const auto pr = bench::stats(plainReplace), pp = bench::stats(plainPaint);
    std::printf("  side by side, plain Qt Charts fed all 1.1 M points: replace median %7.1f ms, paint median %7.1f ms, "
                "sum %7.1f ms\n",
                pr.median, pp.median, pr.median + pp.median);
}

} // namespace

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    const bool shortRun = bench::shortMode();
    const int seconds = argc > 1 ? std::max(2, std::atoi(argv[1])) : (shortRun ? 4 : 30);
    ProbeApp app(argc, argv);
    probe = &app;
    bench::printLoad("start");
    // VIGIL_BENCH_PHASES=live,idle,hidden,week (default all) picks phases, e.g. for callgrind.
    const QByteArray phases = qEnvironmentVariableIsSet("VIGIL_BENCH_PHASES") ? qgetenv("VIGIL_BENCH_PHASES")
                                                                             : QByteArray("live,idle,hidden,minimized,week");
    if (phases.contains("live"))
        phaseLive(seconds);
    if (phases.contains("idle"))
        phaseIdle(shortRun ? 4 : std::max(seconds, 60), Shown::Visible);
    if (phases.contains("hidden"))
        phaseIdle(shortRun ? 3 : std::max(seconds / 2, 15), Shown::Hidden);
    if (phases.contains("minimized"))
        phaseIdle(shortRun ? 3 : std::max(seconds / 2, 15), Shown::Minimized);
    if (phases.contains("week"))
        phaseWeek(shortRun ? 1 : 5);
    bench::printLoad("end");
    return 0;
}
