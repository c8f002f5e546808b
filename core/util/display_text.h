// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace vigil {

// Text from a server (label values, annotations, messages) made safe to show
// on one line of the UI: control characters become visible instead of acting.
// C0 controls and DEL become their Unicode Control Pictures (ESC -> U+241B
// "␛", newline -> "␊"); bidirectional formatting characters (U+202A..U+202E,
// U+2066..U+2069, U+200E, U+200F, U+061C), which would reorder the text
// around them (an RLO makes "gnp.exe" read "exe.png"), become "<U+202E>".
// Everything else, markup included, is left as it is: callers still show the
// result as plain text (or escape it where a widget only takes HTML).
QString visibleControls(const QString &text);

// The same for a multi-line text: newlines and tabs are kept.
QString visibleControlsMultiline(const QString &text);

} // namespace vigil

namespace vigil {

// A tool tip that shows `text` as written. QToolTip guesses the format
// (Qt::mightBeRichText), so a label value such as "<img src=x>" would turn a
// plain tip into HTML; this returns HTML of our own with the text escaped,
// its line breaks kept and its control characters made visible.
QString plainToolTip(const QString &text);

} // namespace vigil
