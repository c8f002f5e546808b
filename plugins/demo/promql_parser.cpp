// SPDX-License-Identifier: GPL-3.0-or-later
#include "promql_parser.h"
#include "workspace/workspace.h" // kMaxDurationMs

#include <cmath>
#include <limits>
#include <optional>

namespace vigil::demo::promql {

namespace {

const QString kNameLabel = QStringLiteral("__name__");

enum class Tok { End, Ident, Number, String, LParen, RParen, LBrace, RBrace, Range, Comma, Op, At };

struct Token
{
    Tok kind = Tok::End;
    QString text; // identifier, operator, decoded string, or the raw text inside [ ]
    int pos = 0;
    double number = 0.0;
};

// Thrown inside the parser only; parse() turns it into a ParseResult.
struct Failure
{
    int pos = 0;
    QString message;
    bool unsupported = false;
};

[[noreturn]] void fail(int pos, const QString &message)
{
    throw Failure{pos, message, false};
}

[[noreturn]] void unsupported(int pos, const QString &what)
{
    throw Failure{pos, what, true};
}

bool isIdentStart(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || c == u'_' || c == u':';
}
bool isIdentChar(QChar c)
{
    return isIdentStart(c) || (c >= u'0' && c <= u'9');
}
bool isDigit(QChar c)
{
    return c >= u'0' && c <= u'9';
}

QString describe(const Token &t)
{
    switch (t.kind) {
    case Tok::End: return QStringLiteral("end of input");
    case Tok::Ident: return QStringLiteral("identifier \"%1\"").arg(t.text);
    case Tok::Number: return QStringLiteral("number \"%1\"").arg(t.text);
    case Tok::String: return QStringLiteral("string");
    case Tok::LParen: return QStringLiteral("\"(\"");
    case Tok::RParen: return QStringLiteral("\")\"");
    case Tok::LBrace: return QStringLiteral("\"{\"");
    case Tok::RBrace: return QStringLiteral("\"}\"");
    case Tok::Range: return QStringLiteral("\"[\"");
    case Tok::Comma: return QStringLiteral("\",\"");
    case Tok::Op: return QStringLiteral("\"%1\"").arg(t.text);
    case Tok::At: return QStringLiteral("\"@\"");
    }
    return QStringLiteral("token");
}

// Decodes one quoted string starting at s[i] (the quote), as Prometheus' lexer
// does (Go escapes; backquotes are raw). Advances i past the closing quote.
QString lexString(const QString &s, qsizetype &i)
{
    const int start = int(i);
    const QChar quote = s[i++];
    QString out;
    while (i < s.size()) {
        const QChar c = s[i++];
        if (c == quote)
            return out;
        if (quote == u'`' || c != u'\\') {
            if (c == u'\n' && quote != u'`')
                fail(start, QStringLiteral("unterminated quoted string"));
            out += c;
            continue;
        }
        if (i >= s.size())
            break;
        const QChar e = s[i++];
        switch (e.unicode()) {
        case 'a': out += QChar(7); break;
        case 'b': out += QChar(8); break;
        case 'f': out += QChar(12); break;
        case 'n': out += QChar(10); break;
        case 'r': out += QChar(13); break;
        case 't': out += QChar(9); break;
        case 'v': out += QChar(11); break;
        case '\\': out += u'\\'; break;
        case '"':
        case '\'':
            if (e != quote)
                fail(int(i) - 2, QStringLiteral("unknown escape sequence \\%1").arg(e));
            out += e;
            break;
        case 'x':
        case 'u':
        case 'U': {
            const int digits = e == u'x' ? 2 : e == u'u' ? 4 : 8;
            bool ok = false;
            const uint code = s.mid(i, digits).toUInt(&ok, 16);
            if (!ok || s.mid(i, digits).size() != digits)
                fail(int(i) - 2, QStringLiteral("invalid escape sequence \\%1").arg(e));
            i += digits;
            if (e == u'x')
                out += QChar(char16_t(code)); // a byte; ASCII in practice
            else
                out += QString::fromUcs4(reinterpret_cast<const char32_t *>(&code), 1);
            break;
        }
        default:
            if (e >= u'0' && e <= u'7') {
                bool ok = false;
                const uint code = s.mid(i - 1, 3).toUInt(&ok, 8);
                if (!ok || s.mid(i - 1, 3).size() != 3)
                    fail(int(i) - 2, QStringLiteral("invalid escape sequence \\%1").arg(e));
                i += 2;
                out += QChar(char16_t(code));
                break;
            }
            fail(int(i) - 2, QStringLiteral("unknown escape sequence \\%1").arg(e));
        }
    }
    fail(start, QStringLiteral("unterminated quoted string"));
}

std::vector<Token> lex(const QString &s)
{
    std::vector<Token> out;
    qsizetype i = 0;
    while (i < s.size()) {
        const QChar c = s[i];
        const int pos = int(i);
        if (c.isSpace()) {
            ++i;
            continue;
        }
        if (c == u'#') { // a comment, to the end of the line
            while (i < s.size() && s[i] != u'\n')
                ++i;
            continue;
        }
        Token t;
        t.pos = pos;
        if (isDigit(c) || (c == u'.' && i + 1 < s.size() && isDigit(s[i + 1]))) {
            qsizetype j = i;
            if (c == u'0' && j + 1 < s.size() && (s[j + 1] == u'x' || s[j + 1] == u'X')) {
                j += 2;
                while (j < s.size() && isxdigit(s[j].toLatin1()))
                    ++j;
            } else {
                while (j < s.size() && isDigit(s[j]))
                    ++j;
                if (j < s.size() && s[j] == u'.') {
                    ++j;
                    while (j < s.size() && isDigit(s[j]))
                        ++j;
                }
                if (j < s.size() && (s[j] == u'e' || s[j] == u'E')) {
                    qsizetype k = j + 1;
                    if (k < s.size() && (s[k] == u'+' || s[k] == u'-'))
                        ++k;
                    if (k < s.size() && isDigit(s[k])) {
                        j = k;
                        while (j < s.size() && isDigit(s[j]))
                            ++j;
                    }
                }
            }
            const bool afterOffset = !out.empty() && out.back().kind == Tok::Ident
                && out.back().text.compare(QLatin1String("offset"), Qt::CaseInsensitive) == 0;
            if (afterOffset && j < s.size() && isIdentChar(s[j])) {
                // `offset 5m`: a bare duration. The parser refuses the offset
                // modifier by name; lex the duration so it gets that far.
                while (j < s.size() && isIdentChar(s[j]))
                    ++j;
                t.kind = Tok::Number;
                t.text = s.mid(i, j - i);
                out.push_back(t);
                i = j;
                continue;
            }
            if (j < s.size() && isIdentChar(s[j]))
                fail(pos, QStringLiteral("bad number or duration syntax: \"%1\"").arg(s.mid(i, j - i + 1)));
            t.kind = Tok::Number;
            t.text = s.mid(i, j - i);
            bool ok = false;
            t.number = t.text.startsWith(QLatin1String("0x"), Qt::CaseInsensitive)
                           ? double(t.text.mid(2).toULongLong(&ok, 16))
                           : t.text.toDouble(&ok);
            if (!ok)
                fail(pos, QStringLiteral("bad number syntax: \"%1\"").arg(t.text));
            i = j;
        } else if (isIdentStart(c)) {
            qsizetype j = i;
            while (j < s.size() && isIdentChar(s[j]))
                ++j;
            t.kind = Tok::Ident;
            t.text = s.mid(i, j - i);
            i = j;
        } else if (c == u'"' || c == u'\'' || c == u'`') {
            t.kind = Tok::String;
            t.text = lexString(s, i);
        } else if (c == u'[') {
            const qsizetype close = s.indexOf(u']', i);
            if (close < 0)
                fail(pos, QStringLiteral("unclosed left bracket"));
            t.kind = Tok::Range;
            t.text = s.mid(i + 1, close - i - 1).trimmed();
            i = close + 1;
        } else {
            static const char *const twoChar[] = {"==", "!=", "<=", ">=", "=~", "!~"};
            QString op;
            for (const char *candidate : twoChar) {
                if (s.mid(i, 2) == QLatin1String(candidate))
                    op = QLatin1String(candidate);
            }
            if (op.isEmpty() && QStringLiteral("+-*/%^<>=").contains(c))
                op = c;
            if (!op.isEmpty()) {
                t.kind = Tok::Op;
                t.text = op;
                i += op.size();
            } else {
                switch (c.unicode()) {
                case '(': t.kind = Tok::LParen; break;
                case ')': t.kind = Tok::RParen; break;
                case '{': t.kind = Tok::LBrace; break;
                case '}': t.kind = Tok::RBrace; break;
                case ',': t.kind = Tok::Comma; break;
                case '@': t.kind = Tok::At; break;
                case ']': fail(pos, QStringLiteral("unexpected right bracket \"]\""));
                default: fail(pos, QStringLiteral("unexpected character: '%1'").arg(c));
                }
                t.text = c;
                ++i;
            }
        }
        out.push_back(std::move(t));
    }
    Token end;
    end.pos = int(s.size());
    out.push_back(end);
    return out;
}

bool isAggregateName(const QString &name)
{
    static const QStringList all{
        QStringLiteral("sum"),     QStringLiteral("avg"),    QStringLiteral("min"),         QStringLiteral("max"),
        QStringLiteral("count"),   QStringLiteral("stddev"), QStringLiteral("stdvar"),      QStringLiteral("topk"),
        QStringLiteral("bottomk"), QStringLiteral("group"),  QStringLiteral("count_values"), QStringLiteral("quantile")};
    return all.contains(name.toLower());
}

std::optional<AggregateOp> supportedAggregate(const QString &name)
{
    const QString n = name.toLower();
    if (n == QLatin1String("sum"))
        return AggregateOp::Sum;
    if (n == QLatin1String("avg"))
        return AggregateOp::Avg;
    if (n == QLatin1String("min"))
        return AggregateOp::Min;
    if (n == QLatin1String("max"))
        return AggregateOp::Max;
    if (n == QLatin1String("count"))
        return AggregateOp::Count;
    return std::nullopt;
}

int precedence(BinaryOp op)
{
    switch (op) {
    case BinaryOp::Add:
    case BinaryOp::Sub: return 1;
    case BinaryOp::Mul:
    case BinaryOp::Div:
    case BinaryOp::Mod: return 2;
    case BinaryOp::Pow: return 3;
    }
    return 0;
}

class Parser
{
public:
    explicit Parser(std::vector<Token> tokens) : m_toks(std::move(tokens)) {}

