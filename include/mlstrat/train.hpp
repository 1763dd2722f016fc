#pragma once
/// The LibTorch training engine (library mlstrat_train): the knobs of course 1.1.3 turned one at
/// a time (orthogonalization, 1.1.1). A run reads a TOML config, trains an `mlp`, a `cnn` or an
/// `rnn`, and writes runs/NAME/ with the train / train-dev / dev / test errors that `mlstrat
/// diagnose` reads.
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

#include "mlstrat/io.hpp"
#include "mlstrat/registry.hpp"

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

/// IDX arrays are read by the core's reader (io.hpp).
using io::IdxArray;
using io::read_idx;

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
    /// Multi-task data only: [examples x tasks] row-major, 1 positive, 0 negative,
    /// kMissingLabel when the example has no label for the task (1.2.3).
    std::vector<std::int8_t> task_labels;
    /// The values of Dataset::keep_cols, row-major: kept[i * keep_cols.size() + k].
    std::vector<std::string> kept;
    std::size_t size() const { return y.size(); }
};

/// A task label that is not known (`?` or empty in a CSV); masked out of loss and errors.
inline constexpr std::int8_t kMissingLabel = -1;

/// A data set ready to train on: every present split, the class names and the example shape.
struct Dataset {
    /// Shape of one example: {C, H, W} for images, {F} for feature vectors.
    std::vector<std::int64_t> shape;
    std::vector<std::string> classes;
    /// Keys among split_names(); train is always present.
    std::map<std::string, Split> splits;
    /// Multi-task data: the task names, one sigmoid output each; empty for one softmax label.
    std::vector<std::string> tasks;
    /// Input columns copied into the predictions files (data.keep_cols).
    std::vector<std::string> keep_cols;
    /// Text data: token strings by id (examples are {max_len} token ids); empty otherwise.
    std::vector<std::string> vocabulary;
    /// The standardization the inputs got (data.standardize), x' = (x - mean) * scale: one value
    /// for every pixel of an image, one per feature of a vector; empty when none.
    std::vector<float> input_mean, input_scale;
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
    /// Multi-task CSV: one 1/0 column per task (`?` or empty: missing).
    std::vector<std::string> label_cols;
    /// Share of the train split's task labels hidden, as if never labelled (seeded).
    double missing_share = 0.0;
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
    /// Every key equal (Config::to_toml round trips are checked with it).
    bool operator==(const DataConfig&) const = default;
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
    /// Every key equal (Config::to_toml round trips are checked with it).
    bool operator==(const ModelConfig&) const = default;
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
    /// Every key equal (Config::to_toml round trips are checked with it).
    bool operator==(const OptimConfig&) const = default;
};

/// [schedule]: the learning rate as a function of the epoch.
struct ScheduleConfig {
    std::string kind = "constant";  // constant | step | exponential | cosine
    std::int64_t step_epochs = 1;
    double gamma = 0.5;
    double min_lr = 0.0;
    std::int64_t warmup_epochs = 0;
    /// Every key equal (Config::to_toml round trips are checked with it).
    bool operator==(const ScheduleConfig&) const = default;
};

/// [train]: the loop.
struct LoopConfig {
    std::int64_t epochs = 3;
    std::int64_t batch_size = 64;
    // Small enough that a convolution's buffers stay in memory already mapped: at 1,000 images
    // a batch, fresh pages made evaluating 5x slower than training on a 2-core VM.
    std::int64_t eval_batch_size = 128;
    std::int64_t early_stopping = 0;  // patience in epochs; 0 is off
    std::int64_t eval_train_rows = 10000;
    /// Every key equal (Config::to_toml round trips are checked with it).
    bool operator==(const LoopConfig&) const = default;
};

/// [augment]: image augmentation applied to training batches only.
struct AugmentConfig {
    bool flip = false;
    std::int64_t shift = 0;
    std::int64_t crop = 0;
    double noise = 0.0;
    double blur = 0.0;
    /// Every key equal (Config::to_toml round trips are checked with it).
    bool operator==(const AugmentConfig&) const = default;
};

