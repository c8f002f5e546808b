// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace vigil {
class Session;
}

namespace vigil::app {

struct ScreenshotOptions
{
    QString view;         // "dashboard:NAME", "compare:MODEL[:V1,V2,...]", "alerts", "drift" or "rules"
    QString theme;        // "light", "dark" or empty (the desktop's)
    QString output;       // PNG path
    qint64 timeoutMs = 60'000;
    int width = 1600;
    int height = 1000;
};

// Opens the main window offscreen on the view, waits until every panel holds
// data (or the timeout), renders it to a PNG. Returns the process exit code:
// 0 written, 2 data never came (the PNG is still written, showing why), 1 other errors.
int runScreenshot(Session &session, const QStringList &issues, const ScreenshotOptions &options);

} // namespace vigil::app
