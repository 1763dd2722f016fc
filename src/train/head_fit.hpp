#pragma once
// A frozen backbone's head trained to convergence (transfer.freeze = "all-but-head", 1.2.3):
// with every other layer frozen, the head is a linear model on fixed features, and its loss is
// convex, so it is solved rather than trained for a number of epochs (private to src/train/).

#include <torch/torch.h>

#include <cstdint>

#include "train/net.hpp"

namespace mlstrat::train {

/// How the head's fit ended.
struct HeadFit {
    /// Evaluations of the objective and its gradient (L-BFGS iterations and line-search steps).
    std::int64_t evaluations = 0;
    /// The objective at the end: the mean training loss + weight_decay / 2 * |W|^2.
    double loss = 0.0;
    /// Whether the gradient fell under the tolerance before the iteration limit.
    bool converged = false;
};

/// Gradient tolerance (largest absolute entry) of the head's fit.
inline constexpr double kHeadTolerance = 1e-7;

/// Fits the last layer (a Linear) of `net` on the features every other layer computes for the
/// train examples `x` in evaluation mode: full-batch L-BFGS in double precision on the mean loss
/// (softmax cross-entropy, or the multi-task loss for [N, tasks] targets) plus
/// weight_decay / 2 * |W|^2 (the bias is not penalized), until the largest gradient entry is
/// under kHeadTolerance, the loss stops falling, or after about `max_evaluations`
/// evaluations. Features are computed `batch` examples at a time.
HeadFit fit_head(Net& net, const torch::Tensor& x, const torch::Tensor& y, double weight_decay,
                 std::int64_t batch, std::int64_t max_evaluations = 3000);

/// The objective fit_head minimizes, for the head as it is.
double head_objective(Net& net, const torch::Tensor& x, const torch::Tensor& y, double weight_decay,
                      std::int64_t batch);

}  // namespace mlstrat::train
