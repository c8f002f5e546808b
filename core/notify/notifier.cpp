// SPDX-License-Identifier: GPL-3.0-or-later
#include "notify/notifier.h"

namespace vigil {

QString notificationKindName(Notification::Kind kind)
{
    switch (kind) {
    case Notification::Kind::Firing: return QStringLiteral("firing");
    case Notification::Kind::Resolved: return QStringLiteral("resolved");
    case Notification::Kind::Reopened: return QStringLiteral("re-opened");
    case Notification::Kind::Reminder: return QStringLiteral("reminder");
    }
    return {};
}

} // namespace vigil
