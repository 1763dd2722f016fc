#pragma once
// The process group of a data-parallel job (docs/distributed.md): c10d's Gloo backend over a
// TCPStore that rank 0 serves. A run calls it at four places: joining (run.cpp), sharing rank
// 0's checkpoint (run_folder.cpp), summing gradients each step and agreeing at the end of an
// epoch (epochs.cpp).

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mlstrat/train/run.hpp"

namespace mlstrat::train {

/// The ranks of one job. Every collective throws Error(Training) with one line naming this rank
/// when another rank stops or cannot be reached within the timeout.
class Group {
 public:
    /// Joins the job `options` describes; returns nullptr for a single process. Rank 0 listens
    /// on the master's port; every rank waits up to join_seconds for the others.
    static std::unique_ptr<Group> join(const DistributedOptions& options);
    ~Group();
    Group(const Group&) = delete;
    Group& operator=(const Group&) = delete;

    int rank() const;
    int size() const;

    /// Replaces each parameter's gradient by its sum over the ranks, in one all-reduce.
    /// A parameter without a gradient counts as zeros.
    void sum_gradients(const std::vector<torch::Tensor>& params);
    /// Replaces each floating-point buffer (batch-norm running statistics) by its mean.
    void average_buffers(const std::vector<torch::Tensor>& buffers);
    /// The sum of `value` over the ranks.
    double sum(double value);
    /// Rank 0's `bytes` on every rank (the others pass anything).
    std::string broadcast(const std::string& bytes);
    /// Throws Error(Config) on every rank unless all pass the same fingerprint of `what`.
    void check_same(std::uint64_t fingerprint, const std::string& what);

    /// Seconds spent in sum_gradients so far.
    double gradient_seconds() const;

 private:
    struct Impl;
    explicit Group(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace mlstrat::train