    std::unique_ptr<Expr> parseQuery()
    {
        auto e = parseExpr(0);
        if (peek().kind != Tok::End)
            fail(peek().pos, QStringLiteral("unexpected %1").arg(describe(peek())));
        return e;
    }

private:
    const Token &peek(size_t ahead = 0) const { return m_toks[std::min(m_i + ahead, m_toks.size() - 1)]; }
    Token next() { return m_toks[std::min(m_i++, m_toks.size() - 1)]; }
    bool peekIdent(const char *word, size_t ahead = 0) const
    {
        return peek(ahead).kind == Tok::Ident && peek(ahead).text.compare(QLatin1String(word), Qt::CaseInsensitive) == 0;
    }
    void expect(Tok kind, const QString &context)
    {
        if (peek().kind != kind) {
            Token want;
            want.kind = kind;
            fail(peek().pos, QStringLiteral("unexpected %1 %2, expected %3").arg(describe(peek()), context, describe(want)));
        }
        ++m_i;
    }

    // The binary operator at the cursor, if any; what PromQL has beyond the subset is refused here.
    std::optional<BinaryOp> peekBinaryOp() const
    {
        const Token &t = peek();
        if (t.kind == Tok::Op) {
            if (t.text == QLatin1String("+"))
                return BinaryOp::Add;
            if (t.text == QLatin1String("-"))
                return BinaryOp::Sub;
            if (t.text == QLatin1String("*"))
                return BinaryOp::Mul;
            if (t.text == QLatin1String("/"))
                return BinaryOp::Div;
            if (t.text == QLatin1String("%"))
                return BinaryOp::Mod;
            if (t.text == QLatin1String("^"))
                return BinaryOp::Pow;
            if (t.text != QLatin1String("=") && t.text != QLatin1String("=~") && t.text != QLatin1String("!~"))
                unsupported(t.pos, QStringLiteral("the comparison operator %1").arg(t.text));
            return std::nullopt;
        }
        if (t.kind == Tok::Ident) {
            for (const char *word : {"and", "or", "unless", "atan2"}) {
                if (peekIdent(word))
                    unsupported(t.pos, QStringLiteral("the %1 operator").arg(t.text.toLower()));
            }
        }
        return std::nullopt;
    }

