// SPDX-License-Identifier: GPL-3.0-or-later
#include "util/rfc3339.h"

#include <QDateTime>
#include <QRegularExpression>

namespace vigil {

std::optional<qint64> parseRfc3339Ms(const QString &text)
{
    static const QRegularExpression re(QStringLiteral(
        "^(\\d{4})-(\\d{2})-(\\d{2})[Tt ](\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d{1,9}))?(?:([Zz])|([+-])(\\d{2}):(\\d{2}))$"));
    const QRegularExpressionMatch m = re.match(text);
    if (!m.hasMatch())
        return std::nullopt;
    const QDate date(m.captured(1).toInt(), m.captured(2).toInt(), m.captured(3).toInt());
    const QTime time(m.captured(4).toInt(), m.captured(5).toInt(), m.captured(6).toInt());
    if (!date.isValid() || !time.isValid())
        return std::nullopt;
    if (date == QDate(1, 1, 1) && time == QTime(0, 0) && m.captured(7).toLongLong() == 0)
        return 0;
    qint64 ms = QDateTime(date, time, Qt::UTC).toMSecsSinceEpoch();
    const QString fraction = m.captured(7);
    if (!fraction.isEmpty())
        ms += QString(fraction + QStringLiteral("00")).left(3).toInt();
    if (!m.captured(9).isEmpty()) {
        const qint64 offsetMs = (m.captured(10).toInt() * 60LL + m.captured(11).toInt()) * 60'000LL;
        ms += m.captured(9) == QLatin1String("+") ? -offsetMs : offsetMs;
    }
    return ms;
}

QString formatRfc3339Ms(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

} // namespace vigil
