// mlstrat runs compare A B: the parameters that differ, every metric side by side, and whether B
// is really better than A on the same dev examples.

#include "commands/runs/table.hpp"

#include <iostream>

#include "mlstrat/support/error.hpp"
#include "mlstrat/support/parse.hpp"
#include "output.hpp"

namespace mlstrat::cli {

namespace {

std::string text_of(const nlohmann::json& v) {
    if (v.is_null()) return "-";
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number_float()) return fmt::format("{:.4g}", v.get<double>());
    return v.dump();
}

void print_comparison(const registry::Comparison& c) {
    std::cout << "A: " << c.a << "\nB: " << c.b << "\n";
    if (!c.params.empty()) {
        Table t({"param", "A", "B"});
        for (const auto& p : c.params) t.add({p.key, text_of(p.a), text_of(p.b)});
        std::cout << "\nparameters that differ:\n";
        t.print(std::cout, "  ");
    }
    if (!c.metrics.empty()) {
        Table t({"metric", "A", "B"});
        for (const auto& m : c.metrics) t.add({m.key, text_of(m.a), text_of(m.b)});
        std::cout << "\nmetrics:\n";
        t.print(std::cout, "  ");
    }
    if (c.paired) {
        const auto& p = *c.paired;
        std::cout << "\npaired on " << thousands(p.examples) << " " << c.split
                  << " examples: both right " << thousands(p.both_right) << ", only A "
                  << thousands(p.only_a_right) << ", only B " << thousands(p.only_b_right)
                  << ", both wrong " << thousands(p.both_wrong) << "\n";
        std::cout << "error A " << percent(p.error_a) << ", B " << percent(p.error_b)
                  << "; McNemar exact p = " << fmt::format("{:.4g}", p.p_value) << "\n";
    }
    std::cout << "\nverdict: " << c.verdict << "\n";
}

// Two seed groups: every number's mean and interval side by side, Welch's verdict on the error.
void compare_groups(const std::string& a, const std::vector<registry::Run>& runs_a,
                    const std::string& b, const std::vector<registry::Run>& runs_b,
                    const std::string& split, double level, bool json) {
    std::vector<registry::Run> both = runs_a;
    both.insert(both.end(), runs_b.begin(), runs_b.end());
    std::vector<registry::Key> keys;
    for (const auto& k : registry::all_columns(both)) {
        if (k.kind == registry::Key::Kind::SplitMetric || k.kind == registry::Key::Kind::Metric) {
            keys.push_back(k);
        }
    }
    const auto ga = registry::summarize_groups(runs_a, keys, level).at(0);
    const auto gb = registry::summarize_groups(runs_b, keys, level).at(0);
    const std::string error = split + ".error";
    MLSTRAT_CHECK(ga.values.count(error) != 0 && gb.values.count(error) != 0, "groups ", a, " and ",
                  b, ": not every seed group has a ", error, " to compare");
    const std::string verdict =
        registry::group_verdict(a, b, error, ga.values.at(error), gb.values.at(error), level);
    if (json) {
        print_json(
            {{"a", ga.to_json()}, {"b", gb.to_json()}, {"split", split}, {"verdict", verdict}});
        return;
    }
    Table t({"metric", "A: " + a, "B: " + b});
    auto text = [](const registry::GroupSummary& g, const std::string& k) -> std::string {
        auto it = g.values.find(k);
        if (it == g.values.end()) return "-";
        if (!it->second.interval) return fmt::format("{:.4g}", it->second.mean);
        return fmt::format("{:.4g} ({:.4g} to {:.4g})", it->second.mean, it->second.interval->lo,
                           it->second.interval->hi);
    };
    for (const auto& k : keys) t.add({k.text(), text(ga, k.text()), text(gb, k.text())});
    std::cout << "seed groups: A " << a << " (" << ga.runs.size() << " runs), B " << b << " ("
              << gb.runs.size() << " runs); mean (interval) over the seeds\n\n";
    t.print(std::cout, "  ");
    std::cout << "\nverdict: " << verdict << "\n";
}

}  // namespace

void add_runs_compare(CLI::App* runs) {
    struct Args {
        std::string db = registry::kDefaultPath;
        std::string a, b, split = registry::kChooseSplit, level = "0.95";
        bool json = false;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = runs->add_subcommand(
        "compare",
        "Is B really better than A? Parameters, metrics, McNemar's paired test; two seed "
        "groups compare by their means.");
    cmd->add_option("A", args->a, "the first run (or seed group)")->required();
    cmd->add_option("B", args->b, "the second run (or seed group)")->required();
    cmd->add_option("--split", args->split, "the split whose predictions are paired")
        ->capture_default_str();
    cmd->add_option("--ci-level", args->level, "confidence level")->capture_default_str();
    cmd->add_option("--db", args->db, "run registry file")->capture_default_str();
    cmd->add_flag("--json", args->json, "print one JSON document and nothing else");
    cmd->callback([args] {
        const double level = parse_rate(args->level, "--ci-level");
        auto registry = registry::Registry::open(args->db);
        // A name is a run, else a seed group.
        auto members = [&](const std::string& name) {
            if (registry.find_run(name)) return std::vector<registry::Run>{};
            return registry.query(registry::parse_query({"group=" + name}, "", 0));
        };
        const auto group_a = members(args->a), group_b = members(args->b);
        if (!group_a.empty() && !group_b.empty()) {
            compare_groups(args->a, group_a, args->b, group_b, args->split, level, args->json);
            return;
        }
        MLSTRAT_CHECK(group_a.empty() && group_b.empty(), "runs compare ", args->a, " ", args->b,
                      ": one is a run and the other a seed group; compare two runs or "
                      "two groups");
        auto find = [&](const std::string& name) {
            auto run = registry.find_run(name);
            MLSTRAT_CHECK(run.has_value(), args->db, ": no run or seed group is called '", name,
                          "' (mlstrat runs list shows the runs)");
            return *run;
        };
        const auto run_a = find(args->a);  // A first, so an error names the first unknown
        const auto run_b = find(args->b);
        const auto c = registry::compare_runs(run_a, run_b, args->split, level);
        if (args->json) {
            print_json(c.to_json());
        } else {
            print_comparison(c);
        }
    });
}

}  // namespace mlstrat::cli
