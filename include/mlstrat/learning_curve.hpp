#pragma once
/// Will more data help? (Machine Learning Yearning, ch. 28-32; course 1.1.3.) A learning curve is
/// the train, train-dev and dev error against the training-set size, with the desired level (the
/// Bayes proxy or a target) drawn in. The dev error is fitted as a + b·n^(−c); the fit says how
/// many examples reach the target, with an interval, or that more of this data will not get
/// there (the floor a lies above the target, or the training error is already above it: bias).
/// LibTorch-free: `mlstrat curve` trains the runs, `diagnose --curve` and the report read them.
///
///     std::vector<CurveRun> runs = ...;  // one per (size, repeat), errors per split
///     LearningCurve curve = learning_curve("fashion", runs, 0.10, "--target");
///     curve.verdict.kind;  // "more_data", "bias", "floor", "reached", "no_fit" or "no_target"

#include <array>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "mlstrat/support/stats.hpp"

namespace mlstrat::diagnose {

/// A least-squares fit of error ≈ a + b·n^(−c) (a >= 0: the floor more data tends to, an
/// error rate; c > 0).
struct PowerLawFit {
    double a = 0.0, b = 0.0, c = 0.0;
    /// Covariance of (a, b, c) as scipy.optimize.curve_fit gives it: rss / dof · (JᵀJ)⁻¹; with
    /// the floor on its bound, that of (b, c) in b·n^(−c), a's row and column 0.
    std::array<std::array<double, 3>, 3> covariance{};
    /// Residual sum of squares and its degrees of freedom (points − 3; − 2 with a on its bound).
    double rss = 0.0;
    int dof = 0;
    /// The unconstrained floor would be negative: a is 0 (its bound) and no longer estimated.
    bool floor_at_zero = false;
    /// c ended on the edge of its search range [0.01, 5]: the points do not pin the curve down.
    bool at_bound = false;

