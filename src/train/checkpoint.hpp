#pragma once
// What a run keeps between epochs (private to src/train/): the loop's state and its history,
// written after each epoch to checkpoint.pt (with the weights and the optimizer, so that
// --resume ends with the same weights as an uninterrupted run) and to history.csv.

#include <torch/torch.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "train/net.hpp"

namespace mlstrat::train {

/// One row of history.csv.
struct EpochRow {
    std::int64_t epoch = 0;
    double lr = 0, loss = 0, train = NAN, train_dev = NAN, dev = NAN, seconds = 0, eps = 0;
    /// Multi-task: the error of each task on train, train-dev and dev, in that order.
    std::vector<double> task_errors;
};

/// The splits history.csv follows.
inline constexpr const char* kHistorySplits[] = {"train", "train_dev", "dev"};

/// What a checkpoint holds besides the weights and the optimizer.
struct LoopState {
    std::int64_t epochs_done = 0;
    std::vector<EpochRow> history;
    double best_error = INFINITY;
    std::int64_t best_epoch = 0;
    std::int64_t bad_epochs = 0;
    bool stopped_early = false;
    double train_seconds = 0;
    std::int64_t examples_seen = 0;
};

/// history.csv: one row per epoch; multi-task runs add each task's error on each split.
std::string history_csv(const std::vector<EpochRow>& rows, const std::vector<std::string>& tasks);

/// checkpoint.pt: the model, the best weights so far, the optimizer and the loop's state.
std::string save_checkpoint(Net& net, Net& best, torch::optim::Optimizer& optimizer,
                            const LoopState& s);

/// Loads what save_checkpoint wrote into the model, the best weights and the optimizer, and
/// returns the loop's state.
LoopState load_checkpoint(const std::string& bytes, Net& net, Net& best,
                          torch::optim::Optimizer& optimizer);

}  // namespace mlstrat::train
