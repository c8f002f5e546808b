// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "notify/notifier.h"

#include <QStringList>
#include <QVariantMap>

namespace vigil::desktop {

// What the notification server told us it can do (GetCapabilities).
struct ServerCapabilities
{
    bool actions = false;    // "actions": buttons and the default (click) action
    bool bodyMarkup = false; // "body-markup": the body is parsed as a small XML subset

    static ServerCapabilities fromList(const QStringList &capabilities);
};

// The freedesktop.org urgency levels (hint "urgency", a byte).
enum class Urgency : uchar { Low = 0, Normal = 1, Critical = 2 };

// info -> low, warning -> normal, critical and page -> critical; anything else normal.
Urgency urgencyForSeverity(const QString &severity);

// Action keys as sent to the server and reported back by ActionInvoked.
// "default" is the spec's key for a click on the notification itself; Vigil
// reports it to the app as "open".
inline constexpr char kActionOpen[] = "default";
inline constexpr char kActionAck[] = "ack";
inline constexpr char kActionSnooze[] = "snooze-15m";
QString appActionForKey(const QString &key);

// The arguments of one Notify call, apart from app_name, replaces_id and app_icon.
struct DesktopMessage
{
    QString summary;       // one line, plain text (the spec never parses markup here)
    QString body;          // plain text, escaped when the server parses markup
    QStringList actions;   // key, label, key, label, ...; empty without "actions"
    QVariantMap hints;     // urgency (byte), desktop-entry, category
    int expireTimeoutMs = -1; // -1: the server's default; 0: never expires
};

DesktopMessage composeMessage(const Notification &n, const ServerCapabilities &caps);

// &, < and > as entities, so server, label and annotation text can never
// render as markup (or break the server's parser) where the body is markup.
QString escapeBodyMarkup(const QString &text);

// The alert a notification belongs to: its fingerprint, or rule + labels when
// the router did not set one. One desktop notification is kept per key.
QString alertKey(const Notification &n);

} // namespace vigil::desktop
