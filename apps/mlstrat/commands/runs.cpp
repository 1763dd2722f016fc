// mlstrat runs add/list/show/rm: the experiments kept in the run registry.

#include <algorithm>
#include <iostream>
#include <set>

#include "commands/commands.hpp"
#include "mlstrat/error.hpp"
#include "mlstrat/io.hpp"
#include "mlstrat/parse.hpp"
#include "mlstrat/registry.hpp"
#include "output.hpp"

namespace mlstrat::cli {

namespace {

struct RunsArgs {
    std::string db = registry::kDefaultPath;
    bool json = false;
    // add
    std::string name;
    std::string train, train_dev, dev, test, train_target, human_target;
    std::vector<std::string> errors, sizes, metrics;
    std::string kind = "manual";
    std::string config_file;
    std::string notes;
    bool replace = false;
};

// The splits in the chain's order, then any others by name.
std::vector<std::string> split_order(const std::set<std::string>& splits) {
    std::vector<std::string> out;
    for (const char* s : {"train", "train_dev", "dev", "test", "train_target", "human_target"}) {
        if (splits.count(s) != 0) out.emplace_back(s);
    }
    for (const auto& s : splits) {
        if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
    }
    return out;
}

void print_run(const registry::Run& run) {
    std::cout << "run      " << run.name << "\n";
    std::cout << "created  " << run.created << "\n";
    std::cout << "kind     " << run.kind << "\n";
    std::set<std::string> splits;
    for (const auto& [s, e] : run.errors) splits.insert(s);
    for (const auto& [s, n] : run.sizes) splits.insert(s);
    if (!splits.empty()) {
        Table t({"split", "error", "rows"});
        for (const auto& s : split_order(splits)) {
            auto e = run.errors.find(s);
            auto n = run.sizes.find(s);
            t.add({s, e != run.errors.end() ? percent(e->second) : "-",
                   n != run.sizes.end() ? thousands(n->second) : "-"});
        }
        std::cout << "\n";
        t.print(std::cout);
    }
    if (!run.metrics.empty()) {
        Table t({"metric", "value"});
        for (const auto& [m, v] : run.metrics) t.add({m, fmt::format("{:g}", v)});
        std::cout << "\n";
        t.print(std::cout);
    }
    if (!run.notes.empty()) std::cout << "\nnotes: " << run.notes << "\n";
    if (!run.config.empty())
        std::cout << "\nconfig:\n" << run.config << (run.config.back() == '\n' ? "" : "\n");
}

void print_list(const std::vector<registry::Run>& runs) {
    if (runs.empty()) {
        std::cout << "no runs yet (mlstrat runs add NAME --train 8% --dev 10%)\n";
        return;
    }
    std::set<std::string> splits;
    std::set<std::string> metrics;
    for (const auto& r : runs) {
        for (const auto& [s, e] : r.errors) splits.insert(s);
        for (const auto& [m, v] : r.metrics) metrics.insert(m);
    }
    auto order = split_order(splits);
    std::vector<std::string> head = {"run", "created", "kind"};
    for (const auto& s : order) head.push_back(s);
    for (const auto& m : metrics) head.push_back(m);
    Table t(head);
    for (const auto& r : runs) {
        std::vector<std::string> row = {r.name, r.created, r.kind};
        for (const auto& s : order) {
            auto e = r.errors.find(s);
            row.push_back(e != r.errors.end() ? percent(e->second) : "-");
        }
        for (const auto& m : metrics) {
            auto v = r.metrics.find(m);
            row.push_back(v != r.metrics.end() ? fmt::format("{:g}", v->second) : "-");
        }
        t.add(row);
    }
    t.print(std::cout);
}

void add(const RunsArgs& a) {
    registry::Run run;
    run.name = a.name;
    run.kind = a.kind;
    run.notes = a.notes;
    if (!a.config_file.empty()) run.config = io::read_file(a.config_file);
    auto error = [&](const std::string& text, const std::string& split) {
        if (!text.empty()) run.errors[split] = parse_rate(text, "--" + split);
    };
    error(a.train, "train");
    error(a.train_dev, "train_dev");
    error(a.dev, "dev");
    error(a.test, "test");
    error(a.train_target, "train_target");
    error(a.human_target, "human_target");
    for (const auto& text : a.errors) {
        auto [split, value] = split_assignment(text, "--error");
        run.errors[split] = parse_rate(value, "--error " + split);
    }
    for (const auto& text : a.sizes) {
        auto [split, value] = split_assignment(text, "--size");
        run.sizes[split] = parse_rows(value, "--size " + split);
    }
    for (const auto& text : a.metrics) {
        auto [metric, value] = split_assignment(text, "--metric");
        run.metrics[metric] = parse_number(value, "--metric " + metric);
    }
    auto registry = registry::Registry::open(a.db);
    registry.add_run(run, a.replace);
    auto stored = registry.find_run(run.name);
    if (a.json) {
        print_json(stored->to_json());
    } else {
        std::cout << "added run '" << run.name << "' to " << a.db << "\n";
    }
}

registry::Run find(const RunsArgs& a, registry::Registry& registry) {
    auto run = registry.find_run(a.name);
    MLSTRAT_CHECK(run.has_value(), a.db, ": no run is called '", a.name,
                  "' (mlstrat runs list shows the runs)");
    return *run;
}

}  // namespace

void add_runs(CLI::App& app) {
    auto args = std::make_shared<RunsArgs>();
    CLI::App* cmd = app.add_subcommand(
        "runs", "The run registry: every experiment's errors per split, sizes, metrics and notes.");
    cmd->require_subcommand(1);
    auto common = [args](CLI::App* sub) {
        sub->add_option("--db", args->db, "run registry file")->capture_default_str();
        sub->add_flag("--json", args->json, "print one JSON document and nothing else");
    };

    CLI::App* add_cmd = cmd->add_subcommand("add", "Register a run with the errors you measured.");
    add_cmd->add_option("NAME", args->name, "the run's name")->required();
    add_cmd->add_option("--train", args->train, "training error (8% or 0.08)");
    add_cmd->add_option("--train-dev", args->train_dev, "train-dev error");
    add_cmd->add_option("--dev", args->dev, "dev error");
    add_cmd->add_option("--test", args->test, "test error");
    add_cmd->add_option("--train-target", args->train_target,
                        "error on target-distribution data trained on");
    add_cmd->add_option("--human-target", args->human_target,
                        "human error on target-distribution data");
    add_cmd->add_option("--error", args->errors, "SPLIT=RATE: the error of any split; repeatable");
    add_cmd->add_option("--size", args->sizes,
                        "SPLIT=ROWS: rows an error was measured on; repeatable");
    add_cmd->add_option("--metric", args->metrics,
                        "NAME=VALUE: another number (latency_ms=80); repeatable");
    add_cmd->add_option("--kind", args->kind, "train, manual, eval, tune...")
        ->capture_default_str();
    add_cmd->add_option("--config", args->config_file,
                        "file whose text is kept as the run's config");
    add_cmd->add_option("--notes", args->notes, "free text");
    add_cmd->add_flag("--replace", args->replace, "replace a run of the same name");
    common(add_cmd);
    add_cmd->callback([args] { add(*args); });

    CLI::App* list = cmd->add_subcommand("list", "List the runs, oldest first.");
    common(list);
    list->callback([args] {
        auto registry = registry::Registry::open(args->db);
        auto runs = registry.runs();
        if (args->json) {
            nlohmann::json j = {{"runs", nlohmann::json::array()}};
            for (const auto& r : runs) j["runs"].push_back(r.to_json());
            print_json(j);
        } else {
            print_list(runs);
        }
    });

    CLI::App* show = cmd->add_subcommand("show", "Show one run.");
    show->add_option("NAME", args->name, "the run's name")->required();
    common(show);
    show->callback([args] {
        auto registry = registry::Registry::open(args->db);
        auto run = find(*args, registry);
        if (args->json) {
            print_json(run.to_json());
        } else {
            print_run(run);
        }
    });

    CLI::App* rm = cmd->add_subcommand("rm", "Remove a run.");
    rm->add_option("NAME", args->name, "the run's name")->required();
    common(rm);
    rm->callback([args] {
        auto registry = registry::Registry::open(args->db);
        MLSTRAT_CHECK(registry.remove_run(args->name), args->db, ": no run is called '", args->name,
                      "' (mlstrat runs list shows the runs)");
        if (args->json) {
            print_json({{"removed", args->name}});
        } else {
            std::cout << "removed run '" << args->name << "'\n";
        }
    });
}

}  // namespace mlstrat::cli
