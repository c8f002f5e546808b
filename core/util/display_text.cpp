// SPDX-License-Identifier: GPL-3.0-or-later
#include "util/display_text.h"

namespace vigil {

namespace {

bool isBidiControl(char16_t c)
{
    return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) || c == 0x200E || c == 0x200F
           || c == 0x061C;
}

QString visible(const QString &text, bool keepLines)
{
    // Most text has nothing to replace: no copy then.
    qsizetype first = 0;
    for (; first < text.size(); ++first) {
        const char16_t c = text[first].unicode();
        if ((c < 0x20 && !(keepLines && (c == u'\n' || c == u'\t'))) || c == 0x7F || isBidiControl(c))
            break;
    }
    if (first == text.size())
        return text;
    QString out = text.left(first);
    out.reserve(text.size() + 8);
    for (qsizetype i = first; i < text.size(); ++i) {
        const char16_t c = text[i].unicode();
        if (keepLines && (c == u'\n' || c == u'\t'))
            out += QChar(c);
        else if (c < 0x20)
            out += QChar(char16_t(0x2400 + c));
        else if (c == 0x7F)
            out += QChar(char16_t(0x2421));
        else if (isBidiControl(c))
            out += QStringLiteral("<U+%1>").arg(uint(c), 4, 16, QLatin1Char('0')).toUpper();
        else
            out += QChar(c);
    }
    return out;
}

} // namespace

QString visibleControls(const QString &text)
{
    return visible(text, false);
}

QString visibleControlsMultiline(const QString &text)
{
    return visible(text, true);
}

} // namespace vigil

namespace vigil {

QString plainToolTip(const QString &text)
{
    if (text.isEmpty())
        return text;
    return QStringLiteral("<p style='white-space:pre'>%1</p>")
        .arg(visibleControlsMultiline(text).toHtmlEscaped().replace(u'\n', QStringLiteral("<br>")));
}

} // namespace vigil
