// mlstrat select: one optimizing metric, N-1 satisficing limits, the winner.

#include "mlstrat/select.hpp"

#include <iostream>

#include "commands/commands.hpp"
#include "mlstrat/registry.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/support/parse.hpp"
#include "output.hpp"

namespace mlstrat::cli {

namespace {

struct SelectArgs {
    std::string runs;
    bool from_registry = false;
    bool by_group = false;
    std::string db = registry::kDefaultPath;
    std::string maximize, minimize;
    std::vector<std::string> require;
    std::vector<std::string> combine;
    std::string name_col = "name";
    std::string dev_size;
    std::string ci_level = "0.95";
    std::string on = registry::kChooseSplit;
    bool json = false;
};

std::string value_text(const std::optional<double>& v) {
    return v ? fmt::format("{:.6g}", *v) : std::string("-");
}

void print_report(const select::SelectReport& r) {
    std::cout << "objective: " << r.objective.to_string() << "\n";
    if (!r.constraints.empty()) {
        std::string limits;
        for (const auto& c : r.constraints) limits += (limits.empty() ? "" : ", ") + c;
        std::cout << "satisficing: " << limits << "\n";
    }
    Table t({"model", r.objective.name, "meets limits", "why not"});
    for (const auto& c : r.ranking) {
        std::string why;
        for (const auto& v : c.violations) why += (why.empty() ? "" : "; ") + v;
        t.add({c.name, value_text(c.value), c.feasible ? "yes" : "no", why});
    }
    std::cout << "\n";
    t.print(std::cout);
    std::cout << "\nwinner: " << (r.winner ? *r.winner : std::string("none")) << "\n";
    for (const auto& n : r.notes) std::cout << "  - " << n << "\n";
}

void run(const SelectArgs& a) {
    MLSTRAT_CHECK(a.runs.empty() != !a.from_registry,
                  "select reads either RUNS.csv or --from-registry, exactly one of them");
    MLSTRAT_CHECK(a.maximize.empty() || a.minimize.empty(),
                  "give one optimizing metric: --maximize or --minimize, not both");
    select::SelectOptions options;
    if (!a.maximize.empty())
        options.objective = select::Objective{a.maximize, select::Direction::Maximize};
    if (!a.minimize.empty())
        options.objective = select::Objective{a.minimize, select::Direction::Minimize};
    for (const auto& text : a.require)
        options.constraints.push_back(select::parse_constraint(text));
    for (const auto& text : a.combine)
        options.combinations.push_back(select::parse_combination(text));
    if (!a.dev_size.empty()) options.dev_size = parse_rows(a.dev_size, "--dev-size");
    options.ci_level = parse_rate(a.ci_level, "--ci-level");
    options.on = a.on;
    MLSTRAT_CHECK(!a.by_group || a.from_registry,
                  "--by-group ranks the registry's seed groups: "
                  "give --from-registry");
    options.by_group = a.by_group;
    auto report = a.from_registry ? select::select_from_registry(a.db, options)
                                  : select::select_from_file(a.runs, options, a.name_col);
    if (a.json) {
        print_json(report.to_json());
    } else {
        print_report(report);
    }
}

}  // namespace

void add_select(CLI::App& app) {
    auto args = std::make_shared<SelectArgs>();
    CLI::App* cmd =
        app.add_subcommand("select",
                           "Pick a model: one optimizing metric, the others satisficing limits "
                           "(maximize accuracy subject to running_time_ms<=100).");
    cmd->add_option("RUNS", args->runs, "CSV/TSV with one row per model and a column per metric");
    cmd->add_flag("--from-registry", args->from_registry,
                  "rank the registered runs instead (columns SPLIT_error, SPLIT_rows, metrics)");
    cmd->add_option("--db", args->db, "run registry for --from-registry")->capture_default_str();
    cmd->add_flag(
        "--by-group", args->by_group,
        "with --from-registry: rank each seed group as one candidate, by its runs' means");
    cmd->add_option("--maximize", args->maximize, "the optimizing metric, higher is better");
    cmd->add_option("--minimize", args->minimize, "the optimizing metric, lower is better");
    cmd->add_option("--require", args->require,
                    "satisficing limit COL<=X (<, <=, >, >=, ==; X may be 5%); repeatable");
    cmd->add_option("--combine", args->combine,
                    "build one number first: mean:COL1,COL2,... / f1:PREC_COL,REC_COL / "
                    "weighted:COL=W,...; the new column is called mean, f1 or weighted");
    cmd->add_option("--name-col", args->name_col, "column naming the models (else the first)")
        ->capture_default_str();
    cmd->add_option("--dev-size", args->dev_size,
                    "dev rows the metrics were measured on: says when the lead is noise");
    cmd->add_option("--ci-level", args->ci_level, "confidence level for --dev-size")
        ->capture_default_str();
    cmd->add_option("--on", args->on,
                    "the split a bare metric (accuracy, error) is read on: dev; test only to "
                    "choose on the test set on purpose, which makes its estimate optimistic")
        ->capture_default_str();
    cmd->add_flag("--json", args->json, "print one JSON document and nothing else");
    cmd->callback([args] { run(*args); });
}

}  // namespace mlstrat::cli
