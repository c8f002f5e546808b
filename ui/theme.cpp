// SPDX-License-Identifier: GPL-3.0-or-later
#include "theme.h"

#include <QApplication>
#include <QEvent>
#include <QPalette>
#include <QWidget>
#include <QStyle>
#include <optional>

namespace vigil::ui {

namespace {

std::optional<QPalette> &desktopPalette()
{
    static std::optional<QPalette> p;
    return p;
}

ThemeMode g_mode = ThemeMode::System;

QPalette darkPalette()
{
    QPalette p;
    const QColor window(0x2b, 0x2d, 0x30), base(0x1e, 0x1f, 0x22), text(0xe6, 0xe6, 0xe6), disabled(0x80, 0x80, 0x80);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, QColor(0x26, 0x28, 0x2b));
    p.setColor(QPalette::ToolTipBase, QColor(0x3a, 0x3d, 0x41));
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, QColor(0xa0, 0xa4, 0xa8));
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, QColor(0x35, 0x37, 0x3b));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, QColor(0xff, 0x6b, 0x6b));
    p.setColor(QPalette::Light, QColor(0x45, 0x48, 0x4c));
    p.setColor(QPalette::Midlight, QColor(0x3c, 0x3f, 0x43));
    p.setColor(QPalette::Mid, QColor(0x55, 0x58, 0x5c));
    p.setColor(QPalette::Dark, QColor(0x18, 0x19, 0x1b));
    p.setColor(QPalette::Shadow, Qt::black);
    p.setColor(QPalette::Highlight, QColor(0x3d, 0x7a, 0xd6));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x6c, 0xb0, 0xff));
    for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, disabled);
    return p;
}

QPalette lightPalette()
{
    // The style's own light palette (Fusion's on most desktops).
    QPalette p = QApplication::style()->standardPalette();
    if (p.color(QPalette::Window).lightness() < 128)
        p = QPalette(QColor(0xef, 0xef, 0xef));
    return p;
}

} // namespace

namespace {
void recolourErrorText();
} // namespace

QString themeName(ThemeMode mode)
{
    switch (mode) {
    case ThemeMode::Light: return QStringLiteral("light");
    case ThemeMode::Dark: return QStringLiteral("dark");
    case ThemeMode::System: break;
    }
    return QStringLiteral("system");
}

ThemeMode themeFromName(const QString &name)
{
    if (name == QLatin1String("light"))
        return ThemeMode::Light;
    if (name == QLatin1String("dark"))
        return ThemeMode::Dark;
    return ThemeMode::System;
}

bool systemPrefersDark()
{
    const QPalette p = desktopPalette().value_or(QApplication::palette());
    return p.color(QPalette::Window).lightness() < 128;
}

void applyTheme(ThemeMode mode)
{
    if (!desktopPalette())
        desktopPalette() = QApplication::palette();
    g_mode = mode;
    switch (mode) {
    case ThemeMode::System: QApplication::setPalette(*desktopPalette()); break;
    case ThemeMode::Light: QApplication::setPalette(lightPalette()); break;
    case ThemeMode::Dark: QApplication::setPalette(darkPalette()); break;
    }
    recolourErrorText();
}

ThemeMode currentTheme()
{
    return g_mode;
}

bool themeIsDark()
{
    return QApplication::palette().color(QPalette::Window).lightness() < 128;
}

QColor errorTextColor()
{
    return themeIsDark() ? QColor(0xff, 0x8a, 0x80) : QColor(0xb7, 0x1c, 0x1c);
}

namespace {

const char *const kErrorProperty = "vigilErrorText";

void applyErrorColor(QWidget *w)
{
    w->setStyleSheet(w->property(kErrorProperty).toBool()
                         ? QStringLiteral("color: %1;").arg(errorTextColor().name())
                         : QString());
}

// Every error text, after applyTheme() (Qt sends ApplicationPaletteChange
// only while the event loop runs, and only to child widgets).
void recolourErrorText()
{
    for (QWidget *w : QApplication::allWidgets())
        if (w->property(kErrorProperty).isValid())
            applyErrorColor(w);
}

// Re-colours error text when the desktop's palette changes under System.
class ErrorTextFollower : public QObject
{
public:
    using QObject::QObject;
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::ApplicationPaletteChange)
            if (auto *w = qobject_cast<QWidget *>(watched))
                applyErrorColor(w);
        return false;
    }
};

} // namespace

void setErrorText(QWidget *w, bool on)
{
    static auto *follower = new ErrorTextFollower(qApp);
    if (!w->property(kErrorProperty).isValid())
        w->installEventFilter(follower);
    w->setProperty(kErrorProperty, on);
    applyErrorColor(w);
}

} // namespace vigil::ui
