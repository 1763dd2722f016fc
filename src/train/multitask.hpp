#pragma once
// Multi-task learning on the model side (private to src/train/, 1.2.3): one sigmoid output per
// task, the course's cost summed over the labels present, per-task errors and the predictions
// file of a multi-task run.

#include <torch/torch.h>

#include <string>
#include <vector>

#include "mlstrat/train/data.hpp"

namespace mlstrat::train {

/// Whether `targets` are multi-task ([N, tasks], -1 for a missing label) rather than class
/// indices ([N]).
inline bool multi_label(const torch::Tensor& targets) { return targets.dim() == 2; }

/// The split's task labels as a float [N, tasks] tensor: 1, 0, or -1 for a missing label.
torch::Tensor task_targets(const Split& split, std::size_t tasks);

/// The cost of the notes (1.2.3): the logistic loss summed over the tasks whose label is present,
/// averaged over the examples of the batch. `logits` and `targets` are [N, tasks].
torch::Tensor multitask_loss(const torch::Tensor& logits, const torch::Tensor& targets);

/// Errors of each task over its labelled examples (a probability >= 0.5 predicts positive).
struct TaskErrors {
    std::vector<double> error;           // NaN for a task with no labelled example
    std::vector<std::int64_t> labelled;  // examples with a label, per task
    /// The mean over tasks with a labelled example: the run's single-number error.
    double mean() const;
};

/// Per-task errors of probabilities [N, tasks] against targets [N, tasks].
TaskErrors task_errors(const torch::Tensor& probs, const torch::Tensor& targets);

/// pred_<split>.csv of a multi-task run: `id`, then each task's label (1, 0, ? when missing),
/// then each `pred_<task>` (1 or 0), then each `p_<task>` (the sigmoid output).
std::string multitask_predictions_csv(const Split& split, const std::vector<std::string>& tasks,
                                      const torch::Tensor& probs);

}  // namespace mlstrat::train