    std::unique_ptr<Expr> parseExpr(int minPrecedence)
    {
        // Every level of nesting is a level of recursion here, in the
        // evaluator and in the tree's destructor: without a bound, a query of
        // a few thousand '(' or '-' overflows the stack (found with the fuzz_promql
        // binary; tests/unit/test_fuzz_regressions.cpp).
        // A chain a+b+c... parses in a loop but builds a tree as deep, so each
        // operator counts as a level too.
        const DepthGuard guard(m_depth, peek().pos);
        auto lhs = parseUnary();
        for (int chain = 1;; ++chain) {
            const auto op = peekBinaryOp();
            if (!op || precedence(*op) < minPrecedence)
                return lhs;
            const Token opToken = next();
            if (m_depth + chain > kMaxDepth)
                failTooDeep(opToken.pos);
            auto bin = std::make_unique<Expr>();
            bin->kind = Expr::Kind::Binary;
            bin->op = *op;
            bin->position = opToken.pos;
            bool matching = false;
            if (peekIdent("bool"))
                unsupported(peek().pos, QStringLiteral("the bool modifier"));
            if (peekIdent("on") || peekIdent("ignoring")) {
                bin->matchOn = peekIdent("on");
                ++m_i;
                bin->matchingLabels = parseLabelList(bin->matchOn ? "on" : "ignoring");
                matching = true;
            }
            if (peekIdent("group_left") || peekIdent("group_right"))
                unsupported(peek().pos, QStringLiteral("%1 (many-to-one matching)").arg(peek().text));
            // ^ is right-associative, the others left-associative.
            auto rhs = parseExpr(*op == BinaryOp::Pow ? precedence(*op) : precedence(*op) + 1);
            if (lhs->type == ValueType::Matrix || rhs->type == ValueType::Matrix)
                fail(opToken.pos, QStringLiteral("binary expression must contain only scalar and instant vector types"));
            if (matching && (lhs->type != ValueType::Vector || rhs->type != ValueType::Vector))
                fail(opToken.pos, QStringLiteral("vector matching only allowed between instant vectors"));
            bin->type = lhs->type == ValueType::Vector || rhs->type == ValueType::Vector ? ValueType::Vector
                                                                                          : ValueType::Scalar;
            bin->args.push_back(std::move(lhs));
            bin->args.push_back(std::move(rhs));
            lhs = std::move(bin);
        }
    }

