// SPDX-License-Identifier: GPL-3.0-or-later
#include "screenshot.h"

#include "compare_view.h"
#include "alerts_view.h"
#include "dashboard_view.h"
#include "drift_view.h"
#include "log/log.h"
#include "main_window.h"
#include "server_rules_view.h"
#include "session/session.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QPixmap>
#include <QTableWidget>
#include <QTimer>
#include <cstdio>

namespace vigil::app {

namespace {

// compare:MODEL[:V1,V2,...]: the compare view of a workspace model, its
// baseline and canary by default, once the comparison has arrived.
int runCompareScreenshot(Session &session, const QStringList &issues, const ScreenshotOptions &options)
{
    const QStringList parts = options.view.split(u':');
    const QString model = parts.value(1);
    ui::MainWindow window(&session, issues);
    window.resize(options.width, options.height);
    ui::CompareView *view = window.compareView(model);
    if (!view) {
        QStringList names;
        for (const ModelDef &m : session.workspace().models)
            names << m.name;
        std::fprintf(stderr, "vigil screenshot: no model named '%s' under 'models:' in %s (it has: %s)\n",
                     qPrintable(model), qPrintable(session.workspace().path),
                     qPrintable(names.isEmpty() ? QStringLiteral("none") : names.join(QStringLiteral(", "))));
        return 1;
    }
    if (parts.size() > 2) {
        const QStringList refs = parts.mid(2).join(u':').split(u',', Qt::SkipEmptyParts);
        if (refs.size() < 2 || refs.size() > 4) {
            std::fprintf(stderr, "vigil screenshot: compare:%s needs two to four versions or aliases, e.g. "
                                 "compare:%s:champion,challenger\n", qPrintable(model), qPrintable(model));
            return 1;
        }
        view->setRefs(refs);
    }
    window.show();
    window.showCompare(model); // the first look starts the comparison

    QDeadlineTimer deadline(options.timeoutMs);
    QEventLoop loop;
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
        if (view->hasSnapshot() || deadline.hasExpired())
            loop.quit();
    });
    poll.start(100);
    loop.exec();
    QCoreApplication::processEvents();

    const QString out = QFileInfo(options.output).absoluteFilePath();
    QDir().mkpath(QFileInfo(out).absolutePath());
    if (!window.grab().save(out, "PNG")) {
        std::fprintf(stderr, "vigil screenshot: cannot write %s\n", qPrintable(out));
        return 1;
    }
    if (!view->hasSnapshot()) {
        std::fprintf(stderr, "vigil screenshot: wrote %s, but the comparison did not finish within %lld s\n",
                     qPrintable(out), options.timeoutMs / 1000);
        return 2;
    }
    const compare::CompareSnapshot &s = view->snapshot();
    if (!s.error.isEmpty()) {
        std::fprintf(stderr, "vigil screenshot: wrote %s, but the comparison failed: %s\n", qPrintable(out),
                     qPrintable(s.error));
        return 2;
    }
    for (const compare::VersionColumn &c : s.columns) {
        if (!c.version.ok())
            std::fprintf(stderr, "  %s: %s\n", qPrintable(c.ref), qPrintable(c.version.message));
    }
    std::printf("wrote %s\n", qPrintable(out));
    return 0;
}

