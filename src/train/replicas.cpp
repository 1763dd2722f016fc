#include "train/replicas.hpp"

#include <omp.h>

#include "mlstrat/support/error.hpp"

namespace mlstrat::train {

Replicas::Replicas(Net& net, const std::function<Net()>& make, unsigned workers)
    : net_(net), pool_(workers), threads_(at::get_num_threads()) {
    MLSTRAT_CHECK(workers >= 2, "Replicas: ", workers, " workers; splitting needs two or more");
    const auto params = net->parameters();
    const auto buffers = net->buffers();
    for (unsigned w = 1; w < workers; ++w) {
        Net copy = make();
        auto copy_params = copy->parameters();
        auto copy_buffers = copy->buffers();
        MLSTRAT_CHECK(copy_params.size() == params.size() && copy_buffers.size() == buffers.size(),
                      "Replicas: a copy of the model has other parameters than the model");
        for (std::size_t i = 0; i < params.size(); ++i) {
            copy_params[i].set_data(params[i]);  // the same storage, a gradient of its own
            copy_params[i].requires_grad_(params[i].requires_grad());
        }
        for (std::size_t i = 0; i < buffers.size(); ++i) copy_buffers[i].set_data(buffers[i]);
        copy->train(net->is_training());
        copies_.push_back(std::move(copy));
    }
}

void Replicas::finish_steps() { omp_set_num_threads(threads_); }

double Replicas::backward(const torch::Tensor& x, const torch::Tensor& y, double scale) {
    const std::int64_t rows = x.size(0);
    const unsigned parts = static_cast<unsigned>(std::min<std::int64_t>(pool_.size(), rows));
    std::vector<double> losses(parts, 0.0);
    pool_.run(parts, [&](unsigned w) {
        // One thread per share: LibTorch's and oneDNN's OpenMP regions opened from this thread
        // get one thread (the setting is per calling thread, after LibTorch's own first one).
        at::internal::lazy_init_num_threads();
        omp_set_num_threads(1);
        const std::int64_t from = rows * w / parts, to = rows * (w + 1) / parts;
        Net& model = w == 0 ? net_ : copies_[w - 1];
        auto logits = model->forward(x.narrow(0, from, to - from));
        auto loss = torch::cross_entropy_loss(logits, y.narrow(0, from, to - from)) *
                    (scale * static_cast<double>(to - from) / static_cast<double>(rows));
        loss.backward();
        losses[w] = loss.item<double>();
    });
    const auto params = net_->parameters();
    for (unsigned w = 1; w < parts; ++w) {
        auto copy_params = copies_[w - 1]->parameters();
        for (std::size_t i = 0; i < params.size(); ++i) {
            torch::Tensor& grad = copy_params[i].mutable_grad();
            if (!grad.defined()) continue;
            if (params[i].grad().defined()) {
                params[i].mutable_grad().add_(grad);
            } else {
                params[i].mutable_grad() = grad.clone();
            }
            grad.zero_();
        }
    }
    double loss = 0.0;
    for (double part : losses) loss += part;
    return loss;
}

bool can_split_batches(const ModelConfig& model, bool single_label, bool text, bool script_model,
                       bool distributed, int threads) {
    return threads >= 2 && single_label && !text && !script_model && !distributed &&
           (model.kind == "mlp" || (model.kind == "cnn" && !model.batch_norm)) &&
           model.dropout == 0.0;
}

}  // namespace mlstrat::train
