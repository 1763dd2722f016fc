// mlstrat report: the project on one self-contained HTML page, with a text summary.

#include "mlstrat/report.hpp"

#include <iostream>

#include "commands/commands.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/support/parse.hpp"
#include "output.hpp"
#include "std_streams.hpp"

namespace mlstrat::cli {

namespace {

struct ReportArgs {
    std::string out;
    report::ReportOptions options;
    std::string error;
    bool json = false;
};

std::string gap_value(const diagnose::DiagnoseReport& d, const std::string& gap) {
    for (const auto& g : d.gaps) {
        if (g.value && gap == diagnose::gap_name(g.gap)) {
            return (*g.value >= 0 ? " (+" : " (") + percent(*g.value) + ")";
        }
    }
    return "";
}

void print_summary(const report::Report& r, const std::string& out, std::uint64_t bytes,
                   std::size_t charts) {
    std::cout << "wrote " << out << " (" << thousands(bytes) << " bytes, " << charts
              << (charts == 1 ? " chart" : " charts") << ")\n";
    if (!r.db.empty()) {
        std::string runs;
        for (const auto& name : r.runs) runs += (runs.empty() ? "" : ", ") + name;
        std::cout << "runs (" << r.db << "): " << runs << "\n";
    }
    if (r.leaderboard) {
        const auto& sel = r.leaderboard->selection;
        std::string limits;
        for (const auto& c : sel.constraints) limits += (limits.empty() ? "" : ", ") + c;
        std::cout << "leaderboard: " << sel.objective.to_string()
                  << (limits.empty() ? "" : " subject to " + limits)
                  << "; winner: " << (sel.winner ? *sel.winner : std::string("none")) << "\n";
    }
    if (r.diagnosis) {
        const auto& d = *r.diagnosis;
        std::string chain;
        auto step = [&](const char* name, const std::optional<double>& e) {
            if (e) chain += (chain.empty() ? "" : " -> ") + std::string(name) + " " + percent(*e);
        };
        step("human", d.bayes_proxy);
        step("train", d.input.train_error);
        step("train-dev", d.input.train_dev_error);
        step("dev", d.input.dev_error);
        step("test", d.input.test_error);
        std::cout << "error ladder of " << r.diagnosed_run << ": " << chain << "\n";
        std::cout << "focus: " << d.focus << gap_value(d, d.focus) << "\n";
        for (const auto& t : d.tactics) std::cout << "  - " << t << "\n";
    }
    if (!r.curves.empty()) {
        std::string runs;
        for (const auto& c : r.curves) {
            runs += (runs.empty() ? "" : ", ") + c.run + " (" + std::to_string(c.epochs.size()) +
                    " epochs)";
        }
        std::cout << "training curves: " << runs << "\n";
    }
    if (r.eval) {
        const auto& e = *r.eval;
        std::cout << "confusion matrix: " << r.pred << ", " << thousands(e.rows) << " rows, error "
                  << percent(e.error) << " (" << percent(e.ci_level, 0) << " CI "
                  << percent(e.error_ci.lo) << " to " << percent(e.error_ci.hi) << ")\n";
        for (const auto& s : e.slices) {
            std::cout << "error by " << s.column << ": worst " << s.values[s.worst].value << " at "
                      << percent(s.values[s.worst].error) << ", average "
                      << percent(s.average_error) << "\n";
        }
    }
    if (r.tally && !r.tally->categories.empty()) {
        const auto& top = r.tally->categories.front();
        std::cout << "error analysis: " << r.sheet << ", largest ceiling " << top.tag << " ("
                  << percent(r.tally->error) << " -> " << percent(top.error_if_fixed) << ")\n";
    }
    for (const auto& o : r.omitted) std::cout << "left out " << o.section << ": " << o.note << "\n";
    for (const auto& n : r.notes) std::cout << "note: " << n << "\n";
}

// The page names the files it read as the user named them: an input read from standard input
// or a pipe is a temporary copy while the command runs.
void named_as_given(report::Report& r) {
    r.pred = shown_inputs(r.pred);
    r.sheet = shown_inputs(r.sheet);
    r.sheet_error_source = shown_inputs(r.sheet_error_source);
    for (auto* strip : {&r.error_examples, &r.label_examples}) {
        if (*strip) (*strip)->source = shown_inputs((*strip)->source);
    }
    for (auto& o : r.omitted) o.note = shown_inputs(o.note);
    for (auto& n : r.notes) n = shown_inputs(n);
}

void run(ReportArgs& a) {
    if (!a.error.empty()) a.options.sheet_error = parse_rate(a.error, "--error");
    auto r = report::build_report(a.options);
    named_as_given(r);
    const std::uint64_t bytes = report::write_html(r, a.out);
    std::vector<std::string> charts;
    for (const auto& [id, spec] : report::chart_specs(r)) charts.push_back(id);
    if (a.json) {
        auto j = r.to_json();
        j["out"] = a.out;
        j["bytes"] = bytes;
        j["charts"] = charts;
        j["vega"] = report::vega_versions();
        print_json(j);
    } else {
        print_summary(r, a.out, bytes, charts.size());
    }
}

}  // namespace

void add_report(CLI::App& app) {
    auto args = std::make_shared<ReportArgs>();
    CLI::App* cmd = app.add_subcommand(
        "report",
        "One self-contained HTML page (opens offline): the error ladder and its focus, learning "
        "curves, confusion matrix, per-slice errors, error-analysis ceilings, the leaderboard.");
    cmd->add_option("--out", args->out, "the HTML file to write")->required();
    cmd->add_option("--db", args->options.db, "run registry (read when it exists)")
        ->capture_default_str()
        ->each([args](const std::string&) { args->options.db_given = true; });
    cmd->add_option("--runs-dir", args->options.runs_dir,
                    "folder of run outputs: NAME/history.csv, NAME/pred_dev.csv")
        ->capture_default_str();
    cmd->add_option("--run", args->options.runs,
                    "a registered run to show (repeatable; default every run); with one, it is "
                    "the run diagnosed, else the leaderboard's winner is");
    cmd->add_option("--pred", args->options.pred,
                    "predictions for the confusion matrix and slices (default: the diagnosed "
                    "run's pred_dev.csv)");
    cmd->add_option("--slice-col", args->options.slice_cols,
                    "column of the predictions to break the error down by; repeatable");
    cmd->add_option("--sheet", args->options.sheet,
                    "a reviewed error-analysis sheet (mlstrat errors sample) for the ceilings");
    cmd->add_option("--error", args->error,
                    "the dev error the sheet's errors were sampled from (default: the error of "
                    "the predictions the report shows, the run reviewed)")
        ->needs(cmd->get_option("--sheet"));
    cmd->add_option("--title", args->options.title, "the page's title")->capture_default_str();
    cmd->add_flag("--json", args->json, "print the report's data as one JSON document");
    cmd->callback([args] { run(*args); });
}

}  // namespace mlstrat::cli
