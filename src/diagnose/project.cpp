// Filling a diagnosis from the run registry: a run's measured errors and the project's human
// levels, with whatever the command line gives taking precedence.

#include <filesystem>
#include <tuple>
#include <utility>

#include "mlstrat/diagnose.hpp"
#include "mlstrat/registry.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/support/parse.hpp"

namespace mlstrat::diagnose {

namespace {

// The value stored under `split` (also spelled with '-' for '_', as in "train-dev").
template <typename Map>
auto lookup(const Map& values, const std::string& split)
    -> std::optional<typename Map::mapped_type> {
    auto it = values.find(split);
    if (it == values.end()) {
        std::string dashed = split;
        for (char& c : dashed) {
            if (c == '_') c = '-';
        }
        it = values.find(dashed);
    }
    if (it == values.end()) return std::nullopt;
    return it->second;
}

}  // namespace

HumanLevel parse_human_level(std::string_view text) {
    HumanLevel level{"human", 0.0};
    std::string value(text);
    if (text.find('=') != std::string_view::npos) {
        std::tie(level.name, value) = split_assignment(text, "--human");
    }
    level.error = parse_rate(value, "--human " + level.name);
    return level;
}

std::vector<HumanLevel> human_levels_from_settings(
    const std::map<std::string, std::string>& settings, const std::string& source) {
    std::vector<HumanLevel> out;
    const std::string prefix = registry::kHumanPrefix;
    for (const auto& [key, value] : settings) {
        if (key.rfind(prefix, 0) != 0) continue;
        out.push_back(
            {key.substr(prefix.size()), parse_rate(value, source + ": project setting " + key)});
    }
    return out;
}

DiagnoseReport diagnose_project(DiagnoseInput input, const ProjectSource& source) {
    const double level = input.ci_level;
    DiagnoseReport report = diagnose(project_input(std::move(input), source));
    // Overfitting the eyeball dev set shows only across runs: the registry's.
    if (!source.db.empty() && std::filesystem::exists(source.db)) {
        const auto drift = eyeball_drift(registry::Registry::open(source.db).runs(), level);
        if (drift && drift->overfit) report.notes.push_back(drift->message);
    }
    return report;
}

DiagnoseInput project_input(DiagnoseInput input, const ProjectSource& source) {
    const bool read = !source.run.empty() || source.db_given ||
                      (!source.db.empty() && std::filesystem::exists(source.db));
    if (!read) return input;
    auto registry = registry::Registry::open(source.db);

    if (!source.run.empty()) {
        auto run = registry.find_run(source.run);
        MLSTRAT_CHECK(run.has_value(), source.db, ": no run is called '", source.run,
                      "' (mlstrat runs list shows the runs)");
        auto fill = [&](std::optional<double>& error, std::optional<std::uint64_t>* size,
                        const std::string& split) {
            if (!error) {
                error = lookup(run->errors, split);
                if (error && size != nullptr && !*size) *size = lookup(run->sizes, split);
            }
        };
        fill(input.train_error, &input.train_size, "train");
        fill(input.train_dev_error, &input.train_dev_size, "train_dev");
        fill(input.dev_error, &input.dev_size, "dev");
        fill(input.test_error, &input.test_size, "test");
        fill(input.train_target_error, &input.train_target_size, "train_target");
        fill(input.human_target_error, nullptr, "human_target");
    }

    input.test_peeks = registry.test_peeks();
    if (input.human_levels.empty()) {
        input.human_levels = human_levels_from_settings(registry.settings(), source.db);
        if (!input.human_goal) {
            if (auto goal = registry.setting(registry::kHumanGoal)) input.human_goal = *goal;
        }
    }
    return input;
}

}  // namespace mlstrat::diagnose
