// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

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

} // namespace vigil::ui
