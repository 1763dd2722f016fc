#pragma once
// The optimizer of [optim] and the learning rate of [schedule] (private to src/train/).

#include <torch/torch.h>

#include <cstdint>
#include <memory>

#include "mlstrat/train/config.hpp"
#include "train/net.hpp"

namespace mlstrat::train {

/// The optimizer [optim] describes, over the parameters of `net` that are not frozen.
std::unique_ptr<torch::optim::Optimizer> make_optimizer(const OptimConfig& o, Net& net);

/// Sets the learning rate of every parameter group.
void set_lr(torch::optim::Optimizer& optimizer, double lr);

/// The learning rate of 0-based `epoch`: a pure function of the epoch, so resuming needs no
/// scheduler state.
double lr_at(const Config& c, std::int64_t epoch);

}  // namespace mlstrat::train
