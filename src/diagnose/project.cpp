// Filling a diagnosis from the run registry: a run's measured errors and the project's human
// levels, with whatever the command line gives taking precedence.

#include <filesystem>

#include "mlstrat/diagnose.hpp"
#include "mlstrat/error.hpp"
#include "mlstrat/parse.hpp"
#include "mlstrat/registry.hpp"

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

DiagnoseReport diagnose_project(DiagnoseInput input, const ProjectSource& source) {
    const bool read = !source.run.empty() || source.db_given ||
                      (!source.db.empty() && std::filesystem::exists(source.db));
    if (!read) return diagnose(input);
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

    if (input.human_levels.empty()) {
        const std::string prefix = registry::kHumanPrefix;
        for (const auto& [key, value] : registry.settings()) {
            if (key.rfind(prefix, 0) != 0) continue;
            std::string name = key.substr(prefix.size());
            input.human_levels.push_back(
                {name, parse_rate(value, source.db + ": project setting " + key)});
        }
        if (!input.human_goal) {
            if (auto goal = registry.setting(registry::kHumanGoal)) input.human_goal = *goal;
        }
    }
    return diagnose(input);
}

}  // namespace mlstrat::diagnose
