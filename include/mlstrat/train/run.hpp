#pragma once
/// A training run (`mlstrat train`): what it is asked, what it reports while it trains, and what
/// it leaves in runs/NAME/.
///
///     RunRequest request;
///     request.config_path = "examples/fashion/cnn.toml";
///     request.overrides = {"optim.lr=3e-4"};
///     RunResult result = train_run(request, [](const Progress& p) { ... });
///     std::cout << result.errors.at("dev") << "\n";

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mlstrat/train/backend.hpp"

namespace mlstrat::train {

/// What the training loop reports while it runs.
struct Progress {
    enum class Kind { Start, Batch, Epoch, Done };
    Kind kind = Kind::Batch;
    std::int64_t epoch = 0;  // 1-based
    std::int64_t epochs = 0;
    std::int64_t batch = 0;  // 1-based within the epoch
    std::int64_t batches = 0;
    double loss = 0.0;
    double lr = 0.0;
    double examples_per_second = 0.0;
    double eta_seconds = 0.0;
    /// Per split, at the end of an epoch.
    std::map<std::string, double> errors;
    std::string message;
    nlohmann::json to_json() const;
};

using ProgressFn = std::function<void(const Progress&)>;

/// A data-parallel job (docs/distributed.md): `world_size` processes, each training on its share
/// of every global batch, gradients summed by all-reduce over c10d's Gloo process group.
struct DistributedOptions {
    /// Processes in the job; 1 trains alone.
    int world_size = 1;
    /// This process, 0 .. world_size-1; rank 0 serves the rendezvous store and writes the run.
    int rank = 0;
    /// HOST:PORT of rank 0's rendezvous store.
    std::string master;
    /// Seconds a collective may wait for the other ranks before the job stops.
    double timeout_seconds = 120.0;
    /// Seconds every rank has to join the job at the start.
    double join_seconds = 300.0;
};

/// The job torchrun describes in WORLD_SIZE, RANK, MASTER_ADDR and MASTER_PORT (a single process
/// when they are absent). Throws Error naming the variable when one is not a number.
DistributedOptions distributed_from_environment();

/// What `train_run` is asked to do.
struct RunRequest {
    std::string config_path;
    std::vector<std::string> overrides;
    /// The folder that holds one folder per run.
    std::string runs_dir = "runs";
    /// Overrides the config's name (default: the config file's stem).
    std::string name;
    /// Continue from runs/NAME/checkpoint.pt; the run ends with the same weights as an
    /// uninterrupted one.
    bool resume = false;
    /// Replace an existing run folder.
    bool force = false;
    /// Overrides the config's threads when set (0: every core).
    std::optional<unsigned> threads;
    std::optional<std::int64_t> seed;
    /// The registry to add the run to; empty for none.
    std::string registry_path;
    /// The kind the registry entry gets ("train"; "tune" for a trial of mlstrat tune).
    std::string registry_kind = "train";
    /// Notes added to the run's own (and to its registry entry).
    std::vector<std::string> notes;
    /// The seed group the registry entry joins (runs of one config with different seeds).
    std::string group;
    /// Data-parallel training; the default trains in this process alone.
    DistributedOptions distributed;
};

/// A finished (or stopped) run.
struct RunResult {
    std::string name;
    std::string dir;
    std::map<std::string, double> errors;
    std::map<std::string, double> accuracy;
    std::map<std::string, std::uint64_t> sizes;
    /// Multi-task runs: the tasks and each split's error per task (`errors` holds their mean).
    std::vector<std::string> tasks;
    std::map<std::string, std::map<std::string, double>> task_errors;
    double examples_per_second = 0.0;
    double seconds = 0.0;
    double latency_ms = 0.0;
    std::int64_t epochs = 0;
    bool complete = false;
    bool stopped_early = false;
    std::vector<std::string> files;
    std::vector<std::string> notes;
    BackendInfo backend;
    /// Processes in the job and this one's rank; only rank 0 writes the run folder.
    int world_size = 1;
    int rank = 0;
    /// Cores that each train on a share of every batch with a copy of the model (1: LibTorch
    /// splits each operation between the cores instead; docs/train.md).
    int batch_shares = 1;
    /// Optimizer steps taken in this session and the seconds spent in their gradient all-reduce.
    std::int64_t steps = 0;
    double allreduce_seconds = 0.0;
    nlohmann::json to_json() const;
};

/// Trains the model the config describes and writes runs/NAME/: config.toml, checkpoint.pt
/// (each epoch), history.csv, model.pt, model.torchscript.pt (TorchScript), pred_<split>.csv,
/// vocab.txt (text data) and metrics.json. Throws Error on bad input and Error(Training) when
/// LibTorch fails.
RunResult train_run(const RunRequest& request, const ProgressFn& progress = {});

}  // namespace mlstrat::train
