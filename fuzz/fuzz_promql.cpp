// SPDX-License-Identifier: GPL-3.0-or-later
// The demo connector parses whatever PromQL a panel or rule holds: anything
// must parse or be refused with a message, never crash or recurse without end.
#include "promql_parser.h"

#include <QString>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

using namespace vigil::demo;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    const promql::ParseResult r = promql::parse(text);
    // Exactly one of: an expression, or an error for the user.
    if (r.ok() == !r.error.isEmpty())
        std::abort();
    (void)promql::parseDuration(text);
    return 0;
}