    // Unary minus binds like * (Prometheus' grammar: `unary_op expr %prec MUL`),
    // so only ^ binds tighter: -2^2 is -4.
    std::unique_ptr<Expr> parseUnary()
    {
        const Token &t = peek();
        if (t.kind == Tok::Op && (t.text == QLatin1String("-") || t.text == QLatin1String("+"))) {
            const Token sign = next();
            auto operand = parseExpr(precedence(BinaryOp::Pow));
            if (operand->type == ValueType::Matrix)
                fail(sign.pos, QStringLiteral("unary expression only allowed on expressions of type scalar or "
                                              "instant vector, got \"range vector\""));
            if (sign.text == QLatin1String("+"))
                return operand;
            if (operand->kind == Expr::Kind::Number) {
                operand->number = -operand->number;
                operand->position = sign.pos;
                return operand;
            }
            auto neg = std::make_unique<Expr>();
            neg->kind = Expr::Kind::Negate;
            neg->type = operand->type;
            neg->position = sign.pos;
            neg->args.push_back(std::move(operand));
            return neg;
        }
        bool parenthesized = false;
        auto e = parsePrimary(parenthesized);
        return parsePostfix(std::move(e), parenthesized);
    }

    std::unique_ptr<Expr> parsePostfix(std::unique_ptr<Expr> e, bool parenthesized)
    {
        for (;;) {
            const Token &t = peek();
            if (t.kind == Tok::Range) {
                if (t.text.contains(u':'))
                    unsupported(t.pos, QStringLiteral("subqueries ([%1])").arg(t.text));
                if (e->kind != Expr::Kind::VectorSelector || parenthesized)
                    fail(t.pos, QStringLiteral("ranges only allowed for vector selectors"));
                const qint64 ms = parseDuration(t.text);
                if (ms <= 0)
                    fail(t.pos, QStringLiteral("bad duration syntax: \"%1\"").arg(t.text));
                e->kind = Expr::Kind::MatrixSelector;
                e->type = ValueType::Matrix;
                e->rangeMs = ms;
                ++m_i;
                continue;
            }
            if (peekIdent("offset"))
                unsupported(t.pos, QStringLiteral("the offset modifier"));
            if (t.kind == Tok::At)
                unsupported(t.pos, QStringLiteral("the @ modifier"));
            return e;
        }
    }

