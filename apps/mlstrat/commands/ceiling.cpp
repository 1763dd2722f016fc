// mlstrat ceiling: which stage of a pipeline is worth the team's time (1.2.4).

#include <iostream>

#include "commands/commands.hpp"
#include "mlstrat/diagnose.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/support/parse.hpp"
#include "output.hpp"

namespace mlstrat::cli {

namespace {

struct CeilingArgs {
    std::string stages;
    diagnose::CeilingOptions options;
    std::string rows;
    std::string ci_level = "0.95";
    bool json = false;
};

void print_report(const diagnose::CeilingReport& r) {
    std::cout << "system as it is (" << r.baseline_name << "): " << percent(r.baseline) << "\n\n";
    Table t({"stage made perfect", "accuracy", "ceiling", ""});
    for (const auto& s : r.stages) {
        t.add({s.stage, percent(s.accuracy), (s.gain > 0 ? "+" : "") + percent(s.gain),
               s.noise ? "noise" : ""});
    }
    t.print(std::cout);
    std::cout << "\nworth the team's time: " << (r.worth.empty() ? "none" : r.worth) << "\n";
    for (const auto& n : r.notes) std::cout << "  - " << n << "\n";
}

void run(CeilingArgs& a) {
    if (!a.rows.empty()) a.options.rows = parse_rows(a.rows, "--rows");
    a.options.ci_level = parse_rate(a.ci_level, "--ci-level");
    auto report = diagnose::ceiling_from_file(a.stages, a.options);
    if (a.json) {
        print_json(report.to_json());
    } else {
        print_report(report);
    }
}

}  // namespace

void add_ceiling(CLI::App& app) {
    auto args = std::make_shared<CeilingArgs>();
    CLI::App* cmd =
        app.add_subcommand("ceiling",
                           "Pipeline ceiling analysis: what perfecting each stage could add to the "
                           "end-to-end accuracy, largest first.");
    cmd->add_option("STAGES", args->stages,
                    "CSV/TSV: row 0 the system as it is, row k the accuracy with stages 1..k "
                    "replaced by ground truth")
        ->required();
    cmd->add_option("--stage-col", args->options.stage_col, "column naming the stage")
        ->capture_default_str();
    cmd->add_option("--accuracy-col", args->options.accuracy_col,
                    "column of end-to-end accuracy (0.89 or 89%)")
        ->capture_default_str();
    cmd->add_option("--rows", args->rows,
                    "rows the accuracies were measured on: gives each ceiling an interval");
    cmd->add_option("--ci-level", args->ci_level, "confidence level for --rows")
        ->capture_default_str();
    cmd->add_flag("--json", args->json, "print one JSON document and nothing else");
    cmd->callback([args] { run(*args); });
}

}  // namespace mlstrat::cli
