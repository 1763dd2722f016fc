#pragma once
/// Tuning: random search over the knobs, optionally with successive halving (1.1.3).
///
///     TuneRequest request;
///     request.config_path = "quadrants.toml";
///     request.space = {"optim.lr=log(1e-4,1e-2)", "model.scale=choice(0.5,1,2)"};
///     request.trials = 8;
///     TuneResult result = tune(request);  // result.best: the trial the project's metric picks

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mlstrat::train {

/// What `tune` is asked to do.
struct TuneRequest {
    std::string config_path;
    /// --space values.
    std::vector<std::string> space;
    /// --set values every trial gets.
    std::vector<std::string> overrides;
    std::int64_t trials = 10;
    /// Runs per trial, with the seeds seed, seed+1, ... (the config's seed first). With more
    /// than one, a trial's runs are NAME-tNN-s<SEED> in one registry group NAME-tNN, and the
    /// trials are ranked by their group means on dev.
    std::int64_t repeats = 1;
    /// Seed of the search (the config's seed still seeds each training).
    std::uint64_t seed = 0;
    /// Successive halving: every trial starts with min_epochs, the best 1/eta of a rung continue
    /// (by --resume) with eta times the epochs, up to the config's train.epochs.
    bool halving = false;
    std::int64_t eta = 3;
    std::int64_t min_epochs = 1;
    /// Trial runs are NAME-t01, NAME-t02...; default: the config's name.
    std::string name;
    std::string runs_dir = "runs";
    /// The registry every trial is added to; its project settings choose the best.
    std::string registry_path = "mlstrat.db";
    /// Replace existing trial runs.
    bool force = false;
    std::optional<unsigned> threads;
};

/// One trial on the leaderboard.
struct TrialResult {
    std::string name;
    /// The drawn --set values.
    std::vector<std::string> overrides;
    /// Epochs trained: the budget of the last rung the trial reached.
    std::int64_t epochs = 0;
    /// The last rung reached (0-based; always 0 without halving).
    std::int64_t rung = 0;
    /// The optimizing metric's value at that rung; empty when the run lacks it.
    std::optional<double> value;
    bool feasible = false;
    std::vector<std::string> violations;
    std::map<std::string, double> errors;
    double latency_ms = 0.0;
    /// Its registered runs: the trial's name alone, or one per repeat (its group's members).
    std::vector<std::string> runs;
    nlohmann::json to_json() const;
};

/// One rung of successive halving.
struct Rung {
    std::int64_t epochs = 0;
    std::vector<std::string> trials;
    /// The trials that continue to the next rung (empty for the last).
    std::vector<std::string> kept;
};

/// What `tune` found.
struct TuneResult {
    std::string name;
    /// "minimize dev_error" or the project's objective.
    std::string objective;
    std::vector<std::string> constraints;
    /// Best first: the trials of the last rung in the order select ranks them (those meeting the
    /// limits first), then the trials stopped at earlier rungs, later rungs first.
    std::vector<TrialResult> leaderboard;
    std::vector<Rung> rungs;
    /// The best trial meeting every limit; empty when none does.
    std::optional<std::string> best;
    std::vector<std::string> best_overrides;
    bool halving = false;
    nlohmann::json to_json() const;
};

/// Called after each run of each rung (each seed of a trial with repeats, named after its run).
using TuneProgressFn = std::function<void(const TrialResult& trial, const Rung& rung)>;

/// Runs the search: every trial is a registered run (kind "tune", its --set values in its
/// notes), or a seed group of `repeats` runs ranked by its means; the best is chosen with select
/// under the project's optimizing metric (minimize dev_error when none is set) and satisficing
/// limits, such as latency_ms<=100. Bad space syntax or values fail before anything trains.
TuneResult tune(const TuneRequest& request, const TuneProgressFn& progress = {});

}  // namespace mlstrat::train