    std::unique_ptr<Expr> parsePrimary(bool &parenthesized)
    {
        const Token t = peek();
        switch (t.kind) {
        case Tok::Number: {
            ++m_i;
            auto e = std::make_unique<Expr>();
            e->kind = Expr::Kind::Number;
            e->number = t.number;
            e->position = t.pos;
            return e;
        }
        case Tok::String: unsupported(t.pos, QStringLiteral("string literals"));
        case Tok::LParen: {
            ++m_i;
            auto e = parseExpr(0);
            if (peek().kind != Tok::RParen)
                fail(peek().pos, QStringLiteral("unexpected %1, expected \")\"").arg(describe(peek())));
            ++m_i;
            parenthesized = true;
            return e;
        }
        case Tok::LBrace: return parseSelector(QString(), t.pos);
        case Tok::Ident: {
            if (isAggregateName(t.text) && (peek(1).kind == Tok::LParen || peekIdent("by", 1) || peekIdent("without", 1)))
                return parseAggregate();
            if (peek(1).kind == Tok::LParen)
                return parseCall();
            if (t.text.compare(QLatin1String("inf"), Qt::CaseInsensitive) == 0
                || t.text.compare(QLatin1String("nan"), Qt::CaseInsensitive) == 0) {
                ++m_i;
                auto e = std::make_unique<Expr>();
                e->kind = Expr::Kind::Number;
                e->number = t.text.startsWith(u'i', Qt::CaseInsensitive) ? std::numeric_limits<double>::infinity()
                                                                         : std::numeric_limits<double>::quiet_NaN();
                e->position = t.pos;
                return e;
            }
            ++m_i;
            return parseSelector(t.text, t.pos);
        }
        default: fail(t.pos, QStringLiteral("unexpected %1").arg(describe(t)));
        }
    }

    std::unique_ptr<Expr> parseSelector(const QString &metricName, int pos)
    {
        auto e = std::make_unique<Expr>();
        e->kind = Expr::Kind::VectorSelector;
        e->type = ValueType::Vector;
        e->position = pos;
        e->metricName = metricName;
        if (!metricName.isEmpty())
            e->matchers.append(LabelMatcher::make(kNameLabel, LabelMatcher::Op::Equal, metricName));
        if (peek().kind == Tok::LBrace) {
            ++m_i;
            while (peek().kind != Tok::RBrace) {
                const Token name = next();
                if (name.kind != Tok::Ident || name.text.contains(u':'))
                    fail(name.pos, QStringLiteral("unexpected %1 in label matching, expected label name")
                                       .arg(describe(name)));
                const Token op = next();
                static const QHash<QString, LabelMatcher::Op> ops{{QStringLiteral("="), LabelMatcher::Op::Equal},
                                                                  {QStringLiteral("!="), LabelMatcher::Op::NotEqual},
                                                                  {QStringLiteral("=~"), LabelMatcher::Op::Regex},
                                                                  {QStringLiteral("!~"), LabelMatcher::Op::NotRegex}};
                if (op.kind != Tok::Op || !ops.contains(op.text))
                    fail(op.pos, QStringLiteral("unexpected %1 in label matching, expected label matching operator")
                                     .arg(describe(op)));
                const Token value = next();
                if (value.kind != Tok::String)
                    fail(value.pos, QStringLiteral("unexpected %1 in label matching, expected string")
                                        .arg(describe(value)));
                LabelMatcher m = LabelMatcher::make(name.text, ops.value(op.text), value.text);
                if (!m.isValid())
                    fail(value.pos, QStringLiteral("invalid regular expression \"%1\": %2")
                                        .arg(value.text, m.regex.errorString()));
                if (name.text == kNameLabel && !metricName.isEmpty())
                    fail(name.pos, QStringLiteral("metric name must not be set twice: \"%1\" or \"%2\"")
                                       .arg(metricName, value.text));
                e->matchers.append(std::move(m));
                if (peek().kind == Tok::Comma)
                    ++m_i;
                else if (peek().kind != Tok::RBrace)
                    fail(peek().pos, QStringLiteral("unexpected %1 in label matching, expected \",\" or \"}\"")
                                         .arg(describe(peek())));
            }
            ++m_i;
        }
        // Prometheus refuses selectors that would match every series.
        const bool anyNonEmpty = std::any_of(e->matchers.begin(), e->matchers.end(),
                                             [](const LabelMatcher &m) { return !m.matches(QString()); });
        if (!anyNonEmpty)
            fail(pos, QStringLiteral("vector selector must contain at least one non-empty matcher"));
        return e;
    }

