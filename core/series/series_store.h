// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "series/series.h"
#include "series/series_key.h"

#include <QHash>
#include <QObject>
#include <QReadWriteLock>
#include <optional>

namespace vigil {

// A batch of samples for one series, as a connector delivers it.
struct SeriesData
{
    SeriesKey key;
    QList<Sample> samples;
};

// The one store every series lands in (Prometheus samples, derived scores, ...).
//
// Thread safety: every method may be called from any thread. Readers share a
// read lock, writers take the write lock; no lock is held while a signal is
// emitted. seriesChanged() is emitted in the writer's thread, so a GUI
// consumer connects with Qt::QueuedConnection (AutoConnection does that across
// threads) and then reads what it needs: it gets copies, never references into
// the store.
class SeriesStore : public QObject
{
    Q_OBJECT
public:
    explicit SeriesStore(qsizetype capacityPerSeries = Series::kDefaultCapacity,
                         QObject *parent = nullptr);

    // Appends every batch and emits seriesChanged() once with the keys that changed.
    void append(const QList<SeriesData> &batches);
    void append(const SeriesKey &key, const QList<Sample> &samples);

    // Forgets every series whose name is `name` (e.g. a query that was removed).
    void removeNamed(const QString &name);

    bool contains(const SeriesKey &key) const;
    qsizetype seriesCount() const;
    QList<SeriesKey> keys() const;
    // Keys with this name, sorted, so legends keep a stable order.
    QList<SeriesKey> keysNamed(const QString &name) const;
    std::optional<Sample> lastSample(const SeriesKey &key) const;
    QList<Sample> range(const SeriesKey &key, qint64 from, qint64 to) const;
    // Total samples held, and the bytes they occupy.
    qsizetype sampleCount() const;
    size_t memoryBytes() const;

Q_SIGNALS:
    void seriesChanged(const QList<vigil::SeriesKey> &keys);
    void seriesRemoved(const QList<vigil::SeriesKey> &keys);

private:
    mutable QReadWriteLock m_lock;
    QHash<SeriesKey, Series> m_series;
    QHash<QString, QList<SeriesKey>> m_byName;
    qsizetype m_capacity;
};

} // namespace vigil
