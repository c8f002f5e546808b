// SPDX-License-Identifier: GPL-3.0-or-later
#include "screenshot.h"

#include "dashboard_view.h"
#include "log/log.h"
#include "main_window.h"
#include "session/session.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QPixmap>
#include <QTimer>
#include <cstdio>

namespace vigil::app {

int runScreenshot(Session &session, const QStringList &issues, const ScreenshotOptions &options)
{
    const QString prefix = QStringLiteral("dashboard:");
    if (!options.view.startsWith(prefix)) {
        std::fprintf(stderr, "vigil screenshot: unknown view '%s'; this version renders 'dashboard:NAME'\n",
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
