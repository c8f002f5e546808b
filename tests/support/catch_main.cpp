// SPDX-License-Identifier: GPL-3.0-or-later
// One main for every test binary: a QApplication on the offscreen platform
// (set before Qt starts, so listing tests works without a display too).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <QApplication>

int main(int argc, char **argv)
{
    if (!qEnvironmentVariableIsSet("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("vigil-tests"));
    return Catch::Session().run(argc, argv);
}
