#pragma once
// A training run on data already loaded: what `mlstrat curve` uses to train several subsets of
// one load of the data.

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "mlstrat/train.hpp"

namespace mlstrat::train {

/// train_run on `data` instead of the config's [data] (which is not read).
RunResult train_run_on(const RunRequest& request, const Dataset& data,
                       const ProgressFn& progress = {});

}  // namespace mlstrat::train

namespace mlstrat::train {

/// The dev error divided by the eyeball and blackbox dev sets (split --eyeball, Machine Learning
/// Yearning 17-19) when data.split_dir has them and data.id_col names the examples: part ->
/// (error, rows); empty otherwise. `wrong[i]`: dev example i is misclassified.
std::map<std::string, std::pair<double, std::uint64_t>> divided_dev_errors(
    const Config& config, const Split& dev, const std::vector<bool>& wrong);

}  // namespace mlstrat::train
