#pragma once
/// The transfer study (1.2.3): does starting from a model trained on task A beat training from
/// scratch on task B's few labels, by more than the seeds' noise?
///
///     TransferStudyRequest request;
///     request.config_path = "configs/app.toml";  // task B: the app images
///     request.source = "runs/web";               // trained on task A: the web images
///     TransferStudy study = transfer_study(request);  // study.sizes[i].verdict

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mlstrat/registry.hpp"
#include "mlstrat/support/stats.hpp"

namespace mlstrat::train {

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

}  // namespace mlstrat::train