/// [transfer]: start from another run's weights (1.2.3).
struct TransferConfig {
    /// A run folder or its model.pt; empty for no transfer.
    std::string from;
    /// "none", "all-but-head", or the number of first layers (with weights) to freeze.
    std::string freeze = "none";
    /// Outputs of the new last layer; 0 keeps the source's head when the class count matches.
    std::int64_t new_head = 0;
    /// Every key equal (Config::to_toml round trips are checked with it).
    bool operator==(const TransferConfig&) const = default;
};

/// A whole run configuration.
struct Config {
    std::string name;
    std::int64_t seed = 0;
    std::int64_t threads = 0;
    /// Multi-task learning from one label (1.2.3): task name -> the classes that make it
    /// positive ("footwear" -> Sandal, Sneaker, Ankle boot).
    std::map<std::string, std::vector<std::string>> tasks;
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
    /// Every key and base_dir equal: parsing to_toml()'s text gives back an equal config.
    bool operator==(const Config&) const = default;
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
    /// Stop after this many epochs in this session, as if killed (for testing resume).
    std::int64_t stop_after_epochs = 0;
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
/// (each epoch), history.csv, model.pt, model.torchscript.pt (TorchScript), metrics.json and
/// pred_<split>.csv. Throws Error on bad input and Error(Training) when LibTorch fails.
RunResult train_run(const RunRequest& request, const ProgressFn& progress = {});

// ---------------------------------------------------------------------------------------------
// Seeds: one config trained with several seeds, so that a conclusion rests on more than one.
//
//     SeedsRequest request;
//     request.run.config_path = "cnn.toml";
//     request.seeds = parse_seeds("1,2,3", "--seeds");
//     SeedsResult result = train_seeds(request);  // result.errors.at("dev").mean, .sd, .interval

/// Parses a list of seeds ("1,2,3"): distinct whole numbers >= 0, at least one. Throws Error
/// naming `what`: `--seeds: '1,,2' has an empty item`.
std::vector<std::int64_t> parse_seeds(const std::string& text, const std::string& what);

/// What `train_seeds` is asked to do.
struct SeedsRequest {
    /// The run every seed trains; its name (or the config's) names the group.
    RunRequest run;
    std::vector<std::int64_t> seeds;
    /// Each seed also draws the data (data.split_seed = seed): which rows data.per_class keeps
    /// and which are held out, so the spread includes the luck of the labelled sample.
    bool draw_data = false;
    /// Confidence level of the intervals.
    double level = 0.95;
};

/// The runs of one config over several seeds.
struct SeedsResult {
    /// The group the runs were recorded in: the run name.
    std::string group;
    /// One per seed, in the order given: NAME-s<SEED>.
    std::vector<RunResult> runs;
    std::vector<std::int64_t> seeds;
    /// Split -> the error's mean, sample standard deviation and t interval over the seeds.
    std::map<std::string, registry::SeedSummary> errors;
    /// {group, seeds, runs, errors {split: {n, mean, sd, interval}}}.
    nlohmann::json to_json() const;
};

/// Trains the run once per seed as NAME-s<SEED>, every run in group NAME of the registry, and
/// summarizes each split's error over the seeds. `progress` gets every run's events.
SeedsResult train_seeds(const SeedsRequest& request, const ProgressFn& progress = {});

// ---------------------------------------------------------------------------------------------
// Transfer study (1.2.3): does starting from a model trained on task A beat training from
// scratch on task B's few labels, by more than the seeds' noise?
//
//     TransferStudyRequest request;
//     request.config_path = "configs/app.toml";  // task B: the app images
//     request.source = "runs/web";               // trained on task A: the web images
//     TransferStudy study = transfer_study(request);  // study.sizes[i].verdict

/// The arms of a transfer study, in the order they are reported.
inline const std::vector<std::string>& transfer_arms() {
    static const std::vector<std::string> arms = {"fine-tuned", "scratch", "frozen"};
    return arms;
}

/// What `transfer_study` is asked to do.
struct TransferStudyRequest {
    /// Task B's config: its data, model (the source's) and training; no [transfer] section.
    std::string config_path;
    /// The run trained on task A (its folder or model.pt) the fine-tuned and frozen arms start
    /// from.
    std::string source;
    /// Labelled train examples of each class B gets (data.per_class), one comparison each.
    std::vector<std::int64_t> labels_per_class = {10, 30, 100};
    /// At least two: the interval on the difference needs the seeds' spread. Each seed also
    /// draws which labelled examples B gets.
    std::vector<std::int64_t> seeds = {1, 2, 3};
    /// Add the frozen arm: every layer but the head frozen, the head solved.
    bool frozen = true;
    /// --set values every run gets.
    std::vector<std::string> overrides;
    /// The split the arms are compared on (choose on dev, 1.1.2).
    std::string split = "dev";
    /// Runs are NAME-<arm>-<labels>-s<seed>, in groups NAME-<arm>-<labels>.
    std::string name = "transfer";
    std::string runs_dir = "runs";
    std::string registry_path;
    bool force = false;
    std::optional<unsigned> threads;
    double level = 0.95;
};

/// One number of labels per class: every arm's error over the seeds and the verdict.
struct TransferSize {
    std::int64_t labels_per_class = 0;
    /// Arm -> its error on the split over the seeds.
    std::map<std::string, registry::SeedSummary> arms;
    /// Arm -> its seed group in the registry.
    std::map<std::string, std::string> groups;
    /// Scratch's mean error minus fine-tuned's: what starting from task A gains.
    double gain = 0.0;
    /// Welch's interval on the gain.
    stats::Interval gain_interval;
    /// The interval lies above 0: the gain is larger than the seeds' noise.
    bool pays = false;
    /// The comparison in words.
    std::string verdict;
    nlohmann::json to_json() const;
};

/// What `transfer_study` found.
struct TransferStudy {
    std::string source;
    std::string split;
    std::vector<std::int64_t> seeds;
    double level = 0.95;
    std::vector<TransferSize> sizes;
    /// The study in one sentence: where transfer paid and where it did not.
    std::string verdict;
    double seconds = 0.0;
    /// {source, split, seeds, level, sizes, verdict, seconds}.
    nlohmann::json to_json() const;
};

/// Called before each run with its name.
using TransferProgressFn = std::function<void(const std::string& run)>;

/// Trains, for every number of labels per class and every seed, the fine-tuned arm (all of the
/// source's weights, every layer trained), the scratch arm (the same model from random weights)
/// and the frozen arm; compares fine-tuned with scratch on the split by Welch's interval over
/// the seeds. Throws Error before training when the config's model is not the source's, it has a
/// [transfer] section, fewer than two seeds are given, or a size is < 1.
TransferStudy transfer_study(const TransferStudyRequest& request,
                             const TransferProgressFn& progress = {});

// ---------------------------------------------------------------------------------------------
// Tune: random search over the knobs, optionally with successive halving (1.1.3).
//
//     TuneRequest request;
//     request.config_path = "quadrants.toml";
//     request.space = {"optim.lr=log(1e-4,1e-2)", "model.scale=choice(0.5,1,2)"};
//     request.trials = 8;
//     TuneResult result = tune(request);  // result.best: the trial the project's metric picks

/// One dimension of the search space: `KEY=log(LO,HI)` (log-uniform, for learning rates),
/// `uniform(LO,HI)`, `int(LO,HI)` (both ends included) or `choice(V1,V2,...)` (TOML values).
struct SearchDimension {
    enum class Kind { Log, Uniform, Int, Choice };
    std::string key;
    Kind kind = Kind::Uniform;
    double lo = 0.0, hi = 0.0;
    std::vector<std::string> choices;
    /// Whether the key holds integers (drawn numbers are rounded).
    bool integer = false;
    /// As written.
    std::string text;
};

/// Parses one --space value; every value it can draw is checked against the key's rule. Throws
/// Error naming the flag: `--space 'optim.lr=log(0,1)': log needs 0 < LO < HI`.
SearchDimension parse_search_dimension(const std::string& text);

/// The `--set` overrides of `trials` random draws from the space, reproducible from `seed`
/// (the same seed and space give the same trials on every machine).
std::vector<std::vector<std::string>> sample_trials(const std::vector<SearchDimension>& space,
                                                    std::int64_t trials, std::uint64_t seed);

/// What `tune` is asked to do.
struct TuneRequest {
    std::string config_path;
    /// --space values.
    std::vector<std::string> space;
    /// --set values every trial gets.
    std::vector<std::string> overrides;
    std::int64_t trials = 10;
    /// Runs per trial, with the seeds seed, seed+1, ... (the config's seed first). With more
    /// than one, a trial's runs are NAME-tNN-s<SEED> in one registry group NAME-tNN, and the
    /// trials are ranked by their group means on dev.
    std::int64_t repeats = 1;
    /// Seed of the search (the config's seed still seeds each training).
    std::uint64_t seed = 0;
    /// Successive halving: every trial starts with min_epochs, the best 1/eta of a rung continue
    /// (by --resume) with eta times the epochs, up to the config's train.epochs.
    bool halving = false;
    std::int64_t eta = 3;
    std::int64_t min_epochs = 1;
    /// Trial runs are NAME-t01, NAME-t02...; default: the config's name.
    std::string name;
    std::string runs_dir = "runs";
    /// The registry every trial is added to; its project settings choose the best.
    std::string registry_path = "mlstrat.db";
    /// Replace existing trial runs.
    bool force = false;
    std::optional<unsigned> threads;
};

/// One trial on the leaderboard.
struct TrialResult {
    std::string name;
    /// The drawn --set values.
    std::vector<std::string> overrides;
    /// Epochs trained: the budget of the last rung the trial reached.
    std::int64_t epochs = 0;
    /// The last rung reached (0-based; always 0 without halving).
    std::int64_t rung = 0;
    /// The optimizing metric's value at that rung; empty when the run lacks it.
    std::optional<double> value;
    bool feasible = false;
    std::vector<std::string> violations;
    std::map<std::string, double> errors;
    double latency_ms = 0.0;
    /// Its registered runs: the trial's name alone, or one per repeat (its group's members).
    std::vector<std::string> runs;
    nlohmann::json to_json() const;
};

/// One rung of successive halving.
struct Rung {
    std::int64_t epochs = 0;
    std::vector<std::string> trials;
    /// The trials that continue to the next rung (empty for the last).
    std::vector<std::string> kept;
};

/// What `tune` found.
struct TuneResult {
    std::string name;
    /// "minimize dev_error" or the project's objective.
    std::string objective;
    std::vector<std::string> constraints;
    /// Best first: the trials of the last rung in the order select ranks them (those meeting the
    /// limits first), then the trials stopped at earlier rungs, later rungs first.
    std::vector<TrialResult> leaderboard;
    std::vector<Rung> rungs;
    /// The best trial meeting every limit; empty when none does.
    std::optional<std::string> best;
    std::vector<std::string> best_overrides;
    bool halving = false;
    nlohmann::json to_json() const;
};

/// Called after each run of each rung (each seed of a trial with repeats, named after its run).
using TuneProgressFn = std::function<void(const TrialResult& trial, const Rung& rung)>;

/// Runs the search: every trial is a registered run (kind "tune", its --set values in its
/// notes), or a seed group of `repeats` runs ranked by its means; the best is chosen with select
/// under the project's optimizing metric (minimize dev_error when none is set) and satisficing
/// limits, such as latency_ms<=100. Bad space syntax or values fail before anything trains.
TuneResult tune(const TuneRequest& request, const TuneProgressFn& progress = {});

}  // namespace mlstrat::train
