#pragma once
/// The data a run trains on: the splits the config's [data] names, loaded into memory.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "mlstrat/support/io.hpp"
#include "mlstrat/train/config.hpp"

namespace mlstrat::train {

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

/// Loads every split the config's [data] names, holding out train-dev and dev rows as asked.
Dataset load_dataset(const Config& config);

}  // namespace mlstrat::train
