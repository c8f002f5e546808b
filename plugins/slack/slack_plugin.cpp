// SPDX-License-Identifier: GPL-3.0-or-later
#include "slack_plugin.h"

#include "slack_notifier.h"

namespace vigil::slack {

Notifier *SlackPlugin::createNotifier(const NotifierSettings &settings, QObject *parent)
{
    return new SlackNotifier(settings, parent);
}

} // namespace vigil::slack
