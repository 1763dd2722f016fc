#pragma once
// The run folder runs/NAME/ (private to src/train/): the config a run trains with, and the
// folder made, replaced or resumed before the first epoch.

#include <cstddef>
#include <filesystem>
#include <string>

#include "mlstrat/train/config.hpp"
#include "mlstrat/train/run.hpp"
#include "train/distributed.hpp"

namespace mlstrat::train {

/// The config `request` asks for: the file with its --set overrides, then the request's name,
/// threads and seed; data paths made absolute, so that runs/NAME/config.toml stands on its own.
/// Throws Error(Config) when the name cannot name a folder.
Config run_config(const RunRequest& request);

/// The run folder as the run starts.
struct RunFolder {
    std::filesystem::path dir;
    /// config.toml: the run's config, every key written.
    std::string config_text;
    /// checkpoint.pt to resume from (rank 0's, on every rank of a job); empty for a fresh start.
    std::string checkpoint;
    /// Whether this process writes the folder: a single process, or rank 0 of a job.
    bool writer = true;

    /// Whether the run continues from a checkpoint.
    bool resuming() const { return !checkpoint.empty(); }
    /// The path of the folder's file `name`.
    std::string file(const std::string& name) const { return (dir / name).string(); }
};

/// Opens runs/NAME/ for `config`: reads the checkpoint of a resumed run and checks that it keeps
/// its config (only train.epochs may grow), replaces an existing run only when forced, and
/// writes config.toml. In a job (`group`), every rank checks that it has the same config and
/// training set (`train_size` examples), and gets rank 0's checkpoint; only rank 0 writes.
RunFolder open_run_folder(const RunRequest& request, const Config& config, std::size_t train_size,
                          Group* group);

}  // namespace mlstrat::train
