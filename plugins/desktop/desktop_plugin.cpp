// SPDX-License-Identifier: GPL-3.0-or-later
#include "desktop_plugin.h"

#include "desktop_notifier.h"

namespace vigil::desktop {

Notifier *DesktopPlugin::createNotifier(const NotifierSettings &settings, QObject *parent)
{
    return new DesktopNotifier(settings, parent);
}

} // namespace vigil::desktop
