#pragma once
// Training runs beside train_run (private to src/train/ and the tests): on data already loaded,
// which `mlstrat curve` uses to train several subsets of one load of the data; stopped after some
// epochs as if killed, which the tests of --resume use.

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "mlstrat/train/config.hpp"
#include "mlstrat/train/data.hpp"
#include "mlstrat/train/run.hpp"

namespace mlstrat::train {

/// train_run on `data` instead of the config's [data] (which is not read).
RunResult train_run_on(const RunRequest& request, const Dataset& data,
                       const ProgressFn& progress = {});

/// train_run stopped after `epochs` epochs of this session, as if the process were killed: the
/// run folder holds config.toml, checkpoint.pt and history.csv, and the result is not complete
/// (unless the run ended first). request.resume continues it.
RunResult train_run_stopped_after(const RunRequest& request, std::int64_t epochs,
                                  const ProgressFn& progress = {});

/// The dev error divided by the eyeball and blackbox dev sets (split --eyeball, Machine Learning
/// Yearning 17-19) when data.split_dir has them and data.id_col names the examples: part ->
/// (error, rows); empty otherwise. `wrong[i]`: dev example i is misclassified.
std::map<std::string, std::pair<double, std::uint64_t>> divided_dev_errors(
    const Config& config, const Split& dev, const std::vector<bool>& wrong);

}  // namespace mlstrat::train
