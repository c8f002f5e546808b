// SPDX-License-Identifier: GPL-3.0-or-later
#include "series/series_store.h"

#include <algorithm>

namespace vigil {

SeriesStore::SeriesStore(qsizetype capacityPerSeries, QObject *parent)
    : QObject(parent), m_capacity(capacityPerSeries)
{
    qRegisterMetaType<vigil::SeriesKey>();
    qRegisterMetaType<QList<vigil::SeriesKey>>();
}

void SeriesStore::append(const QList<SeriesData> &batches)
{
    QList<SeriesKey> changed;
    {
        QWriteLocker lock(&m_lock);
        for (const SeriesData &batch : batches) {
            auto it = m_series.find(batch.key);
            if (it == m_series.end()) {
                it = m_series.insert(batch.key, Series(m_capacity));
                auto &named = m_byName[batch.key.name()];
                named.insert(std::lower_bound(named.begin(), named.end(), batch.key), batch.key);
            }
            bool any = false;
            for (const Sample &s : batch.samples)
                any |= it->append(s) != Series::AppendResult::DroppedTooOld;
            if (any || batch.samples.isEmpty())
                changed.append(batch.key);
        }
    }
    if (!changed.isEmpty())
        Q_EMIT seriesChanged(changed);
}

void SeriesStore::append(const SeriesKey &key, const QList<Sample> &samples)
{
    append(QList<SeriesData>{{key, samples}});
}

void SeriesStore::removeNamed(const QString &name)
{
    QList<SeriesKey> removed;
    {
        QWriteLocker lock(&m_lock);
        removed = m_byName.take(name);
        for (const SeriesKey &k : removed)
            m_series.remove(k);
    }
    if (!removed.isEmpty())
        Q_EMIT seriesRemoved(removed);
}

bool SeriesStore::contains(const SeriesKey &key) const
{
    QReadLocker lock(&m_lock);
    return m_series.contains(key);
}

qsizetype SeriesStore::seriesCount() const
{
    QReadLocker lock(&m_lock);
    return m_series.size();
}

QList<SeriesKey> SeriesStore::keys() const
{
    QReadLocker lock(&m_lock);
    QList<SeriesKey> out = m_series.keys();
    std::sort(out.begin(), out.end());
    return out;
}

QList<SeriesKey> SeriesStore::keysNamed(const QString &name) const
{
    QReadLocker lock(&m_lock);
    return m_byName.value(name);
}

std::optional<Sample> SeriesStore::lastSample(const SeriesKey &key) const
{
    QReadLocker lock(&m_lock);
    auto it = m_series.constFind(key);
    if (it == m_series.cend() || it->isEmpty())
        return std::nullopt;
    return it->last();
}

QList<Sample> SeriesStore::range(const SeriesKey &key, qint64 from, qint64 to) const
{
    QReadLocker lock(&m_lock);
    auto it = m_series.constFind(key);
    if (it == m_series.cend())
        return {};
    return it->range(from, to);
}

qsizetype SeriesStore::sampleCount() const
{
    QReadLocker lock(&m_lock);
    qsizetype n = 0;
    for (const Series &s : m_series)
        n += s.size();
    return n;
}

size_t SeriesStore::memoryBytes() const
{
    QReadLocker lock(&m_lock);
    size_t n = 0;
    for (const Series &s : m_series)
        n += s.memoryBytes();
    return n;
}

} // namespace vigil
