#pragma once
// Data parallelism inside one process: each core runs the forward and backward pass of its
// share of a mini-batch on its own copy of the model, single-threaded, and the gradients are
// summed before the optimizer's step. The copies share the model's weights (one storage, updated
// once), so only the gradients are per core.
//
// On small convolutional models this beats splitting every operation between the cores, which
// costs a barrier per operation (LibTorch's OpenMP threads spent about 14% of a step waiting
// here). Each core computes a deterministic result, and the sum is taken in a fixed order, so
// runs stay reproducible and `--resume` still ends with the same weights. The gradient is the
// whole batch's: the loss is a mean, so each share is weighted by its size. It is only used
// where that is exact: models without batch norm (whose statistics are per batch) and without
// dropout (whose random draws would depend on thread timing), for single-label classification.
// docs/train.md has the measured difference.

#include <functional>
#include <memory>
#include <vector>

#include "common/worker_pool.hpp"
#include "train/net.hpp"

namespace mlstrat::train {

class Replicas {
 public:
    /// Copies made by `make` of `net`'s architecture, one per worker but the first (which uses
    /// `net`), their weights made `net`'s own. Call after `net`'s weights are final for the run
    /// (loading a checkpoint replaces their storage).
    Replicas(Net& net, const std::function<Net()>& make, unsigned workers);

    /// One step's gradients of cross_entropy(net(x), y) * scale, the batch cut into one share
    /// per worker, added to `net`'s parameters' gradients. Returns the loss. From the first
    /// call on, the calling thread runs LibTorch on one thread (what it does between steps is
    /// small, and LibTorch's idle threads would spin beside the workers) until finish_steps().
    double backward(const torch::Tensor& x, const torch::Tensor& y, double scale);
    /// Gives the calling thread LibTorch's threads back (to evaluate on every core).
    void finish_steps();

    unsigned workers() const { return pool_.size(); }

 private:
    Net& net_;
    std::vector<Net> copies_;  // workers 1, 2, ...
    detail::WorkerPool pool_;
    int threads_;  // LibTorch's threads outside a step
};

/// Whether a run with this model and data can split its batches between `threads` cores exactly
/// (see above); `distributed`: the run is one rank of a job, which splits batches already.
bool can_split_batches(const ModelConfig& model, bool single_label, bool text, bool script_model,
                       bool distributed, int threads);

}  // namespace mlstrat::train
