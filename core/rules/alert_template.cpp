// SPDX-License-Identifier: GPL-3.0-or-later
#include "rules/alert_template.h"

#include <QLocale>
#include <QStringList>
#include <cmath>
#include <optional>

namespace vigil::rules {

namespace {

// Go's %.4g: four significant digits, no trailing zeros. Qt spells the
// non-finite values "nan" and "inf"; Go prints NaN, +Inf and -Inf.
QString g4(double v)
{
    if (!std::isfinite(v))
        return formatValue(v);
    return QString::number(v, 'g', 4);
}

struct Value
{
    bool isNumber = false;
    double number = 0;
    QString text;

    QString toString() const { return isNumber ? formatValue(number) : text; }
    std::optional<double> asNumber() const
    {
        if (isNumber)
            return number;
        bool ok = false;
        const double d = text.trimmed().toDouble(&ok);
        return ok ? std::optional<double>(d) : std::nullopt;
    }
};

QString labelValue(const Labels &labels, QStringView name)
{
    for (const auto &[k, v] : labels) {
        if (k == name)
            return v;
    }
    return {}; // missingkey=zero: a missing label renders empty
}

std::optional<Value> operand(QStringView token, const Labels &labels, double value)
{
    if (token == u"$value" || token == u".Value")
        return Value{true, value, {}};
    if (token == u"$labels" || token == u".Labels")
        return Value{false, 0, SeriesKey(QString(), labels).toString()};
    for (QStringView prefix : {QStringView(u"$labels."), QStringView(u".Labels.")}) {
        if (token.startsWith(prefix))
            return Value{false, 0, labelValue(labels, token.mid(prefix.size()))};
    }
    return std::nullopt;
}

std::optional<Value> applyFunction(QStringView name, const Value &arg)
{
    const auto n = arg.asNumber();
    if (!n)
        return std::nullopt;
    if (name == u"humanize")
        return Value{false, 0, humanize(*n)};
    if (name == u"humanizePercentage")
        return Value{false, 0, humanizePercentage(*n)};
    if (name == u"humanizeDuration")
        return Value{false, 0, humanizeDuration(*n)};
    return std::nullopt;
}

QString unquote(QStringView token)
{
    if (token.size() >= 2 && (token.front() == u'"' || token.front() == u'`') && token.back() == token.front())
        return token.mid(1, token.size() - 2).toString();
    return {};
}

// One {{ ... }} action: a command, optionally piped through functions.
std::optional<QString> evaluate(QStringView expr, const Labels &labels, double value)
{
    const QList<QStringView> stages = expr.split(u'|');
    std::optional<Value> current;
    for (qsizetype i = 0; i < stages.size(); ++i) {
        const QList<QStringView> words = stages[i].trimmed().split(u' ', Qt::SkipEmptyParts);
        if (words.isEmpty())
            return std::nullopt;
        if (i == 0) {
            if (words.size() == 1) {
                current = operand(words[0], labels, value);
            } else if (words.size() == 2) {
                const auto arg = operand(words[1], labels, value);
                if (!arg)
                    return std::nullopt;
                current = applyFunction(words[0], *arg);
            } else if (words.size() == 3 && words[0] == u"index"
                       && (words[1] == u"$labels" || words[1] == u".Labels")) {
                const QString name = unquote(words[2]);
                if (name.isEmpty())
                    return std::nullopt;
                current = Value{false, 0, labelValue(labels, name)};
            } else {
                return std::nullopt;
            }
        } else {
            if (words.size() != 1)
                return std::nullopt;
            current = applyFunction(words[0], *current);
        }
        if (!current)
            return std::nullopt;
    }
    return current ? std::optional<QString>(current->toString()) : std::nullopt;
}

} // namespace

QString renderTemplate(const QString &text, const Labels &labels, double value)
{
    if (!isTemplate(text))
        return text;
    QString out;
    out.reserve(text.size());
    qsizetype pos = 0;
    while (pos < text.size()) {
        const qsizetype open = text.indexOf(QLatin1String("{{"), pos);
        if (open < 0)
            break;
        const qsizetype close = text.indexOf(QLatin1String("}}"), open + 2);
        if (close < 0)
            break; // unterminated: the rest stays literal
        out += QStringView(text).mid(pos, open - pos);
        QStringView inner = QStringView(text).mid(open + 2, close - open - 2);
        // Go's trim markers {{- and -}}; the whitespace they would eat is kept.
        if (inner.startsWith(u"- "))
            inner = inner.mid(1);
        if (inner.endsWith(u" -"))
            inner.chop(1);
        if (const auto rendered = evaluate(inner.trimmed(), labels, value))
            out += *rendered;
        else
            out += QStringView(text).mid(open, close + 2 - open);
        pos = close + 2;
    }
    out += QStringView(text).mid(pos);
    return out;
}

QString formatValue(double value)
{
    if (std::isnan(value))
        return QStringLiteral("NaN");
    if (std::isinf(value))
        return value > 0 ? QStringLiteral("+Inf") : QStringLiteral("-Inf");
    if (value == 0)
        return QStringLiteral("0");
    // The shortest round-tripping digits, then Go's layout rule (strconv 'g', -1):
    // exponent form when exp < -4 or exp >= eprec, eprec being 6, or the digit
    // count when that is smaller and the number has no fractional digits beyond it.
    const QString e = QString::number(std::fabs(value), 'e', QLocale::FloatingPointShortest);
    const qsizetype ePos = e.indexOf(u'e');
    QString digits = e.left(ePos);
    digits.remove(u'.');
    const int exp = e.mid(ePos + 1).toInt();
    const int nd = int(digits.size());
    int eprec = 6;
    if (eprec > nd && nd >= exp + 1)
        eprec = nd;
    QString out = value < 0 ? QStringLiteral("-") : QString();
    if (exp < -4 || exp >= eprec) {
        out += digits.left(1);
        if (nd > 1)
            out += u'.' + digits.mid(1);
        out += u'e';
        out += exp < 0 ? u'-' : u'+';
        out += QStringLiteral("%1").arg(std::abs(exp), 2, 10, QLatin1Char('0'));
        return out;
    }
    if (exp < 0) {
        out += QStringLiteral("0.") + QString(-exp - 1, u'0') + digits;
        return out;
    }
    if (nd <= exp + 1) {
        out += digits + QString(exp + 1 - nd, u'0');
        return out;
    }
    out += digits.left(exp + 1) + u'.' + digits.mid(exp + 1);
    return out;
}

QString humanize(double value)
{
    if (value == 0 || !std::isfinite(value))
        return g4(value);
    static const char *const big[] = {"k", "M", "G", "T", "P", "E", "Z", "Y"};
    static const char *const small[] = {"m", "u", "n", "p", "f", "a", "z", "y"};
    double v = value;
    if (std::fabs(v) >= 1) {
        const char *prefix = "";
        for (const char *p : big) {
            if (std::fabs(v) < 1000)
                break;
            v /= 1000;
            prefix = p;
        }
        return g4(v) + QLatin1String(prefix);
    }
    const char *prefix = "";
    for (const char *p : small) {
        if (std::fabs(v) >= 1)
            break;
        v *= 1000;
        prefix = p;
    }
    return g4(v) + QLatin1String(prefix);
}

QString humanizePercentage(double value)
{
    return g4(value * 100) + u'%';
}

QString humanizeDuration(double seconds)
{
    if (!std::isfinite(seconds))
        return g4(seconds);
    if (seconds == 0)
        return QStringLiteral("0s");
    const QString sign = seconds < 0 ? QStringLiteral("-") : QString();
    const double v = std::fabs(seconds);
    if (v >= 1) {
        const qint64 whole = qint64(v);
        const qint64 days = whole / 86400, hours = whole / 3600 % 24, minutes = whole / 60 % 60,
                     secs = whole % 60;
        if (days)
            return sign + QStringLiteral("%1d %2h %3m %4s").arg(days).arg(hours).arg(minutes).arg(secs);
        if (hours)
            return sign + QStringLiteral("%1h %2m %3s").arg(hours).arg(minutes).arg(secs);
        if (minutes)
            return sign + QStringLiteral("%1m %2s").arg(minutes).arg(secs);
        return sign + g4(v) + u's';
    }
    // Prometheus walks the same SI prefixes as humanize, down to yoctoseconds.
    static const char *const units[] = {"ms", "us", "ns", "ps", "fs", "as", "zs", "ys"};
    double x = v;
    const char *unit = "s";
    for (const char *u : units) {
        if (x >= 1)
            break;
        x *= 1000;
        unit = u;
    }
    return sign + g4(x) + QLatin1String(unit);
}

} // namespace vigil::rules
