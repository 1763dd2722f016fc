#pragma once
// What a finished run leaves (private to src/train/): the predictions of every split, the model
// (a LibTorch archive and TorchScript), the vocabulary of text data, metrics.json, and the run's
// registry entry.

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mlstrat/train/data.hpp"
#include "mlstrat/train/run.hpp"
#include "train/checkpoint.hpp"
#include "train/epochs.hpp"
#include "train/evaluate.hpp"
#include "train/net.hpp"
#include "train/run_folder.hpp"

namespace mlstrat::train {

/// Writes pred_<split>.csv of every evaluated split, then the model: model.pt (LibTorch
/// archive), model.torchscript.pt (TorchScript that takes the inputs before standardization)
/// and, for text data, vocab.txt. Returns every file of the folder but metrics.json, in the
/// order RunResult::files lists them.
std::vector<std::string> write_outputs(const RunFolder& folder, Net& net, const Dataset& data,
                                       const std::vector<SplitEvaluation>& evaluations);

/// metrics.json: per split the error, accuracy and size, then the classes, the speed, latency
/// and forward FLOPs, the epochs, the job's shape, the notes and the backend; multi-task runs
/// add each task's error and labelled examples per split.
nlohmann::json metrics_json(const RunResult& result, const Dataset& data,
                            const std::vector<SplitEvaluation>& evaluations, const BatchPlan& plan,
                            double train_seconds, double flops);

/// Adds the run to request.registry_path through the calls `mlstrat runs log` uses: per split
/// every metric eval computes (read back from pred_SPLIT.csv; the error alone for multi-task
/// runs), the config's typed parameters, the epochs as steps, the folder and its prediction
/// files.
void record_run(const RunRequest& request, const RunResult& result, const std::string& config_text,
                const std::vector<EpochRow>& history, const std::filesystem::path& dir);

}  // namespace mlstrat::train
