// The optimizers (SGD, momentum, RMSprop, Adam, each with L2 as weight decay) and the learning-rate
// schedules (constant, step, exponential, cosine, after a linear warm-up).

#include "train/optimizer.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace mlstrat::train {

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const OptimConfig& o, Net& net) {
    std::vector<torch::Tensor> params;
    for (auto& p : net->parameters()) {
        if (p.requires_grad()) params.push_back(p);  // frozen layers are not optimized
    }
    if (o.kind == "sgd" || o.kind == "momentum") {
        return std::make_unique<torch::optim::SGD>(
            params, torch::optim::SGDOptions(o.lr)
                        .momentum(o.kind == "momentum" ? o.momentum : 0.0)
                        .weight_decay(o.weight_decay));
    }
    if (o.kind == "rmsprop") {
        return std::make_unique<torch::optim::RMSprop>(
            params, torch::optim::RMSpropOptions(o.lr).alpha(o.alpha).eps(o.eps).weight_decay(
                        o.weight_decay));
    }
    return std::make_unique<torch::optim::Adam>(params, torch::optim::AdamOptions(o.lr)
                                                            .betas({o.beta1, o.beta2})
                                                            .eps(o.eps)
                                                            .weight_decay(o.weight_decay));
}

void set_lr(torch::optim::Optimizer& optimizer, double lr) {
    for (auto& group : optimizer.param_groups()) group.options().set_lr(lr);
}

double lr_at(const Config& c, std::int64_t epoch) {
    const auto& s = c.schedule;
    const double base = c.optim.lr;
    if (epoch < s.warmup_epochs) {
        return base * static_cast<double>(epoch + 1) / static_cast<double>(s.warmup_epochs + 1);
    }
    const auto e = static_cast<double>(epoch - s.warmup_epochs);
    const auto span =
        static_cast<double>(std::max<std::int64_t>(1, c.train.epochs - s.warmup_epochs));
    if (s.kind == "step") return base * std::pow(s.gamma, std::floor(e / s.step_epochs));
    if (s.kind == "exponential") return base * std::pow(s.gamma, e);
    if (s.kind == "cosine") {
        return s.min_lr + (base - s.min_lr) * 0.5 * (1.0 + std::cos(std::numbers::pi * e / span));
    }
    return base;
}

}  // namespace mlstrat::train
