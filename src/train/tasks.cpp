// Multi-task labels (1.2.3): y is a vector of 0/1 labels, one per task, some of them unknown.

#include "train/tasks.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <set>

#include "mlstrat/metrics.hpp"
#include "mlstrat/support/error.hpp"

namespace mlstrat::train {

std::int8_t parse_task_label(std::string_view cell, const std::string& at,
                             const std::string& column) {
    switch (metrics::parse_task_label(cell)) {
        case metrics::TaskLabel::Positive:
            return 1;
        case metrics::TaskLabel::Negative:
            return 0;
        case metrics::TaskLabel::Missing:
            return kMissingLabel;
        case metrics::TaskLabel::Invalid:
            break;
    }
    throw Error(ErrorCode::InvalidInput, at + ": column '" + column + "' holds '" +
                                             std::string(cell) +
                                             "', not a task label (1/0, true/false, yes/no; ? or "
                                             "empty when unknown)");
}

namespace {

/// Task labels of every split from its class labels.
void derive_tasks(const Config& config, Dataset& data) {
    std::string known;
    for (const auto& c : data.classes) known += (known.empty() ? "" : ", ") + c;
    std::vector<std::vector<char>> positive;  // [task][class]
    for (const auto& [task, classes] : config.tasks) {
        std::vector<char> is(data.classes.size(), 0);
        for (const auto& name : classes) {
            const auto it = std::find(data.classes.begin(), data.classes.end(), name);
            MLSTRAT_CHECK(it != data.classes.end(), "config: key 'tasks': task '", task,
                          "' names class '", name, "', which is not one of the data's classes (",
                          known, ")");
            is[it - data.classes.begin()] = 1;
        }
        positive.push_back(std::move(is));
        data.tasks.push_back(task);
    }
    for (auto& [name, split] : data.splits) {
        split.task_labels.resize(split.size() * positive.size());
        for (std::size_t i = 0; i < split.size(); ++i) {
            for (std::size_t t = 0; t < positive.size(); ++t) {
                split.task_labels[i * positive.size() + t] = positive[t][split.y[i]];
            }
        }
    }
}

/// Hides `share` of the train split's known labels, chosen by a seeded shuffle.
void hide_labels(Split& train, double share, std::uint64_t seed) {
    std::vector<std::size_t> known;
    for (std::size_t i = 0; i < train.task_labels.size(); ++i) {
        if (train.task_labels[i] != kMissingLabel) known.push_back(i);
    }
    std::mt19937_64 rng(seed);
    std::shuffle(known.begin(), known.end(), rng);
    const auto hide =
        static_cast<std::size_t>(std::llround(share * static_cast<double>(known.size())));
    for (std::size_t k = 0; k < hide; ++k) train.task_labels[known[k]] = kMissingLabel;
}

}  // namespace

void add_tasks(const Config& config, Dataset& data) {
    const DataConfig& d = config.data;
    MLSTRAT_CHECK(config.tasks.empty() || d.label_cols.empty(),
                  "config: keys 'tasks' and 'data.label_cols' exclude each other: derive the tasks "
                  "from one label, or read one column per task");
    if (!d.label_cols.empty()) {
        std::set<std::string> seen;
        for (const auto& c : d.label_cols) {
            MLSTRAT_CHECK(seen.insert(c).second, "config: key 'data.label_cols' lists '", c,
                          "' twice");
        }
        data.tasks = d.label_cols;
    } else if (!config.tasks.empty()) {
        derive_tasks(config, data);
    } else {
        MLSTRAT_CHECK(d.missing_share == 0.0, "config: key 'data.missing_share' hides task ",
                      "labels; it needs multi-task data (tasks or data.label_cols)");
        return;
    }
    Split& train = data.splits.at("train");
    if (d.missing_share > 0) {
        hide_labels(train, d.missing_share, static_cast<std::uint64_t>(d.split_seed) * 2 + 3);
    }
    const std::size_t nt = data.tasks.size();
    for (std::size_t t = 0; t < nt; ++t) {
        bool labelled = false;
        for (std::size_t i = 0; i < train.size() && !labelled; ++i) {
            labelled = train.task_labels[i * nt + t] != kMissingLabel;
        }
        MLSTRAT_CHECK(labelled, "config: task '", data.tasks[t],
                      "' has no label left in the train split",
                      d.missing_share > 0 ? " (key 'data.missing_share')" : "");
    }
}

}  // namespace mlstrat::train
