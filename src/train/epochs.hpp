#pragma once
// The epoch loop (private to src/train/): mini-batches through the optimizer with every random
// draw seeded by (seed, epoch), the splits evaluated after each epoch, early stopping, and a
// checkpoint each epoch; in a data-parallel job, each rank's share of every global batch.

#include <cstdint>
#include <string>
#include <vector>

#include "mlstrat/train/config.hpp"
#include "mlstrat/train/run.hpp"
#include "train/checkpoint.hpp"
#include "train/distributed.hpp"
#include "train/evaluate.hpp"
#include "train/model.hpp"
#include "train/run_folder.hpp"

namespace mlstrat::train {

/// The rows of the training set each optimizer step sees. The global batch is train.batch_size
/// on each of the job's ranks; rank r takes rows [r * batch_size, (r + 1) * batch_size) of each
/// global batch.
struct BatchPlan {
    std::int64_t examples = 0;
    std::int64_t batch_size = 0;
    std::int64_t world = 1;
    std::int64_t rank = 0;
    std::int64_t global_batch = 0;
    /// Optimizer steps per epoch.
    std::int64_t batches = 0;
};

/// The batches of `examples` training examples in batches of `batch_size` on each rank of
/// `group` (nullptr: a single process).
BatchPlan plan_batches(std::int64_t examples, std::int64_t batch_size, const Group* group);

/// The seed of every random draw of 0-based `epoch`: a pure function of (seed, epoch), so an
/// epoch run after --resume draws what it would have drawn in one go.
std::uint64_t epoch_seed(std::int64_t seed, std::int64_t epoch);

/// The split early stopping watches: dev, else train-dev, else none ("").
std::string watched_split(const SplitTensors& tensors);

/// What the epoch loop reads, and where it reports.
struct EpochLoop {
    const Config& config;
    const SplitTensors& tensors;
    /// Multi-task data: the task names; empty otherwise.
    const std::vector<std::string>& tasks;
    const BatchPlan& plan;
    /// The job's ranks; nullptr for a single process.
    Group* group;
    /// Where checkpoint.pt and history.csv go after each epoch (by the writer only).
    const RunFolder& folder;
    const ProgressFn& progress;
};

/// Trains from state.epochs_done on until train.epochs are done, early stopping ends the run,
/// or `session_epochs` epochs of this session are done (0: no limit), as if the process were
/// killed then. Returns the optimizer steps taken.
std::int64_t fit_epochs(const EpochLoop& loop, Model& model, LoopState& state,
                        std::int64_t session_epochs);

}  // namespace mlstrat::train
