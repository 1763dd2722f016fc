#pragma once
/// The LibTorch training engine (library mlstrat_train): the knobs of course 1.1.3 turned one at
/// a time (orthogonalization, 1.1.1). A run reads a TOML config, trains an `mlp` or a `cnn`, and
/// writes runs/NAME/ with the train / train-dev / dev / test errors that `mlstrat diagnose` reads.
/// Nothing outside src/train/ includes a LibTorch header; this header only declares what the
/// rest of mlstrat may call.
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

namespace mlstrat::train {

// ---------------------------------------------------------------------------------------------
// Backend

/// What the tensor backend was set up with.
struct BackendInfo {
    std::string torch_version;
    /// LibTorch intra-op (OpenMP) threads.
    unsigned threads = 0;
    /// Threads of the BLAS library; -1 when it is not OpenBLAS and cannot be asked.
    int blas_threads = -1;
    /// The BLAS library that serves LibTorch's sgemm ("OpenBLAS 0.3.21 ..." or "generic").
    std::string blas;
    bool mkldnn = false;
    bool openmp = false;
    nlohmann::json to_json() const;
};

/// Sets LibTorch's intra-op threads (0: every core) and keeps OpenBLAS at one thread, since its
/// own threads on top of LibTorch's OpenMP threads make both slower. Idempotent.
BackendInfo configure_backend(unsigned threads = 0);

/// One line describing the tensor backend: LibTorch version, intra-op threads, and whether
/// oneDNN (MKL-DNN) and OpenMP are compiled in.
std::string backend_summary();

/// GFLOP/s of an n x n float matmul through LibTorch, the best of `repeats` timings.
double matmul_gflops(int n = 1024, int repeats = 10);

/// The machine's theoretical single-precision peak in GFLOP/s: cores x clock x FLOPs per
/// cycle (two FMA units: 32 with AVX2, 64 with AVX-512), read from /proc/cpuinfo.
double peak_gflops();

// ---------------------------------------------------------------------------------------------
// Data

/// An IDX array (the format of MNIST and Fashion-MNIST) with its values as floats.
struct IdxArray {
    std::vector<std::uint32_t> dims;
    /// The IDX type code: 0x08 ubyte, 0x09 sbyte, 0x0B short, 0x0C int, 0x0D float, 0x0E double.
    std::uint8_t type = 0x08;
    std::vector<float> values;
};

/// Reads an IDX file, gzip'd or not. Throws Error naming the file when the magic, the type, the
/// dimensions or the length are wrong (a truncated file, or bytes after the data).
IdxArray read_idx(const std::string& path);

/// The splits of a run, in the course's order (1.2.2): train, train-dev, dev, test.
inline const std::vector<std::string>& split_names() {
    static const std::vector<std::string> names = {"train", "train_dev", "dev", "test"};
    return names;
}

/// Examples of one split: features row-major, one class index per example.
struct Split {
    std::vector<float> x;
    std::vector<std::int64_t> y;
    /// The id of each example: the id column, or the row's index in its file.
    std::vector<std::string> ids;
    /// The values of Dataset::keep_cols, row-major: kept[i * keep_cols.size() + k].
    std::vector<std::string> kept;
    std::size_t size() const { return y.size(); }
};

/// A data set ready to train on: every present split, the class names and the example shape.
struct Dataset {
    /// Shape of one example: {C, H, W} for images, {F} for feature vectors.
    std::vector<std::int64_t> shape;
    std::vector<std::string> classes;
    /// Keys among split_names(); train is always present.
    std::map<std::string, Split> splits;
    /// Input columns copied into the predictions files (data.keep_cols).
    std::vector<std::string> keep_cols;
    /// Text data: token strings by id (examples are {max_len} token ids); empty otherwise.
    std::vector<std::string> vocabulary;
    /// Elements per example.
    std::int64_t example_size() const;
};

// ---------------------------------------------------------------------------------------------
// Config: every key is documented in docs/train.md.

/// [data]: where the examples come from and how the splits are made.
struct DataConfig {
    std::string format = "auto";  // auto | idx | csv | folders | text
    std::string train, train_labels, train_dev, train_dev_labels, dev, dev_labels, test,
        test_labels;
    std::string split_dir;
    std::string split_col;
    std::string label_col = "label";
    std::string id_col;
    std::vector<std::string> features;
    std::vector<std::string> class_names;
    std::int64_t train_dev_size = 0;
    std::int64_t dev_size = 0;
    std::string dev_from = "test";  // train | test
    std::int64_t limit = 0;
    std::int64_t split_seed = 0;
    bool standardize = true;
    /// CSV: the column holding each row's image (a PNG/JPEG path or FILE.idx#N).
    std::string image_col;
    /// The folder image paths resolve against (default: the table's folder).
    std::string image_root;
    /// [H, W] every image is resized to (default: the first image's size).
    std::vector<std::int64_t> image_size;
    /// 1 (gray) or 3 (RGB); 0 takes the first image's.
    std::int64_t channels = 0;
    /// Input columns copied into every pred_<split>.csv.
    std::vector<std::string> keep_cols;
    /// Train only on these classes, in this order; rows of other classes leave every split.
    std::vector<std::string> keep_classes;
    /// Keep the first N train examples of each class after a seeded shuffle (0: all).
    std::int64_t per_class = 0;
    /// Text: the column holding each row's text.
    std::string text_col = "text";
    /// Text: tokens are characters ("char") or words ("word").
    std::string vocab = "char";
    /// Text: tokens per example, longer texts cut, shorter padded (0: the longest train text).
    std::int64_t max_len = 0;
    /// Text: tokens seen fewer times in train become the unknown token.
    std::int64_t min_count = 1;
};

/// [model]: the architecture; `scale` multiplies every width (model size as one knob).
struct ModelConfig {
    std::string kind = "mlp";  // mlp | cnn | rnn
    std::vector<std::int64_t> hidden = {256};
    std::vector<std::int64_t> widths = {32, 64};
    std::int64_t convs_per_block = 1;
    std::int64_t kernel = 3;
    std::string padding = "same";  // same | valid
    bool batch_norm = true;
    bool residual = false;
    std::vector<std::int64_t> fc = {128};
    double dropout = 0.0;
    double scale = 1.0;
    /// rnn: lstm | gru.
    std::string cell = "lstm";
    bool bidirectional = false;
    std::int64_t embedding_dim = 32;
    std::int64_t rnn_hidden = 64;
    std::int64_t rnn_layers = 1;
};

/// [optim]: the optimizer and L2 regularization.
struct OptimConfig {
    std::string kind = "adam";  // sgd | momentum | rmsprop | adam
    double lr = 1e-3;
    double momentum = 0.9;
    double beta1 = 0.9;
    double beta2 = 0.999;
    double eps = 1e-8;
    double alpha = 0.99;
    double weight_decay = 0.0;
};

/// [schedule]: the learning rate as a function of the epoch.
struct ScheduleConfig {
    std::string kind = "constant";  // constant | step | exponential | cosine
    std::int64_t step_epochs = 1;
    double gamma = 0.5;
    double min_lr = 0.0;
    std::int64_t warmup_epochs = 0;
};

/// [train]: the loop.
struct LoopConfig {
    std::int64_t epochs = 3;
    std::int64_t batch_size = 64;
    std::int64_t eval_batch_size = 1000;
    std::int64_t early_stopping = 0;  // patience in epochs; 0 is off
    std::int64_t eval_train_rows = 10000;
};

/// [augment]: image augmentation applied to training batches only.
struct AugmentConfig {
    bool flip = false;
    std::int64_t shift = 0;
    std::int64_t crop = 0;
    double noise = 0.0;
    double blur = 0.0;
};

/// [transfer]: start from another run's weights (1.2.3).
struct TransferConfig {
    /// A run folder or its model.pt; empty for no transfer.
    std::string from;
    /// "none", "all-but-head", or the number of first layers (with weights) to freeze.
    std::string freeze = "none";
    /// Outputs of the new last layer; 0 keeps the source's head when the class count matches.
    std::int64_t new_head = 0;
};

/// A whole run configuration.
struct Config {
    std::string name;
    std::int64_t seed = 0;
    std::int64_t threads = 0;
    DataConfig data;
    ModelConfig model;
    OptimConfig optim;
    ScheduleConfig schedule;
    LoopConfig train;
    AugmentConfig augment;
    TransferConfig transfer;
    /// The folder relative data paths are resolved against (the config file's folder).
    std::string base_dir = ".";