    QStringList parseLabelList(const char *clause)
    {
        const QString context = QStringLiteral("in %1 clause").arg(QLatin1String(clause));
        expect(Tok::LParen, context);
        QStringList labels;
        while (peek().kind != Tok::RParen) {
            const Token name = next();
            if (name.kind != Tok::Ident || name.text.contains(u':'))
                fail(name.pos, QStringLiteral("unexpected %1 %2, expected label").arg(describe(name), context));
            labels.append(name.text);
            if (peek().kind == Tok::Comma)
                ++m_i;
            else if (peek().kind != Tok::RParen)
                fail(peek().pos, QStringLiteral("unexpected %1 %2, expected \",\" or \")\"").arg(describe(peek()), context));
        }
        ++m_i;
        return labels;
    }

    std::vector<std::unique_ptr<Expr>> parseArguments(const QString &context)
    {
        expect(Tok::LParen, context);
        std::vector<std::unique_ptr<Expr>> args;
        while (peek().kind != Tok::RParen) {
            args.push_back(parseExpr(0));
            if (peek().kind == Tok::Comma)
                ++m_i;
            else if (peek().kind != Tok::RParen)
                fail(peek().pos,
                     QStringLiteral("unexpected %1 %2, expected \",\" or \")\"").arg(describe(peek()), context));
        }
        ++m_i;
        return args;
    }

    std::unique_ptr<Expr> parseAggregate()
    {
        const Token name = next();
        const auto op = supportedAggregate(name.text);
        if (!op)
            unsupported(name.pos, QStringLiteral("the aggregation %1").arg(name.text.toLower()));
        auto e = std::make_unique<Expr>();
        e->kind = Expr::Kind::Aggregate;
        e->type = ValueType::Vector;
        e->aggregate = *op;
        e->position = name.pos;
        bool grouped = false;
        auto grouping = [&] {
            if (peekIdent("by") || peekIdent("without")) {
                if (grouped)
                    fail(peek().pos, QStringLiteral("unexpected %1: aggregation already has a grouping clause")
                                         .arg(describe(peek())));
                e->without = peekIdent("without");
                ++m_i;
                e->grouping = parseLabelList(e->without ? "without" : "by");
                grouped = true;
            }
        };
        grouping(); // sum by (a) (x)
        e->args = parseArguments(QStringLiteral("in aggregation"));
        grouping(); // sum (x) by (a)
        if (e->args.size() != 1)
            fail(name.pos, QStringLiteral("wrong number of arguments for aggregate expression provided, expected 1, got %1")
                               .arg(e->args.size()));
        if (e->args[0]->type != ValueType::Vector)
            fail(e->args[0]->position, QStringLiteral("expected type instant vector in aggregation expression, got %1")
                                           .arg(valueTypeName(e->args[0]->type)));
        return e;
    }

    std::unique_ptr<Expr> parseCall()
    {
        const Token name = next();
        auto e = std::make_unique<Expr>();
        e->kind = Expr::Kind::Call;
        e->type = ValueType::Vector;
        e->position = name.pos;
        QList<ValueType> signature;
        if (name.text == QLatin1String("rate")) {
            e->function = Function::Rate;
            signature = {ValueType::Matrix};
        } else if (name.text == QLatin1String("increase")) {
            e->function = Function::Increase;
            signature = {ValueType::Matrix};
        } else if (name.text == QLatin1String("histogram_quantile")) {
            e->function = Function::HistogramQuantile;
            signature = {ValueType::Scalar, ValueType::Vector};
        } else {
            unsupported(name.pos, QStringLiteral("the function %1()").arg(name.text));
        }
        e->args = parseArguments(QStringLiteral("in call to function \"%1\"").arg(name.text));
        if (qsizetype(e->args.size()) != signature.size())
            fail(name.pos, QStringLiteral("expected %1 argument(s) in call to \"%2\", got %3")
                               .arg(signature.size())
                               .arg(name.text)
                               .arg(e->args.size()));
        for (qsizetype i = 0; i < signature.size(); ++i) {
            if (e->args[size_t(i)]->type != signature[i])
                fail(e->args[size_t(i)]->position, QStringLiteral("expected type %1 in call to function \"%2\", got %3")
                                                       .arg(valueTypeName(signature[i]), name.text,
                                                            valueTypeName(e->args[size_t(i)]->type)));
        }
        return e;
    }

