#pragma once
/// Learning curves on the training engine (library mlstrat_train): will more data help?
/// (Machine Learning Yearning 28-32, course 1.1.3.) The config is trained on nested stratified
/// subsets of its training set, small sizes first, all from one load of the data; every run is
/// recorded in the registry as one curve, which the diagnose module fits and judges.
///
///     CurveRequest request;
///     request.config_path = "examples/fashion/mlp.toml";
///     request.sizes = {1000, 2000, 5000, 10000, 20000, 0};  // 0: the whole training set
///     diagnose::LearningCurve c = learning_curve(request);  // c.verdict.message answers

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "mlstrat/learning_curve.hpp"
#include "mlstrat/train.hpp"

namespace mlstrat::train {

/// What `learning_curve` is asked to do.
struct CurveRequest {
    std::string config_path;
    std::vector<std::string> overrides;
    /// Training-set sizes (0: all of it), as diagnose::parse_curve_sizes gives them.
    std::vector<std::uint64_t> sizes;
    /// Runs at every size; empty: diagnose::default_repeats (more where the size is small).
    std::optional<std::int64_t> repeats;
    /// The curve's name (its runs are NAME-n<size>-r<repeat>); default: the config's name
    /// followed by "-curve".
    std::string name;
    /// The desired error; empty: the project's Bayes proxy from the registry's human levels.
    std::optional<double> target;
    std::string runs_dir = "runs";
    std::string registry_path = "mlstrat.db";
    /// Replace the curve's runs (folders and registry entries) when they exist.
    bool force = false;
    std::optional<unsigned> threads;
    /// Confidence level of the fit's intervals.
    double level = 0.95;
};

/// Where a curve is: size i of n, repeat j of m, the run's own progress, and the whole curve's
/// estimated seconds left.
struct CurveProgress {
    std::size_t size_index = 0;  // 1-based
    std::size_t sizes = 0;
    std::uint64_t size = 0;
    std::int64_t repeat = 0;  // 1-based
    std::int64_t repeats = 0;
    Progress run;
    double eta_seconds = 0.0;
};

using CurveProgressFn = std::function<void(const CurveProgress&)>;

/// Trains the config on nested stratified subsets, small sizes first, all from one load of the
/// data; records every run in the registry as one curve (kind "curve") and returns the curve
/// read back from it, fitted and judged. Bad sizes (above the training set) and an existing
/// curve without `force` fail before anything is written.
diagnose::LearningCurve learning_curve(const CurveRequest& request,
                                       const CurveProgressFn& progress = {});

}  // namespace mlstrat::train