    /// The fitted error at size n.
    double error_at(double n) const;
    /// Interval of the fitted curve at n (prediction: of one new measurement there, the scatter
    /// of the points about the curve added), within [0, 1] as an error rate is; empty when dof
    /// is 0 (no scatter to go by).
    std::optional<stats::Interval> band(double n, double level, bool prediction = false) const;
    /// The size where the fitted curve reaches `error`; empty when the floor a is not below it.
    std::optional<double> size_for(double error) const;
};

/// Fits a + b·n^(−c) to (sizes, errors) by least squares with a >= 0 (profiled over c, then
/// (a, b) in closed form). Throws Error when there are fewer than three distinct sizes.
PowerLawFit fit_power_law(const std::vector<double>& sizes, const std::vector<double>& errors);

/// The sizes, at or beyond `from`, where the curve's confidence band reaches `target`: lo is
/// where its lower end does, hi where its upper end does (empty hi: never, the floor's interval
/// reaches above the target). Empty when even the lower end never reaches it, or dof is 0.
struct SizeInterval {
    double lo = 0.0;
    std::optional<double> hi;
};
std::optional<SizeInterval> size_interval(const PowerLawFit& fit, double target, double from,
                                          double level);

/// One trained run of a curve.
struct CurveRun {
    std::string name;
    std::uint64_t size = 0;
    std::int64_t repeat = 1;
    /// Split -> error (train, train_dev, dev, test).
    std::map<std::string, double> errors;
};

/// The runs of one split at one size.
struct SplitSpread {
    double mean = 0.0;
    /// Sample standard deviation (0 for one run).
    double sd = 0.0;
    double min = 0.0, max = 0.0;
    std::int64_t runs = 0;
};

/// One size on the curve.
struct CurvePoint {
    std::uint64_t size = 0;
    /// Split -> its errors over the repeats.
    std::map<std::string, SplitSpread> errors;
};

/// What the curve says about more data.
struct CurveVerdict {
    /// "more_data", "bias", "floor", "reached", "no_fit" or "no_target".
    std::string kind;
    /// The answer in one or two sentences, with the numbers.
    std::string message;
    /// more_data: the size the fit reaches the target at, its interval, and the examples to add.
    std::optional<double> size_needed;
    std::optional<SizeInterval> interval;
    std::optional<double> more_examples;
};

/// A learning curve: points by size, the desired level, the fit of dev error, the verdict.
struct LearningCurve {
    std::string name;
    std::vector<CurveRun> runs;
    /// Smallest size first.
    std::vector<CurvePoint> points;
    std::optional<double> target;
    /// Where the target comes from: "--target" or "human level NAME (Bayes proxy)".
    std::string target_source;
    double level = 0.95;
    std::optional<PowerLawFit> fit;
    /// Why there is no fit or why to distrust it; empty otherwise.
    std::string fit_note;
    CurveVerdict verdict;
    /// The mean error of `split` at each point (NaN where the split was not measured).
    std::vector<double> means(const std::string& split) const;
    /// {name, target, target_source, level, points: [{size, errors: {split: {mean, sd, min, max,
    /// runs}}}], fit: {a, b, c, covariance, rss, dof, at_bound, extrapolation}, verdict, runs}.
    nlohmann::json to_json() const;
};

/// The fitted dev error drawn with a curve: 41 sizes on a log scale from the smallest to past
/// the size the target needs (at least 4x the largest), each {size, error, lo, hi} (lo and hi:
/// the fit's confidence band, absent when it has none). Empty without a fit.
nlohmann::json fit_curve(const LearningCurve& curve);

/// Groups the runs by size, fits the dev error and decides the verdict. Throws Error when there
/// are no runs or a run has no dev error.
LearningCurve learning_curve(std::string name, std::vector<CurveRun> runs,
                             std::optional<double> target, std::string target_source,
                             double level = 0.95);

/// Parses --sizes: comma-separated sizes ("1000,2k" not accepted: digits only) and "all"
/// (returned as 0, the whole training set). Throws Error naming the flag for a bad or repeated
/// size, or fewer than three sizes (a fit needs three).
std::vector<std::uint64_t> parse_curve_sizes(const std::string& text);

/// The default repeats at `size` out of `total` training examples: small subsets vary most
/// from draw to draw, so 3 up to a tenth of the set, 2 up to half, 1 above.
std::int64_t default_repeats(std::uint64_t size, std::uint64_t total);

/// An order of the rows in which every prefix holds each class in proportion (within two
/// examples): the first n rows are a stratified subset of size n, and smaller subsets are nested
/// in larger ones. The same labels and seed give the same order.
std::vector<std::size_t> stratified_order(const std::vector<std::int64_t>& labels,
                                          std::uint64_t seed);

/// The names of the learning curves recorded in the registry at `db`, in the order their first
/// runs were added (none when the file is absent).
std::vector<std::string> curve_names(const std::string& db);

/// The names of the registry runs that belong to curve `name` (none when the file is absent).
std::vector<std::string> curve_run_names(const std::string& db, const std::string& name);

/// Marks the run `run` of the registry at `db` as one of curve `name`: the curve is its group,
/// which the run was recorded with, and its size, repeat and target become tags (curve_size,
/// curve_repeat, curve_target); throws Error when the run is not in that group. The one place a
/// curve's runs are tagged; the readers also know the note older registries carry.
void mark_curve_run(const std::string& db, const std::string& run, const std::string& name,
                    std::uint64_t size, std::int64_t repeat, std::optional<double> target);

/// Reads curve `name` from the registry file: its runs, and the target given when it was
/// trained unless `target` overrides it, else the project's Bayes proxy. Throws Error naming
/// the file when no run belongs to that curve.
LearningCurve curve_from_registry(const std::string& db, const std::string& name,
                                  std::optional<double> target, double level = 0.95);

}  // namespace mlstrat::diagnose
