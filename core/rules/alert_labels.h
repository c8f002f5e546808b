// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "rules/alert_instance.h"
#include "rules/rule.h"

namespace vigil::rules {

// The labels an alert carries outside the state machine (silences, routing,
// notifications), built as Prometheus builds them: the series' labels without
// its name, then the rule's labels (templates rendered, overriding the
// series'), then alertname = the rule's name. `severity` is added from the
// instance's severity unless the rule sets that label itself. Sorted by name.
Labels alertLabels(const Rule &rule, const AlertInstance &instance);

// The rule's annotations with templates rendered against the instance's
// series labels and last value, in the rule's order. Plain text.
QList<Annotation> renderAnnotations(const Rule &rule, const AlertInstance &instance);

} // namespace vigil::rules
