// SPDX-License-Identifier: GPL-3.0-or-later
// Server text on screen: control characters shown, not obeyed (issue 8).
#include <catch2/catch.hpp>

#include "util/display_text.h"

#include <QTextDocument>

using namespace vigil;

TEST_CASE("Control characters in server text become visible, markup and other text stay as they are", "[security][display]")
{
    CHECK(visibleControls(QStringLiteral("fraud-detector v13")) == "fraud-detector v13");
    CHECK(visibleControls(QStringLiteral("<b>bold</b> & é 日本")) == "<b>bold</b> & é 日本");
    CHECK(visibleControls(QStringLiteral("red\x1b[31m")) == QStringLiteral("red\u241B[31m"));
    CHECK(visibleControls(QStringLiteral("a\nb\tc\rd")) == QStringLiteral("a\u240Ab\u2409c\u240Dd"));
    CHECK(visibleControls(QString(QChar(0)) + QChar(0x7f)) == QStringLiteral("\u2400\u2421"));
    CHECK(visibleControls(QStringLiteral("\u202Egnp.exe")) == "<U+202E>gnp.exe");
    CHECK(visibleControls(QStringLiteral("\u2066x\u2069\u200F\u061C")) == "<U+2066>x<U+2069><U+200F><U+061C>");
    // Multi-line text keeps its lines and tabs.
    CHECK(visibleControlsMultiline(QStringLiteral("a\nb\tc\x1b")) == QStringLiteral("a\nb\tc\u241B"));
}

TEST_CASE("A plain tool tip shows its text as written even when the text looks like HTML", "[security][display]")
{
    const QString text = QStringLiteral("model=\"<img src=x onerror=alert(1)><b>bold</b>\"\nsecond line");
    const QString tip = plainToolTip(text);
    REQUIRE(Qt::mightBeRichText(tip)); // ours, so QToolTip does not guess
    QTextDocument doc;
    doc.setHtml(tip);
    CHECK(doc.toPlainText() == text);
    CHECK_FALSE(tip.contains(QStringLiteral("<img")));
    CHECK(plainToolTip(QString()).isEmpty());
}
