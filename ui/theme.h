// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QColor>
#include <QString>

class QWidget;

namespace vigil::ui {

// Light and dark: System follows the desktop (Qt 6.4 has no colour-scheme
// hint, so the desktop's palette decides: a dark window colour is a dark
// theme); Light and Dark override it. Charts follow the palette
// (ChartPanel::applyDarkOrLight).
enum class ThemeMode { System, Light, Dark };

QString themeName(ThemeMode mode);            // "system", "light", "dark"
ThemeMode themeFromName(const QString &name); // System for anything else
// Sets the application palette; the first call remembers the desktop's.
void applyTheme(ThemeMode mode);
ThemeMode currentTheme();
bool systemPrefersDark();
bool themeIsDark(); // what is on screen now

// Red for error text that reads on either theme: #b71c1c (contrast 6.6:1 on
// the light window) or #ff8a80 (7.9:1 on the dark one).
QColor errorTextColor();
// Shows `w`'s text in errorTextColor(), or back in the normal colour; it
// follows a later theme change.
void setErrorText(QWidget *w, bool on = true);

} // namespace vigil::ui
