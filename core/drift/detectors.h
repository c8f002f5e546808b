// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <deque>
#include <memory>
#include <vector>

namespace vigil::drift {

// Streaming concept-drift detectors for any series (an error rate, a quality
// metric), with River's parameters, defaults and semantics (River 0.21,
// river/drift/*.py; the code here is written from River's documentation and
// the papers, not copied):
//  - update(x) feeds one value; driftDetected() is true right after the
//    update that detects a drift, and only then;
//  - the next update() first resets the detector, then consumes its value
//    (the value that follows a drift starts the new concept).
class ChangeDetector
{
public:
    virtual ~ChangeDetector() = default;
    virtual void update(double x) = 0;
    bool driftDetected() const { return m_drift; }
    // Only DDM has a warning zone; the others never warn (as in River).
    virtual bool hasWarningZone() const { return false; }
    virtual bool warningDetected() const { return false; }
    // Back to the state of a fresh detector with the same parameters.
    virtual void reset() = 0;
    virtual QString name() const = 0;

protected:
    bool m_drift = false;
};

// Page-Hinkley test (Page 1954; River's drift.PageHinkley, two-sided since
// River 0.15). Tracks the running mean and a fading cumulative deviation from
// it; drift when the deviation climbs more than `threshold` above its minimum
// (an increase) or falls more than `threshold` below its maximum (a decrease).
class PageHinkley final : public ChangeDetector
{
public:
    enum class Mode { Up, Down, Both };
    struct Params
    {
        int minInstances = 30;      // River: min_instances=30, no detection before this many values
        double delta = 0.005;       // River: delta=0.005, magnitude of change tolerated
        double threshold = 50.0;    // River: threshold=50 (lambda)
        double alpha = 1 - 0.0001;  // River: alpha=1 - 0.0001, forgetting factor of the sums
        Mode mode = Mode::Both;     // River: mode="both"
    };

    PageHinkley() : PageHinkley(Params{}) {}
    explicit PageHinkley(const Params &p);
    void update(double x) override;
    void reset() override;
    QString name() const override { return QStringLiteral("page-hinkley"); }
    const Params &params() const { return m_p; }

private:
    Params m_p;
    double m_n = 0;
    double m_mean = 0.0;
    double m_sumIncrease = 0.0;
    double m_sumDecrease = 0.0;
    double m_minIncrease = 0.0;
    double m_maxDecrease = 0.0;
};

// ADWIN, adaptive windowing (Bifet & Gavaldà 2007; River's drift.ADWIN). Keeps
// a window of recent values in exponential histograms and drops its older part
// while some split into an older and a newer sub-window shows means further
// apart than the Hoeffding-style bound epsilon_cut allows.
class Adwin final : public ChangeDetector
{
public:
    struct Params
    {
        double delta = 0.002;     // River: delta=0.002, significance of a cut
        int clock = 32;           // River: clock=32, look for cuts every this many values
        int maxBuckets = 5;       // River: max_buckets=5, buckets of one size before merging
        int minWindowLength = 5;  // River: min_window_length=5, smallest sub-window considered
        int gracePeriod = 10;     // River: grace_period=10, no detection until the window is longer
    };

    Adwin() : Adwin(Params{}) {}
    explicit Adwin(const Params &p);
    void update(double x) override;
    void reset() override;
    QString name() const override { return QStringLiteral("adwin"); }
    const Params &params() const { return m_p; }

    double width() const { return m_width; }
    double total() const { return m_total; }
    double variance() const { return m_variance; }
    double estimation() const { return m_width > 0 ? m_total / m_width : 0.0; }
    int detections() const { return m_detections; }

private:
    // One row of the exponential histogram: up to maxBuckets + 1 buckets, each
    // summarising 2^row values (oldest first).
    struct Row
    {
        std::vector<double> total;
        std::vector<double> variance;
    };

    void insert(double value);
    void compress();
    double deleteOldest();
    bool detectChange();
    bool cutExceeds(double n0, double n1, double deltaMean) const;

    Params m_p;
    std::deque<Row> m_rows; // m_rows[0]: single values, the newest data
    double m_total = 0.0;
    double m_variance = 0.0; // sum of squared deviations (not divided by width)
    double m_width = 0.0;
    long long m_tick = 0;
    int m_detections = 0;    // over the life of this helper, as River's n_detections
};

// DDM, Drift Detection Method (Gama et al. 2004; River's drift.binary.DDM).
// Input: 1 for an error, 0 for a correct prediction. Watches p + s, the error
// rate plus its binomial standard deviation, against the lowest p + s seen.
class Ddm final : public ChangeDetector
{
public:
    struct Params
    {
        int warmStart = 30;             // River: warm_start=30, values before any detection
        double warningThreshold = 2.0;  // River: warning_threshold=2.0 (~95% confidence)
        double driftThreshold = 3.0;    // River: drift_threshold=3.0 (~99% confidence)
    };

    Ddm() : Ddm(Params{}) {}
    explicit Ddm(const Params &p);
    void update(double x) override;
    void reset() override;
    bool hasWarningZone() const override { return true; }
    bool warningDetected() const override { return m_warning; }
    QString name() const override { return QStringLiteral("ddm"); }
    const Params &params() const { return m_p; }

private:
    Params m_p;
    bool m_warning = false;
    double m_n = 0;
    double m_mean = 0.0; // the error rate p_i
    double m_pMin = 0.0;
    double m_sMin = 0.0;
    double m_psMin = 0.0;
};

} // namespace vigil::drift
