#pragma once
/// One config trained with several seeds, so that a conclusion rests on more than one.
///
///     SeedsRequest request;
///     request.run.config_path = "cnn.toml";
///     request.seeds = parse_seeds("1,2,3", "--seeds");
///     SeedsResult result = train_seeds(request);  // result.errors.at("dev").mean, .sd, .interval

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mlstrat/registry.hpp"
#include "mlstrat/train/run.hpp"

namespace mlstrat::train {

/// Parses a list of seeds ("1,2,3"): distinct whole numbers >= 0, at least one. Throws Error
/// naming `what`: `--seeds: '1,,2' has an empty item`.
std::vector<std::int64_t> parse_seeds(const std::string& text, const std::string& what);

/// What `train_seeds` is asked to do.
struct SeedsRequest {
    /// The run every seed trains; its name (or the config's) names the group.
    RunRequest run;
    std::vector<std::int64_t> seeds;
    /// Each seed also draws the data (data.split_seed = seed): which rows data.per_class keeps
    /// and which are held out, so the spread includes the luck of the labelled sample.
    bool draw_data = false;
    /// Confidence level of the intervals.
    double level = 0.95;
};

/// The runs of one config over several seeds.
struct SeedsResult {
    /// The group the runs were recorded in: the run name.
    std::string group;
    /// One per seed, in the order given: NAME-s<SEED>.
    std::vector<RunResult> runs;
    std::vector<std::int64_t> seeds;
    /// Split -> the error's mean, sample standard deviation and t interval over the seeds.
    std::map<std::string, registry::SeedSummary> errors;
    /// {group, seeds, runs, errors {split: {n, mean, sd, interval}}}.
    nlohmann::json to_json() const;
};

/// Trains the run once per seed as NAME-s<SEED>, every run in group NAME of the registry, and
/// summarizes each split's error over the seeds. `progress` gets every run's events.
SeedsResult train_seeds(const SeedsRequest& request, const ProgressFn& progress = {});

}  // namespace mlstrat::train
