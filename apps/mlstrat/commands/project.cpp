// mlstrat project set/show: the project's human levels, optimizing metric and satisficing
// limits, kept in the run registry for diagnose and select.

#include <iostream>

#include "commands/commands.hpp"
#include "mlstrat/diagnose.hpp"
#include "mlstrat/registry.hpp"
#include "mlstrat/select.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/support/parse.hpp"
#include "output.hpp"

namespace mlstrat::cli {

namespace {

struct ProjectArgs {
    std::string db = registry::kDefaultPath;
    bool json = false;
    std::vector<std::string> human;
    std::string human_goal;
    std::string maximize, minimize;
    std::vector<std::string> require;
    std::vector<std::string> unset;
};

// The settings as a document: human levels as rates, the limits as a list.
nlohmann::json settings_json(const std::map<std::string, std::string>& settings,
                             const std::string& db) {
    nlohmann::json j = {{"human_levels", nlohmann::json::object()},
                        {"human_goal", nullptr},
                        {"objective", nullptr},
                        {"require", nlohmann::json::array()},
                        {"settings", settings}};
    for (const auto& h : diagnose::human_levels_from_settings(settings, db)) {
        j["human_levels"][h.name] = h.error;
    }
    for (const auto& [key, value] : settings) {
        if (key == registry::kHumanGoal) {
            j["human_goal"] = value;
        } else if (key == registry::kObjective) {
            j["objective"] = value;
        } else if (key == registry::kRequire) {
            for (const auto& c : select::parse_constraint_list(value))
                j["require"].push_back(c.text);
        }
    }
    return j;
}

void print_settings(const nlohmann::json& j) {
    if (j["settings"].empty()) {
        std::cout << "no project settings yet (mlstrat project set --human doctor=1% ...)\n";
        return;
    }
    if (!j["human_levels"].empty()) {
        Table t({"human level", "error"});
        for (const auto& [name, rate] : j["human_levels"].items()) {
            t.add({name, percent(rate.get<double>())});
        }
        t.print(std::cout);
    }
    if (!j["human_goal"].is_null()) {
        std::cout << "human goal   " << j["human_goal"].get<std::string>() << "\n";
    }
    if (!j["objective"].is_null()) {
        std::cout << "objective    " << j["objective"].get<std::string>() << "\n";
    }
    for (const auto& r : j["require"]) std::cout << "satisficing  " << r.get<std::string>() << "\n";
}

void set(const ProjectArgs& a) {
    MLSTRAT_CHECK(a.maximize.empty() || a.minimize.empty(),
                  "give one optimizing metric: --maximize or --minimize, not both");
    std::vector<std::pair<std::string, std::string>> changes;
    for (const auto& text : a.human) {
        auto level = diagnose::parse_human_level(text);
        changes.emplace_back(registry::kHumanPrefix + level.name,
                             fmt::format("{:.17g}", level.error));
    }
    if (!a.human_goal.empty()) changes.emplace_back(registry::kHumanGoal, a.human_goal);
    if (!a.maximize.empty()) changes.emplace_back(registry::kObjective, "maximize " + a.maximize);
    if (!a.minimize.empty()) changes.emplace_back(registry::kObjective, "minimize " + a.minimize);
    if (!a.require.empty()) {
        std::string joined;
        for (const auto& text : a.require) {
            joined += (joined.empty() ? "" : "; ") + select::parse_constraint(text).text;
        }
        changes.emplace_back(registry::kRequire, joined);
    }
    MLSTRAT_CHECK(!changes.empty() || !a.unset.empty(),
                  "project set needs something to set: --human, --human-goal, --maximize, "
                  "--minimize, --require or --unset");
    auto registry = registry::Registry::open(a.db);
    for (const auto& key : a.unset) {
        MLSTRAT_CHECK(registry.remove_setting(key), a.db, ": no project setting '", key,
                      "' to unset");
    }
    for (const auto& [key, value] : changes) registry.set_setting(key, value);
    auto j = settings_json(registry.settings(), a.db);
    if (a.json) {
        print_json(j);
    } else {
        print_settings(j);
    }
}

}  // namespace

void add_project(CLI::App& app) {
    auto args = std::make_shared<ProjectArgs>();
    CLI::App* cmd = app.add_subcommand(
        "project",
        "Project settings in the run registry: human levels (the Bayes proxy), the "
        "optimizing metric and the satisficing limits.");
    cmd->require_subcommand(1);
    CLI::App* set_cmd = cmd->add_subcommand("set", "Set (or --unset) project settings.");
    set_cmd->add_option("--human", args->human, "[NAME=]RATE: a human level; repeatable");
    set_cmd->add_option("--human-goal", args->human_goal, "NAME of the level the product aims at");
    set_cmd->add_option("--maximize", args->maximize, "the optimizing metric, higher is better");
    set_cmd->add_option("--minimize", args->minimize, "the optimizing metric, lower is better");
    set_cmd->add_option("--require", args->require,
                        "satisficing limit COL<=X; repeatable; replaces the stored list");
    set_cmd->add_option("--unset", args->unset,
                        "remove a setting (human.NAME, human_goal, objective, require)");
    set_cmd->add_option("--db", args->db, "run registry file")->capture_default_str();
    set_cmd->add_flag("--json", args->json, "print one JSON document and nothing else");
    set_cmd->callback([args] { set(*args); });

    CLI::App* show = cmd->add_subcommand("show", "Show the project settings.");
    show->add_option("--db", args->db, "run registry file")->capture_default_str();
    show->add_flag("--json", args->json, "print one JSON document and nothing else");
    show->callback([args] {
        auto registry = registry::Registry::open(args->db);
        auto j = settings_json(registry.settings(), args->db);
        if (args->json) {
            print_json(j);
        } else {
            print_settings(j);
        }
    });
}

}  // namespace mlstrat::cli
