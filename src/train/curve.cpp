// A learning curve (Machine Learning Yearning 28-32): the config trained on nested stratified
// subsets of its training set, small sizes first, all from one load of the data, each run
// recorded in the registry as one curve; the fit and the verdict come from the diagnose module.

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>

#include "mlstrat/registry.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/train_curve.hpp"
#include "train/run.hpp"

namespace mlstrat::train {

namespace {

namespace fs = std::filesystem;

/// The training set cut to `rows` (in that order); every other split as loaded.
std::unique_ptr<Dataset> with_train_rows(const Dataset& data,
                                         const std::vector<std::size_t>& rows) {
    auto out = std::make_unique<Dataset>();
    out->shape = data.shape;
    out->classes = data.classes;
    out->tasks = data.tasks;
    out->keep_cols = data.keep_cols;
    out->vocabulary = data.vocabulary;
    for (const auto& [name, split] : data.splits) {
        if (name != "train") out->splits[name] = split;
    }
    const Split& from = data.splits.at("train");
    Split& to = out->splits["train"];
    const auto width = static_cast<std::size_t>(data.example_size());
    const std::size_t tasks = data.tasks.size(), kept = data.keep_cols.size();
    to.x.reserve(rows.size() * width);
    for (std::size_t r : rows) {
        to.x.insert(to.x.end(), from.x.begin() + static_cast<std::ptrdiff_t>(r * width),
                    from.x.begin() + static_cast<std::ptrdiff_t>((r + 1) * width));
        to.y.push_back(from.y[r]);
        to.ids.push_back(from.ids[r]);
        for (std::size_t t = 0; t < tasks; ++t)
            to.task_labels.push_back(from.task_labels[r * tasks + t]);
        for (std::size_t k = 0; k < kept; ++k) to.kept.push_back(from.kept[r * kept + k]);
    }
    return out;
}

/// The runs a curve will train: (size, repeats) in order, small first.
struct Plan {
    std::vector<std::pair<std::uint64_t, std::int64_t>> steps;
    double work = 0.0;  // examples x epochs, for the ETA
};

Plan plan_of(const CurveRequest& request, std::uint64_t total, std::int64_t epochs,
             const std::string& config_path) {
    Plan plan;
    std::vector<std::uint64_t> sizes;
    for (std::uint64_t s : request.sizes) {
        MLSTRAT_CHECK(s <= total, config_path, ": --sizes: ", s, " is above the training set's ",
                      total, " examples (use 'all' for all)");
        sizes.push_back(s == 0 ? total : s);
    }
    std::sort(sizes.begin(), sizes.end());
    MLSTRAT_CHECK(std::adjacent_find(sizes.begin(), sizes.end()) == sizes.end(), config_path,
                  ": --sizes: 'all' is the training set's ", total,
                  " examples, which is also given as a number");
    for (std::uint64_t s : sizes) {
        const std::int64_t repeats = request.repeats.value_or(diagnose::default_repeats(s, total));
        plan.steps.emplace_back(s, repeats);
        plan.work += static_cast<double>(s * static_cast<std::uint64_t>(repeats * epochs));
    }
    return plan;
}

}  // namespace

diagnose::LearningCurve learning_curve(const CurveRequest& request,
                                       const CurveProgressFn& progress) {
    MLSTRAT_CHECK(!request.registry_path.empty(),
                  "a learning curve is kept in the registry: give --db");
    MLSTRAT_CHECK(!request.repeats || *request.repeats >= 1, "--repeats must be at least 1, got ",
                  *request.repeats);
    const Config config = load_config(request.config_path, request.overrides);
    const std::string name = request.name.empty() ? config.name + "-curve" : request.name;
    auto run_name = [&](std::uint64_t size, std::int64_t repeat) {
        return fmt::format("{}-n{}-r{}", name, size, repeat);
    };

    // One load of the data for every run; bad sizes fail before anything is written.
    const Dataset data = load_dataset(config);
    MLSTRAT_CHECK(data.splits.count("dev"), request.config_path,
                  ": a learning curve draws the dev error against the size, and the config has no "
                  "dev split (data.dev, data.dev_size or data.split_dir)");
    const std::uint64_t total = data.splits.at("train").size();
    const Plan plan = plan_of(request, total, config.train.epochs, request.config_path);
    const auto existing = diagnose::curve_run_names(request.registry_path, name);
    MLSTRAT_CHECK(existing.empty() || request.force, request.registry_path, ": learning curve '",
                  name, "' exists (", existing.size(),
                  " runs); --force replaces it, or give another --name");
    for (const auto& [size, repeats] : plan.steps) {
        for (std::int64_t r = 1; r <= repeats; ++r) {
            const fs::path dir = fs::path(request.runs_dir) / run_name(size, r);
            MLSTRAT_CHECK(request.force || !fs::exists(dir), dir.string(),
                          ": the run exists; --force replaces the curve's runs");
        }
    }
    if (!existing.empty()) {
        auto registry = registry::Registry::open(request.registry_path);
        for (const auto& run : existing) registry.remove_run(run);
    }

    // Repeat r draws its subsets from one stratified order, so its sizes are nested.
    std::map<std::int64_t, std::vector<std::size_t>> orders;
    const auto start = std::chrono::steady_clock::now();
    double done = 0.0;
    for (std::size_t i = 0; i < plan.steps.size(); ++i) {
        const auto [size, repeats] = plan.steps[i];
        for (std::int64_t r = 1; r <= repeats; ++r) {
            auto& order = orders[r];
            if (order.empty()) {
                order = diagnose::stratified_order(
                    data.splits.at("train").y,
                    static_cast<std::uint64_t>(config.seed) * 1000 + static_cast<std::uint64_t>(r));
            }
            const std::vector<std::size_t> rows(order.begin(),
                                                order.begin() + static_cast<std::ptrdiff_t>(size));
            RunRequest run;
            run.config_path = request.config_path;
            run.overrides = request.overrides;
            run.runs_dir = request.runs_dir;
            run.name = run_name(size, r);
            run.force = request.force;
            run.threads = request.threads;
            run.seed = config.seed + r - 1;
            run.registry_path = request.registry_path;
            run.registry_kind = "curve";
            run.group = name;  // a curve's runs are one group from the moment they are recorded
            const auto subset = with_train_rows(data, rows);
            const double before = done;
            train_run_on(run, *subset, [&](const Progress& p) {
                if (!progress) return;
                const double epochs = static_cast<double>(std::max<std::int64_t>(p.epochs, 1));
                const double run_done =
                    static_cast<double>(size) *
                    (static_cast<double>(p.epoch - 1) +
                     (p.batches ? static_cast<double>(p.batch) / static_cast<double>(p.batches)
                                : 0.0));
                const double so_far = before + std::max(0.0, std::min(run_done, size * epochs));
                const double elapsed =
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
                CurveProgress c{i + 1, plan.steps.size(), size, r, repeats, p, 0.0};
                c.eta_seconds = so_far > 0 ? elapsed * (plan.work - so_far) / so_far : 0.0;
                progress(c);
            });
            diagnose::mark_curve_run(request.registry_path, run.name, name, size, r,
                                     request.target);
            done = before +
                   static_cast<double>(size * static_cast<std::uint64_t>(config.train.epochs));
        }
    }
    return diagnose::curve_from_registry(request.registry_path, name, request.target,
                                         request.level);
}

}  // namespace mlstrat::train
