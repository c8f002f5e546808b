// SPDX-License-Identifier: GPL-3.0-or-later
#include "series/series_key.h"

#include <algorithm>

namespace vigil {

namespace {
size_t combine(size_t seed, size_t value)
{
    // boost::hash_combine's mixing step, widened to 64 bits.
    return seed ^ (value + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2));
}

QString escapeValue(const QString &value)
{
    QString out;
    out.reserve(value.size());
    for (QChar c : value) {
        if (c == u'\\' || c == u'"')
            out += u'\\';
        if (c == u'\n') {
            out += QStringLiteral("\\n");
            continue;
        }
        out += c;
    }
    return out;
}
} // namespace

SeriesKey::SeriesKey(QString name, Labels labels)
    : m_name(std::move(name)), m_labels(std::move(labels))
{
    std::stable_sort(m_labels.begin(), m_labels.end(),
                     [](const Label &a, const Label &b) { return a.first < b.first; });
    // A label given twice keeps its last value, as when a map is built from the list.
    for (qsizetype i = m_labels.size() - 1; i > 0; --i) {
        if (m_labels[i - 1].first == m_labels[i].first)
            m_labels.removeAt(i - 1);
    }
    size_t h = ::qHash(m_name);
    for (const auto &[k, v] : m_labels)
        h = combine(combine(h, ::qHash(k)), ::qHash(v));
    m_hash = h;
}

QString SeriesKey::label(const QString &labelName) const
{
    for (const auto &[k, v] : m_labels) {
        if (k == labelName)
            return v;
    }
    return {};
}

bool SeriesKey::hasLabel(const QString &labelName) const
{
    return std::any_of(m_labels.begin(), m_labels.end(),
                       [&](const Label &l) { return l.first == labelName; });
}

SeriesKey SeriesKey::withLabel(const QString &labelName, const QString &value) const
{
    Labels labels = m_labels;
    labels.append({labelName, value});
    return SeriesKey(m_name, std::move(labels));
}

QString SeriesKey::toString() const
{
    QString out = m_name;
    if (m_labels.isEmpty())
        return out.isEmpty() ? QStringLiteral("{}") : out;
    out += u'{';
    bool first = true;
    for (const auto &[k, v] : m_labels) {
        if (!first)
            out += QStringLiteral(", ");
        first = false;
        out += k + QStringLiteral("=\"") + escapeValue(v) + u'"';
    }
    out += u'}';
    return out;
}

QString SeriesKey::labelsText() const
{
    QStringList parts;
    for (const auto &[k, v] : m_labels) {
        if (k != QLatin1String("__name__"))
            parts << k + u'=' + v;
    }
    return parts.join(QStringLiteral(", "));
}

bool operator<(const SeriesKey &a, const SeriesKey &b)
{
    if (a.m_name != b.m_name)
        return a.m_name < b.m_name;
    return std::lexicographical_compare(a.m_labels.begin(), a.m_labels.end(), b.m_labels.begin(),
                                        b.m_labels.end());
}

} // namespace vigil
