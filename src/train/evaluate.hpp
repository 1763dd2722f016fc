#pragma once
// The model evaluated on the splits (private to src/train/): each split as tensors, the class
// probabilities, the error (the mean task error on multi-task data), after each epoch and at the
// end of the run, and the latency of one example.

#include <torch/torch.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "mlstrat/train/config.hpp"
#include "mlstrat/train/data.hpp"
#include "mlstrat/train/run.hpp"
#include "train/checkpoint.hpp"
#include "train/multitask.hpp"
#include "train/net.hpp"

namespace mlstrat::train {

/// A split as tensors: x is [N, shape...] float, y is [N] int64 (multi-task: [N, tasks] float).
struct Tensors {
    torch::Tensor x, y;
    std::int64_t size() const { return y.size(0); }
};

/// Every split of `data` as tensors, by name.
using SplitTensors = std::map<std::string, Tensors>;

/// The splits of `data` as tensors.
SplitTensors split_tensors(const Dataset& data);

/// Class probabilities [N, K] of the first `rows` examples (all when rows < 0), computed `batch`
/// examples at a time in evaluation mode; the model is left in training mode.
torch::Tensor predict(Net& net, const Tensors& t, std::int64_t batch, std::int64_t rows = -1);

/// The error of `probs`; for multi-task data the mean task error, each task's also in `per_task`.
double error_of(const torch::Tensor& probs, const torch::Tensor& y, TaskErrors* per_task = nullptr);

/// Fills `row`'s errors after an epoch: on the first train.eval_train_rows train examples, on
/// train-dev and on dev when present, and on multi-task data each task's on each of them.
void evaluate_epoch(Net& net, const SplitTensors& tensors, const LoopConfig& loop,
                    std::size_t tasks, EpochRow& row);

/// The trained model on one split.
struct SplitEvaluation {
    std::string split;
    torch::Tensor probs;
    /// Multi-task data: each task's error and labelled examples.
    TaskErrors per_task;
};

/// The trained model on every split present, in the course's order. `result` gets each split's
/// error and accuracy (and its error per task), and the dev error divided by the eyeball and
/// blackbox dev sets where split --eyeball made them.
std::vector<SplitEvaluation> evaluate_splits(Net& net, const SplitTensors& tensors,
                                             const Dataset& data, const Config& config,
                                             RunResult& result);

/// Milliseconds of one forward pass of `example`, the satisficing metric of a deployed model
/// (1.1.2); the model is left in training mode.
double latency_ms(Net& net, const torch::Tensor& example);

}  // namespace mlstrat::train