// alerts, drift, rules: the view once it has rows (alerts: the first
// evaluation; drift: the first comparison; rules: the first reading of the
// servers' rules), or the timeout (an empty view is still shown).
int runListScreenshot(Session &session, const QStringList &issues, const ScreenshotOptions &options)
{
    ui::MainWindow window(&session, issues);
    window.resize(options.width, options.height);
    window.show();
    const bool alerts = options.view == QLatin1String("alerts");
    const bool rules = options.view == QLatin1String("rules");
    if (!window.showView(options.view)) {
        if (rules)
            std::fprintf(stderr, "vigil screenshot: no connection in %s reports its own rules (a Prometheus), so "
                                 "there is no rules view\n", qPrintable(session.workspace().path));
        else
            std::fprintf(stderr, "vigil screenshot: %s has no 'drift:' monitors, so there is no drift view\n",
                         qPrintable(session.workspace().path));
        return 1;
    }
    bool evaluated = false;
    QObject::connect(&session, alerts ? &Session::alertsUpdated : rules ? &Session::ruleStatusUpdated : &Session::driftUpdated,
                     &window, [&] { evaluated = true; });
    QDeadlineTimer deadline(options.timeoutMs);
    QEventLoop loop;
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
        const bool ready = alerts || rules ? evaluated : (window.driftView() && window.driftView()->table()->rowCount() > 0);
        if (ready || deadline.hasExpired())
            loop.quit();
    });
    poll.start(100);
    loop.exec();
    QCoreApplication::processEvents();
    const QString out = QFileInfo(options.output).absoluteFilePath();
    QDir().mkpath(QFileInfo(out).absolutePath());
    if (!window.grab().save(out, "PNG")) {
        std::fprintf(stderr, "vigil screenshot: cannot write %s\n", qPrintable(out));
        return 1;
    }
    std::printf("wrote %s\n", qPrintable(out));
    return 0;
}

} // namespace

int runScreenshot(Session &session, const QStringList &issues, const ScreenshotOptions &options)
{
    if (!options.theme.isEmpty())
        ui::applyTheme(ui::themeFromName(options.theme));
    if (options.view.startsWith(QLatin1String("compare:")))
        return runCompareScreenshot(session, issues, options);
    if (options.view == QLatin1String("alerts") || options.view == QLatin1String("drift") || options.view == QLatin1String("rules"))
        return runListScreenshot(session, issues, options);
    const QString prefix = QStringLiteral("dashboard:");
    if (!options.view.startsWith(prefix)) {
        std::fprintf(stderr, "vigil screenshot: unknown view '%s'; this version renders 'dashboard:NAME', "
                             "'compare:MODEL[:V1,V2,...]', 'alerts', 'drift' and 'rules'\n",
                     qPrintable(options.view));
        return 1;
    }
    const QString name = options.view.mid(prefix.size());
    ui::MainWindow window(&session, issues);
    window.resize(options.width, options.height);
    if (!window.showDashboard(name)) {
        QStringList names;
        for (const DashboardDef &d : session.workspace().dashboards)
            names << d.name;
        std::fprintf(stderr, "vigil screenshot: no dashboard named '%s' in %s (it has: %s)\n", qPrintable(name),
                     qPrintable(session.workspace().path), qPrintable(names.join(QStringLiteral(", "))));
        return 1;
    }
    window.show();
    ui::DashboardView *view = window.currentDashboard();

    // Wait for data with the event loop running (the poller answers through it).
    QDeadlineTimer deadline(options.timeoutMs);
    QEventLoop loop;
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
        if (view->allPanelsHaveData() || deadline.hasExpired())
            loop.quit();
    });
    poll.start(100);
    loop.exec();
    // One more frame so the last batch is drawn.
    view->redrawAll();
    QCoreApplication::processEvents();

    const bool complete = view->allPanelsHaveData();
    const QString out = QFileInfo(options.output).absoluteFilePath();
    QDir().mkpath(QFileInfo(out).absolutePath());
    if (!window.grab().save(out, "PNG")) {
        std::fprintf(stderr, "vigil screenshot: cannot write %s\n", qPrintable(out));
        return 1;
    }
    if (!complete) {
        std::fprintf(stderr, "vigil screenshot: wrote %s, but these panels had no data after %lld s:\n", qPrintable(out),
                     options.timeoutMs / 1000);
        for (const ui::ChartPanel *p : view->panels())
            if (!p->hasData())
                std::fprintf(stderr, "  %s: %s\n", qPrintable(p->definition().title), qPrintable(p->stateText()));
        return 2;
    }
    std::printf("wrote %s\n", qPrintable(out));
    return 0;
}

} // namespace vigil::app
