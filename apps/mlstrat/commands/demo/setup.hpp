#pragma once
// What `mlstrat demo` sets up before each step runs: how big each step is (Plan), Fashion-MNIST's
// classes, the pool of web and app images, and the run configs it trains.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "mlstrat/support/text_table.hpp"
#include "mlstrat/train.hpp"

namespace mlstrat::cli::demo {

/// Fashion-MNIST's class names, by class number.
extern const std::vector<std::string> kClasses;

/// The four files of Fashion-MNIST the demo reads.
extern const char* const kFashionFiles[4];

/// How much data and training each step gets. `full` is the README's demo (under 10 minutes on
/// two cores); `quick` exercises every step in well under a minute, for tests.
struct Plan {
    std::int64_t web = 0;  // clean "web" images: train images [0, web)
    std::int64_t app = 0;  // "app" images synthesized from train images [web, web + app)
    std::int64_t target_in_train = 0;  // app images that go to train (option 2 of the notes)
    std::int64_t train_dev = 0;
    std::int64_t synth = 0;       // web images degraded to look like app images
    std::int64_t small_pool = 0;  // distinct degradations of the small-pool run
    std::int64_t epochs_baseline = 0;
    std::int64_t epochs_cnn = 0;
    std::int64_t pretrain_epochs = 0;  // epochs of the web-only CNN the transfer starts from
    std::int64_t finetune_epochs = 0;  // epochs of each transfer-study run on the app labels
    std::int64_t review = 0;           // errors in the review sheet
    std::int64_t min_slice_rows = 0;
    const char* transfer_labels = "";  // labels per class of the transfer study
    const char* transfer_seeds = "";
    std::int64_t transfer_dev = 0;  // app dev images the transfer study compares on
    const char* curve_sizes = "";   // training-set sizes of the baseline's learning curve
};

/// The plan of --size `size` (full or quick); throws Error for another size.
Plan plan_for(const std::string& size);

/// Makes the project folder `dir` (replacing it only when `force` or empty) with data/, configs/,
/// runs/, analysis/ and data/fashion linked to the data set `data`; returns `dir`.
std::filesystem::path prepare_project(const std::filesystem::path& dir, const std::string& data,
                                      bool force);

/// The class index of every label of an IDX labels file.
std::vector<std::uint8_t> read_idx_labels(const std::string& path);

/// The class name of a class number ("3" -> "Dress"); any other label as it is.
std::string class_name(std::string_view label);

/// The columns of the pool the demo splits: every image with where it comes from and what synth
/// did to it.
extern const std::vector<std::string> kPoolColumns;

/// Appends the outputs synth recorded in `folder` to `table` (which has kPoolColumns among its
/// columns), each with the id SOURCE-N and its class name.
void append_synthesized(io::TextTable& table, const std::filesystem::path& folder,
                        const std::string& source);

/// Writes DIR/data/pool.csv: the first `web` images of `images` (labels `labels`), then the app
/// images synth wrote to DIR/data/app.
void write_pool(const std::filesystem::path& dir, const std::string& images,
                const std::vector<std::uint8_t>& labels, std::int64_t web);

/// Writes DIR/data/train_NAME.csv: the rows of DIR/data/split/train.csv, then the images synth
/// wrote to DIR/data/NAME.
void write_train_with_synthesized(const std::filesystem::path& dir, const std::string& name);

/// How many rows each table of the transfer study holds.
struct TransferRows {
    std::size_t web = 0, app = 0, dev = 0;
};

/// Writes the transfer study's tables from the split in DIR/data/split: the web rows of train
/// (web_train.csv), its app rows (app_train.csv) and the first `dev_rows` of dev
/// (app_dev_sample.csv).
TransferRows write_transfer_tables(const std::filesystem::path& dir, std::int64_t dev_rows);

/// The data of a config: CSV tables of the pool's columns (the split mlstrat split wrote when
/// `train_file` is empty); the keep_cols go into the predictions for the error analysis.
train::DataConfig split_data(const std::string& train_file);

/// The transfer study's data: `train_file`, compared on the sample of the app dev set.
train::DataConfig transfer_data(const std::string& train_file);

/// A small fully connected network: one hidden layer of 128.
train::ModelConfig mlp_model();

/// A small CNN: blocks of 32 and 64 channels with batch norm, a hidden layer of 128, dropout.
train::ModelConfig cnn_model();

/// A config of the demo: seed 1, Adam at 1e-3 on a cosine schedule.
train::Config config(const train::DataConfig& data, const train::ModelConfig& model,
                     std::int64_t epochs, std::int64_t batch_size = 64);

}  // namespace mlstrat::cli::demo