    // 128 levels: far beyond any hand-written query, far below what
    // overflows a thread's 8 MB stack, sanitizers on.
    static constexpr int kMaxDepth = 128;
    [[noreturn]] static void failTooDeep(int pos)
    {
        fail(pos, QStringLiteral("expression nested too deeply (more than %1 levels)").arg(kMaxDepth));
    }
    struct DepthGuard
    {
        DepthGuard(int &depth, int pos) : m_d(depth)
        {
            if (m_d >= kMaxDepth)
                failTooDeep(pos);
            ++m_d;
        }
        ~DepthGuard() { --m_d; }
        DepthGuard(const DepthGuard &) = delete;
        DepthGuard &operator=(const DepthGuard &) = delete;
        int &m_d;
    };

    std::vector<Token> m_toks;
    size_t m_i = 0;
    int m_depth = 0; // parseExpr calls in progress
};

// "1:12", as Prometheus' ParseErr prints a position (line:column, 1-based).
QString lineColumn(const QString &text, int pos)
{
    int line = 1;
    int lineStart = 0;
    for (int i = 0; i < pos && i < text.size(); ++i) {
        if (text[i] == u'\n') {
            ++line;
            lineStart = i + 1;
        }
    }
    return QStringLiteral("%1:%2").arg(line).arg(pos - lineStart + 1);
}

} // namespace

QString valueTypeName(ValueType type)
{
    switch (type) {
    case ValueType::Scalar: return QStringLiteral("scalar");
    case ValueType::Vector: return QStringLiteral("instant vector");
    case ValueType::Matrix: return QStringLiteral("range vector");
    }
    return {};
}

QString supportedSubset()
{
    return QStringLiteral("selectors with =, !=, =~, !~ and [range]; rate, increase, histogram_quantile; "
                          "sum, avg, min, max, count with by/without; + - * / % ^ between vectors "
                          "(on/ignoring) and scalars; numbers; parentheses");
}

qint64 parseDuration(const QString &text)
{
    // Prometheus' model.ParseDuration: integer amounts, units largest first, each at most once.
    static const std::pair<const char *, qint64> units[] = {
        {"y", 365LL * 24 * 3'600'000}, {"w", 7LL * 24 * 3'600'000}, {"d", 24LL * 3'600'000}, {"h", 3'600'000},
        {"m", 60'000},                 {"s", 1000},                 {"ms", 1}};
    if (text.isEmpty())
        return -1;
    qint64 total = 0;
    int lastUnit = -1;
    qsizetype i = 0;
    while (i < text.size()) {
        qsizetype j = i;
        while (j < text.size() && isDigit(text[j]))
            ++j;
        if (j == i)
            return -1;
        bool ok = false;
        const qint64 amount = text.mid(i, j - i).toLongLong(&ok);
        if (!ok)
            return -1;
        qsizetype k = j;
        while (k < text.size() && !isDigit(text[k]))
            ++k;
        const QString unit = text.mid(j, k - j);
        int found = -1;
        for (int u = 0; u < int(std::size(units)); ++u) {
            if (unit == QLatin1String(units[u].first))
                found = u;
        }
        if (found <= lastUnit)
            return -1;
        lastUnit = found;
        qint64 part = 0;
        if (__builtin_mul_overflow(amount, units[found].second, &part) || __builtin_add_overflow(total, part, &total))
            return -1;
        i = k;
    }
    return total <= kMaxDurationMs ? total : -1;
}

ParseResult parse(const QString &text)
{
    ParseResult r;
    try {
        Parser p(lex(text));
        r.expr = p.parseQuery();
    } catch (const Failure &f) {
        r.expr.reset();
        r.unsupported = f.unsupported;
        r.error = f.unsupported ? QStringLiteral("the demo connector does not support %1 at %2 (supported: %3)")
                                      .arg(f.message, lineColumn(text, f.pos), supportedSubset())
                                : QStringLiteral("%1: parse error: %2").arg(lineColumn(text, f.pos), f.message);
    }
    return r;
}

} // namespace vigil::demo::promql