    /// The config as TOML, every key written, so that loading it gives the same config.
    std::string to_toml() const;
};

/// One documented config key.
struct KeyInfo {
    std::string key;
    std::string type;
    std::string default_value;
    std::string doc;
};

/// Every config key with its type, default and meaning.
std::vector<KeyInfo> config_keys();

/// Parses a TOML config then applies `overrides` ("optim.lr=3e-4", the value in TOML syntax or a
/// bare string). Unknown keys and bad values throw Error(Config) naming the key:
/// "cfg.toml:12: key 'optim.lr' must be a number > 0, got -1".
Config parse_config(const std::string& toml_text, const std::string& source_name,
                    const std::vector<std::string>& overrides = {});

/// Reads and parses a config file; relative data paths resolve against its folder.
Config load_config(const std::string& path, const std::vector<std::string>& overrides = {});

/// Loads every split the config's [data] names, holding out train-dev and dev rows as asked.
Dataset load_dataset(const Config& config);

// ---------------------------------------------------------------------------------------------
// Runs

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
    /// Stop after this many epochs in this session, as if killed (for testing resume).
    std::int64_t stop_after_epochs = 0;
    /// The registry to add the run to; empty for none.
    std::string registry_path;
};

/// A finished (or stopped) run.
struct RunResult {
    std::string name;
    std::string dir;
    std::map<std::string, double> errors;
    std::map<std::string, double> accuracy;
    std::map<std::string, std::uint64_t> sizes;
    double examples_per_second = 0.0;
    double seconds = 0.0;
    double latency_ms = 0.0;
    std::int64_t epochs = 0;
    bool complete = false;
    bool stopped_early = false;
    std::vector<std::string> files;
    std::vector<std::string> notes;
    BackendInfo backend;
    nlohmann::json to_json() const;
};

/// Trains the model the config describes and writes runs/NAME/: config.toml, checkpoint.pt
/// (each epoch), history.csv, model.pt, model.ts.pt (TorchScript), metrics.json and
/// pred_<split>.csv. Throws Error on bad input and Error(Training) when LibTorch fails.
RunResult train_run(const RunRequest& request, const ProgressFn& progress = {});

}  // namespace mlstrat::train
