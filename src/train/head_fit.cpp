// The head of a frozen backbone solved on fixed features: full-batch L-BFGS with a strong-Wolfe
// line search, in double precision so that the tolerance is reachable.

#include "train/head_fit.hpp"

#include <algorithm>
#include <limits>
#include <memory>
#include <vector>

#include "mlstrat/support/error.hpp"
#include "train/multitask.hpp"

namespace mlstrat::train {

namespace {

/// The features the head sees, for every example, in evaluation mode, as doubles.
torch::Tensor features_of(Net& net, const torch::Tensor& x, std::int64_t batch) {
    torch::NoGradGuard no_grad;
    const bool training = net->is_training();
    net->eval();
    std::vector<torch::Tensor> parts;
    for (std::int64_t i = 0; i < x.size(0); i += batch) {
        parts.push_back(net->features(x.narrow(0, i, std::min(batch, x.size(0) - i)))
                            .flatten(1)
                            .to(torch::kDouble));
    }
    net->train(training);
    return torch::cat(parts);
}

std::shared_ptr<torch::nn::LinearImpl> head_of(Net& net) {
    auto& layers = net->layers();
    MLSTRAT_CHECK(!layers->is_empty(), "the model has no layers");
    auto head = std::dynamic_pointer_cast<torch::nn::LinearImpl>(layers->ptr(layers->size() - 1));
    MLSTRAT_CHECK(head != nullptr, "key 'transfer.freeze': all-but-head needs a Linear last layer");
    return head;
}

torch::Tensor objective(const torch::Tensor& features, const torch::Tensor& y,
                        const torch::Tensor& w, const torch::Tensor& b, double weight_decay) {
    const auto logits = torch::addmm(b, features, w.t());
    const auto loss = multi_label(y) ? multitask_loss(logits, y.to(torch::kDouble))
                                     : torch::cross_entropy_loss(logits, y);
    return loss + 0.5 * weight_decay * w.pow(2).sum();
}

}  // namespace

HeadFit fit_head(Net& net, const torch::Tensor& x, const torch::Tensor& y, double weight_decay,
                 std::int64_t batch, std::int64_t max_evaluations) {
    const auto features = features_of(net, x, batch);
    auto head = head_of(net);
    auto w = head->weight.detach().to(torch::kDouble).clone().requires_grad_(true);
    auto b = head->bias.detach().to(torch::kDouble).clone().requires_grad_(true);
    // One step() runs up to `max_iter` iterations; it is called again while the gradient is
    // above the tolerance and the loss still moves.
    torch::optim::LBFGS lbfgs({w, b}, torch::optim::LBFGSOptions(1.0)
                                          .max_iter(100)
                                          .history_size(20)
                                          .tolerance_grad(kHeadTolerance)
                                          .tolerance_change(0.0)
                                          .line_search_fn("strong_wolfe"));
    HeadFit fit;
    auto closure = [&] {
        ++fit.evaluations;
        lbfgs.zero_grad();
        auto loss = objective(features, y, w, b, weight_decay);
        loss.backward();
        return loss;
    };
    double previous = std::numeric_limits<double>::infinity();
    while (fit.evaluations < max_evaluations) {
        lbfgs.step(closure);
        lbfgs.zero_grad();
        auto loss = objective(features, y, w, b, weight_decay);
        loss.backward();
        fit.loss = loss.item<double>();
        const double grad =
            std::max(w.grad().abs().max().item<double>(), b.grad().abs().max().item<double>());
        if (grad <= kHeadTolerance) {
            fit.converged = true;
            break;
        }
        if (fit.loss >= previous) break;  // the line search can make no more progress
        previous = fit.loss;
    }
    torch::NoGradGuard no_grad;
    head->weight.copy_(w.detach().to(head->weight.dtype()));
    head->bias.copy_(b.detach().to(head->bias.dtype()));
    return fit;
}

double head_objective(Net& net, const torch::Tensor& x, const torch::Tensor& y, double weight_decay,
                      std::int64_t batch) {
    const auto features = features_of(net, x, batch);
    auto head = head_of(net);
    torch::NoGradGuard no_grad;
    return objective(features, y, head->weight.to(torch::kDouble), head->bias.to(torch::kDouble),
                     weight_decay)
        .item<double>();
}

}  // namespace mlstrat::train
