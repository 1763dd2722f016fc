#pragma once
// The model a run trains (private to src/train/): its network, drawn from the seed or started
// from a transfer source, the best weights early stopping keeps, the optimizer, and the per-core
// copies that share each batch where that gives the same gradients.

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mlstrat/train/config.hpp"
#include "mlstrat/train/data.hpp"
#include "train/checkpoint.hpp"
#include "train/net.hpp"
#include "train/replicas.hpp"
#include "train/transfer_source.hpp"

namespace mlstrat::train {

/// Makes a network of the run's architecture; each call draws new weights.
using NetMaker = std::function<Net()>;

/// The network's outputs: one per class, or one sigmoid per task (1.2.3).
std::int64_t output_count(const Dataset& data);

/// The run's networks: the config's [model] for `data`, or the TorchScript backbone of a
/// transfer with a new head.
NetMaker net_maker(const Config& config, const Dataset& data,
                   const std::optional<TransferSource>& source);

/// Copies the parameters and buffers of `from` into `to`, a network of the same architecture.
void copy_weights(Net& from, Net& to);

/// The model a run trains and what updates it. It stays where it was made: the replicas refer
/// to `net`.
struct Model {
    Net net{nullptr};
    /// The weights of the epoch with the best error on the split early stopping watches.
    Net best{nullptr};
    /// The first layers with weights that transfer.freeze froze.
    std::int64_t frozen = 0;
    std::unique_ptr<torch::optim::Optimizer> optimizer;
    /// The parameters the optimizer updates.
    std::vector<torch::Tensor> trainable;
    /// Copies that each train on a share of every batch (train/replicas.hpp); empty when
    /// LibTorch splits each operation between the cores instead.
    std::optional<Replicas> replicas;

    Model() = default;
    Model(const Model&) = delete;
    Model& operator=(const Model&) = delete;
    /// Training mode, but frozen layers stay in evaluation mode, so batch norm keeps their
    /// statistics too.
    void train_mode();
};

/// Makes the run's model in `model`: weights drawn from config.seed, a transfer source's weights
/// copied in and its first layers frozen (its note added to `notes`), the optimizer, then the
/// weights, optimizer and loop state of `checkpoint` when the run resumes; and the replicas
/// where they give the same gradients (never in a `distributed` job). Returns the loop's state.
LoopState start_model(Model& model, const NetMaker& new_net, const Config& config,
                      const Dataset& data, const std::optional<TransferSource>& source,
                      const std::string& checkpoint, bool distributed,
                      std::vector<std::string>& notes);

}  // namespace mlstrat::train
