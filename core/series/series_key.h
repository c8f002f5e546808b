// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHashFunctions>
#include <QList>
#include <QMetaType>
#include <QString>
#include <utility>

namespace vigil {

using Label = std::pair<QString, QString>;
using Labels = QList<Label>;

// Identity of a series: a name plus a label set kept sorted by label name, so
// two keys built from the same labels in any order compare and hash equal.
// The hash is computed once at construction: keys are compared and hashed far
// more often than they are built (every lookup in the store, every rule tick).
class SeriesKey
{
public:
    SeriesKey() = default;
    explicit SeriesKey(QString name, Labels labels = {});

    const QString &name() const { return m_name; }
    const Labels &labels() const { return m_labels; }
    // The value of a label, or an empty string when the key does not carry it.
    QString label(const QString &labelName) const;
    bool hasLabel(const QString &labelName) const;
    size_t hash() const { return m_hash; }
    bool isEmpty() const { return m_name.isEmpty() && m_labels.isEmpty(); }

    // A copy with one label set (added or replaced).
    SeriesKey withLabel(const QString &labelName, const QString &value) const;

    // Prometheus notation: name{a="1", b="2"}; label values escaped as in PromQL.
    QString toString() const;
    // The labels only, "a=1, b=2", for legends where the name is implied.
    QString labelsText() const;

    friend bool operator==(const SeriesKey &a, const SeriesKey &b)
    {
        return a.m_hash == b.m_hash && a.m_name == b.m_name && a.m_labels == b.m_labels;
    }
    friend bool operator!=(const SeriesKey &a, const SeriesKey &b) { return !(a == b); }
    // A total order (name, then labels lexicographically) for sorted output.
    friend bool operator<(const SeriesKey &a, const SeriesKey &b);

private:
    QString m_name;
    Labels m_labels;
    size_t m_hash = 0;
};

inline size_t qHash(const SeriesKey &key, size_t seed = 0) noexcept
{
    return key.hash() ^ seed;
}

} // namespace vigil

template<>
struct std::hash<vigil::SeriesKey>
{
    size_t operator()(const vigil::SeriesKey &key) const noexcept { return key.hash(); }
};

Q_DECLARE_METATYPE(vigil::SeriesKey)
