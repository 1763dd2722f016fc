// The run folder: the config with the request's overrides, and runs/NAME/ made, replaced or
// resumed, with the checks that a resumed run is the run that was started.

#include "train/run_folder.hpp"

#include <functional>
#include <regex>

#include "mlstrat/support/error.hpp"
#include "mlstrat/support/io.hpp"

namespace mlstrat::train {

namespace fs = std::filesystem;

namespace {

/// Resolves the config's data paths so that runs/NAME/config.toml stands on its own.
void make_paths_absolute(Config& c) {
    for (std::string* p :
         {&c.data.train, &c.data.train_labels, &c.data.train_dev, &c.data.train_dev_labels,
          &c.data.dev, &c.data.dev_labels, &c.data.test, &c.data.test_labels, &c.data.split_dir,
          &c.data.image_root, &c.transfer.from}) {
        if (!p->empty() && fs::path(*p).is_relative()) {
            *p = fs::absolute(fs::path(c.base_dir) / *p).lexically_normal().string();
        }
    }
    c.base_dir = ".";
}

/// Throws Error(Config) unless the config in `dir` is `config_text` but for train.epochs, which
/// may grow (successive halving in mlstrat tune resumes runs with more epochs).
void check_resumed_config(const fs::path& dir, const Config& config,
                          const std::string& config_text) {
    const std::string started_path = (dir / "config.toml").string();
    Config started = parse_config(io::read_file(started_path), started_path);
    MLSTRAT_CHECK(started.train.epochs <= config.train.epochs, started_path,
                  ": the run was started with train.epochs = ", started.train.epochs,
                  "; a resumed run can have more epochs, not fewer");
    started.train.epochs = config.train.epochs;
    MLSTRAT_CHECK(started.to_toml() == config_text, started_path,
                  ": the run was started with another config; resume with the same config "
                  "and --set values (only train.epochs may grow)");
}

/// Every rank checks that the job has one config and training set, and gets rank 0's
/// `checkpoint`.
std::string join_checkpoint(Group& group, const Config& config, std::size_t train_size,
                            const std::string& checkpoint) {
    Config same = config;
    same.threads = 0;  // threads may differ between hosts
    group.check_same(std::hash<std::string>{}(same.to_toml() + "\n" + std::to_string(train_size)),
                     "the config and the training set");
    return group.broadcast(checkpoint);
}

}  // namespace

Config run_config(const RunRequest& request) {
    Config config = load_config(request.config_path, request.overrides);
    if (!request.name.empty()) config.name = request.name;
    if (request.threads) config.threads = *request.threads;
    if (request.seed) config.seed = *request.seed;
    MLSTRAT_CHECK(std::regex_match(config.name, std::regex("[A-Za-z0-9_][A-Za-z0-9_.-]*")),
                  request.config_path, ": key 'name': run name '", config.name,
                  "' must be letters, digits, '_', '-' or '.'");
    make_paths_absolute(config);
    return config;
}

RunFolder open_run_folder(const RunRequest& request, const Config& config, std::size_t train_size,
                          Group* group) {
    RunFolder folder;
    folder.dir = fs::path(request.runs_dir) / config.name;
    folder.config_text = config.to_toml();
    folder.writer = group == nullptr || group->rank() == 0;
    const fs::path& dir = folder.dir;
    if (folder.writer && request.resume && fs::exists(dir / "checkpoint.pt")) {
        folder.checkpoint = io::read_file(folder.file("checkpoint.pt"));
    }
    if (group) folder.checkpoint = join_checkpoint(*group, config, train_size, folder.checkpoint);
    if (!folder.writer) return folder;  // the other ranks start from what rank 0 sent
    if (request.resume && fs::exists(dir / "config.toml")) {
        check_resumed_config(dir, config, folder.config_text);
    } else if (!request.resume && fs::exists(dir)) {
        MLSTRAT_CHECK(request.force, dir.string(),
                      ": the run exists; use --resume to continue it, --force to replace it, or "
                      "another --name");
        fs::remove_all(dir);
    }
    fs::create_directories(dir);
    io::write_file_atomically(folder.file("config.toml"), folder.config_text);
    return folder;
}

}  // namespace mlstrat::train
