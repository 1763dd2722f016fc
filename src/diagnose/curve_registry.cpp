// A learning curve kept in the run registry: its runs form one registry group named after the
// curve, each tagged with its size, repeat and target. This file is the only place that marks a
// run as a curve's or reads that mark back; it still reads the note registries written before
// curves were groups ("curve NAME: size N, repeat R, target T").

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <regex>
#include <sstream>

#include "mlstrat/diagnose.hpp"
#include "mlstrat/learning_curve.hpp"
#include "mlstrat/registry.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/support/parse.hpp"

namespace mlstrat::diagnose {

namespace {

struct GroupTag {
    std::string name;
    std::uint64_t size = 0;
    std::int64_t repeat = 1;
    std::optional<double> target;
};

constexpr const char* kSizeTag = "curve_size";
constexpr const char* kRepeatTag = "curve_repeat";
constexpr const char* kTargetTag = "curve_target";

// The note of registries written before curves were groups.
std::optional<GroupTag> read_old_note(const std::string& notes) {
    static const std::regex kTag(R"(^curve (\S+): size (\d+), repeat (\d+)(?:, target (\S+))?$)");
    std::istringstream lines(notes);
    std::string line;
    while (std::getline(lines, line)) {
        std::smatch m;
        if (!std::regex_match(line, m, kTag)) continue;
        GroupTag tag{m[1], std::stoull(m[2]), std::stoll(m[3]), std::nullopt};
        if (m[4].matched) tag.target = std::stod(m[4]);
        return tag;
    }
    return std::nullopt;
}

// The curve a run belongs to: its group and tags, or the note of an older registry.
std::optional<GroupTag> read_tag(const registry::Run& run) {
    const auto size = run.tags.find(kSizeTag);
    if (run.group.empty() || size == run.tags.end()) return read_old_note(run.notes);
    GroupTag tag;
    tag.name = run.group;
    const auto n = try_parse_number(size->second);
    tag.size = n && *n >= 0 ? static_cast<std::uint64_t>(*n) : 0;
    if (auto it = run.tags.find(kRepeatTag); it != run.tags.end()) {
        if (auto r = try_parse_number(it->second)) tag.repeat = static_cast<std::int64_t>(*r);
    }
    if (auto it = run.tags.find(kTargetTag); it != run.tags.end()) {
        tag.target = try_parse_number(it->second);
    }
    return tag;
}

}  // namespace

void mark_curve_run(const std::string& db, const std::string& run, const std::string& name,
                    std::uint64_t size, std::int64_t repeat, std::optional<double> target) {
    auto registry = registry::Registry::open(db);
    const auto stored = registry.find_run(run);
    MLSTRAT_CHECK(stored && stored->group == name, db, ": run '", run,
                  "' was not recorded in the group of curve '", name, "'");
    std::map<std::string, std::string> tags = {{kSizeTag, std::to_string(size)},
                                               {kRepeatTag, std::to_string(repeat)}};
    if (target) tags[kTargetTag] = fmt::format("{}", *target);
    registry.set_tags(run, tags);
}

std::vector<std::string> curve_names(const std::string& db) {
    std::vector<std::string> names;
    if (!std::filesystem::exists(db)) return names;
    for (const auto& run : registry::Registry::open(db).runs()) {
        const auto tag = read_tag(run);
        if (tag && std::find(names.begin(), names.end(), tag->name) == names.end()) {
            names.push_back(tag->name);
        }
    }
    return names;
}

std::vector<std::string> curve_run_names(const std::string& db, const std::string& name) {
    std::vector<std::string> names;
    if (!std::filesystem::exists(db)) return names;
    for (const auto& run : registry::Registry::open(db).runs()) {
        const auto tag = read_tag(run);
        if (tag && tag->name == name) names.push_back(run.name);
    }
    return names;
}

LearningCurve curve_from_registry(const std::string& db, const std::string& name,
                                  std::optional<double> target, double level) {
    MLSTRAT_CHECK(std::filesystem::exists(db), db, ": no registry here, so no curve '", name,
                  "' (mlstrat curve records one)");
    auto registry = registry::Registry::open(db);
    std::vector<CurveRun> runs;
    std::optional<double> trained_target;
    for (const auto& run : registry.runs()) {
        const auto tag = read_tag(run);
        if (!tag || tag->name != name) continue;
        runs.push_back({run.name, tag->size, tag->repeat, run.errors});
        if (tag->target) trained_target = tag->target;
    }
    MLSTRAT_CHECK(!runs.empty(), db, ": no learning curve is called '", name,
                  "' (mlstrat curve CONFIG --name ", name,
                  " records one; mlstrat runs list shows "
                  "the runs)");
    std::string source = "--target";
    if (!target && trained_target) {
        target = trained_target;
        source = "the target the curve was trained with";
    }
    if (!target) {
        // The project's Bayes proxy (1.1.3), as diagnose picks it among the human levels.
        DiagnoseInput in;
        in.human_levels = human_levels_from_settings(registry.settings(), db);
        if (auto goal = registry.setting(registry::kHumanGoal)) in.human_goal = *goal;
        if (!in.human_levels.empty()) {
            in.train_error =
                runs.front().errors.count("train") ? runs.front().errors.at("train") : 0.0;
            in.dev_error = runs.front().errors.count("dev") ? runs.front().errors.at("dev") : 0.0;
            const auto report = diagnose(in);
            target = report.bayes_proxy;
            source = fmt::format("human level '{}', the Bayes proxy", report.bayes_proxy_name);
        }
    }
    return learning_curve(name, std::move(runs), target, target ? source : "", level);
}

}  // namespace mlstrat::diagnose
