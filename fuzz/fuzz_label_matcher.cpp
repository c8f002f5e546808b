// SPDX-License-Identifier: GPL-3.0-or-later
// Silence matchers are typed by the user or read from the workspace file.
// Besides never crashing: what parses must print back (toString) to a text
// that parses to the same matcher, since that is how a silence is saved.
#include "rules/silences.h"

#include <QString>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

using namespace vigil;
using namespace vigil::rules;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    QString error;
    const std::optional<LabelMatcher> m = LabelMatcher::parse(text, &error);
    if (!m) {
        if (error.isEmpty())
            std::abort(); // a refusal always says why
        return 0;
    }
    Labels labels;
    labels.append({m->name(), m->value()});
    (void)m->matches(labels);
    (void)m->matches(Labels());
    (void)m->matchesEmpty();

    const std::optional<LabelMatcher> again = LabelMatcher::parse(m->toString());
    if (!again || again->name() != m->name() || again->op() != m->op() || again->value() != m->value())
        std::abort();
    return 0;
}
