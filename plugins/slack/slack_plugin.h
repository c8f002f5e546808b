// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "notify/notifier.h"

#include <QObject>

namespace vigil::slack {

// The factory the app finds by kind "slack" (see plugin.json).
class SlackPlugin : public QObject, public vigil::NotifierPlugin
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID VIGIL_NOTIFIER_PLUGIN_IID FILE "plugin.json")
    Q_INTERFACES(vigil::NotifierPlugin)
public:
    using QObject::QObject;
    Notifier *createNotifier(const NotifierSettings &settings, QObject *parent) override;
};

} // namespace vigil::slack
