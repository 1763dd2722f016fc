#pragma once
/// A run's configuration: the TOML sections [data], [model], [optim], [schedule], [train],
/// [augment] and [transfer], one struct each. Every key is documented in docs/train.md.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace mlstrat::train {

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

}  // namespace mlstrat::train
