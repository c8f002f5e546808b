// SPDX-License-Identifier: GPL-3.0-or-later
// Inputs the fuzzers (fuzz/, docs/RELIABILITY.md) showed to crash, hang or
// misbehave, replayed in the normal suite. Each input is committed under
// tests/fixtures/fuzz-regressions/<parser>/; each case states what the parser
// must do with it instead.
#include <catch2/catch.hpp>

#include "promql_parser.h"

#include <QDir>
#include <QFile>

using namespace vigil;

namespace {

QByteArray regressionInput(const QString &name)
{
    QFile f(QStringLiteral(VIGIL_SOURCE_DIR "/tests/fixtures/fuzz-regressions/") + name);
    REQUIRE(f.open(QIODevice::ReadOnly));
    return f.readAll();
}

} // namespace

TEST_CASE("PromQL nested thousands of levels deep is refused with a message, not a stack overflow",
          "[fuzz][promql]")
{
    // 16 000 '(' / '-' / '^': each level was a recursion of the parser.
    for (const char *name : {"promql/deep-parentheses.promql", "promql/deep-negation.promql",
                             "promql/deep-power.promql"}) {
        DYNAMIC_SECTION(name)
        {
            const demo::promql::ParseResult r = demo::promql::parse(QString::fromUtf8(regressionInput(QLatin1String(name))));
            CHECK_FALSE(r.ok());
            CHECK_FALSE(r.unsupported);
            CHECK(r.error.contains(QStringLiteral("parse error: expression nested too deeply (more than 128 levels)")));
        }
    }
}

TEST_CASE("PromQL with thousands of chained operators is refused: the tree would be as deep", "[fuzz][promql]")
{
    // x+x+...+x, 5 400 terms: parsed in a loop, but evaluated and destroyed recursively.
    const demo::promql::ParseResult r = demo::promql::parse(QString::fromUtf8(regressionInput(QStringLiteral("promql/long-sum.promql"))));
    CHECK_FALSE(r.ok());
    CHECK(r.error.contains(QStringLiteral("nested too deeply")));
}

TEST_CASE("PromQL nesting up to the limit still parses", "[fuzz][promql]")
{
    const QString deep = QString(100, u'(') + QStringLiteral("x") + QString(100, u')');
    CHECK(demo::promql::parse(deep).ok());
    QString sum = QStringLiteral("x");
    for (int i = 0; i < 100; ++i)
        sum += QStringLiteral(" + x");
    CHECK(demo::promql::parse(sum).ok());
    CHECK(demo::promql::parse(QString(100, u'-') + QStringLiteral("x")).ok());
}
