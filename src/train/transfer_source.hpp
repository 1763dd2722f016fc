#pragma once
// Where a transfer starts (1.2.3, private to src/train/): another run's weights, or a TorchScript
// module as the backbone, copied into the new model with its first layers frozen.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mlstrat/train/config.hpp"
#include "train/net.hpp"

namespace mlstrat::train {

/// The run a transfer starts from (1.2.3).
struct TransferSource {
    std::string model_path;
    Config config;
    std::int64_t classes = 0;
    /// A TorchScript module (torch.jit.save) to use as the backbone under a new head.
    bool script = false;
};

/// The source config.transfer.from names, if any; a run's source also gives `config` its
/// [model], since the architecture is the source run's.
std::optional<TransferSource> take_transfer_source(Config& config);

/// The layers that hold weights, in order: what transfer.freeze counts.
std::vector<std::shared_ptr<torch::nn::Module>> weighted_layers(Net& net);

/// Copies the source run's weights into `net` (all but the head when a new head is needed) and
/// freezes the first layers; returns how many are frozen.
std::int64_t start_from(const TransferSource& s, const TransferConfig& t,
                        const std::vector<std::int64_t>& shape, std::int64_t classes, Net& net);

/// The run's note on its start: the source, the frozen layers, and whether the head is new.
std::string transfer_note(const TransferSource& s, const TransferConfig& t, std::int64_t classes,
                          std::int64_t frozen);

}  // namespace mlstrat::train
