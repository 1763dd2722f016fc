#pragma once
/// The project on one page: a self-contained HTML report (plots drawn by Vega-Lite, whose
/// scripts are inlined so the file opens offline) that puts together what the other commands
/// compute — the error ladder from human level to test with the focus (diagnose), the learning
/// curves of each run, the confusion matrix and per-slice errors (eval), the error-analysis
/// ceilings (errors tally) and the run leaderboard under the satisficing limits (select).
///
///     ReportOptions options;
///     options.pred = "runs/small/pred_dev.csv";
///     Report report = build_report(options);   // reads ./mlstrat.db and runs/ when present
///     write_html(report, "report.html");        // atomically

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mlstrat/analysis.hpp"
#include "mlstrat/diagnose.hpp"
#include "mlstrat/learning_curve.hpp"
#include "mlstrat/metrics.hpp"
#include "mlstrat/registry.hpp"
#include "mlstrat/select.hpp"
#include "mlstrat/support/io.hpp"

namespace mlstrat::report {

/// Where the report takes its data from.
struct ReportOptions {
    /// Run registry; read when it exists. When `db_given`, a missing file is an error.
    std::string db = registry::kDefaultPath;
    bool db_given = false;
    /// Folder holding runs/NAME/history.csv and pred_dev.csv.
    std::string runs_dir = "runs";
    /// The registered runs to show; empty shows every one. With exactly one, it is the run
    /// diagnosed; otherwise the leaderboard's winner is.
    std::vector<std::string> runs;
    /// Predictions for the confusion matrix and slices; empty takes the diagnosed run's
    /// runs/NAME/pred_dev.csv.
    std::string pred;
    /// Columns of the predictions whose values get their own error.
    std::vector<std::string> slice_cols;
    /// A reviewed error-analysis sheet and the dev error its errors were sampled from (without
    /// it, the error of the predictions the report shows: the run reviewed).
    std::string sheet;
    std::optional<double> sheet_error;
    std::string title = "Model report";
    io::TableOptions table;
};

/// One row of a run's history.csv; absent cells are missing values.
struct Epoch {
    std::int64_t epoch = 0;
    std::optional<double> lr, loss, train_error, train_dev_error, dev_error;
};

/// A run's training curve: its errors per epoch.
struct Curve {
    std::string run;
    std::string source;  // the history.csv or the registry steps read
    std::vector<Epoch> epochs;
};

/// The leaderboard: select's ranking with each run's value of every satisficing limit.
struct Leaderboard {
    select::SelectReport selection;
    std::vector<select::Constraint> limits;
    /// values[i][k]: the value of limits[k]'s column for selection.ranking[i].
    std::vector<std::vector<std::optional<double>>> values;
};

/// A section without data, and why.
struct Omitted {
    std::string section;  // "ladder", "curves", "confusion", "slices", "ceilings", "leaderboard"
    std::string note;
};

/// An example shown with its thumbnail: a misclassified one, or a flagged label.
struct ExampleCard {
    std::uint64_t index = 0;  // 0-based data row of the predictions
    std::string id;
    std::string label;  // the true label (errors) or the given one (label issues)
    std::string other;  // the predicted label (errors) or the suggested one (label issues)
    std::optional<double> self_confidence;  // label issues
    std::string thumbnail;                  // a data: URI; empty without an image column
};

/// A strip of examples of one predictions file: a sample of its errors, or its top label issues.
struct ExampleStrip {
    std::string run;          // the run the predictions belong to; empty for --pred
    std::string source;       // the predictions file read
    std::uint64_t total = 0;  // errors (or flagged labels) in the file
    std::vector<ExampleCard> examples;
    std::string note;  // why thumbnails are missing, when they are
};

/// Everything the report shows; each part comes from the command that owns it.
struct Report {
    std::string title;
    std::string generated;  // ISO-8601 UTC
    std::string db;         // the registry read; empty when none
    std::vector<std::string> runs;
    std::optional<Leaderboard> leaderboard;
    /// The run whose errors the ladder shows.
    std::string diagnosed_run;
    std::optional<diagnose::DiagnoseReport> diagnosis;
    std::vector<Curve> curves;
    /// The learning curves `mlstrat curve` recorded: error against training-set size.
    std::vector<diagnose::LearningCurve> learning_curves;
    std::string pred;  // the predictions evaluated
    /// The registered run `pred` belongs to (the diagnosed run's unless --pred names another);
    /// empty when it belongs to none.
    std::string pred_run;
    std::optional<metrics::EvalReport> eval;
    std::string sheet;
    /// Where the ceilings' starting error comes from: "--error", or the predictions shown ("run
    /// NAME, FILE"), the run reviewed.
    std::string sheet_error_source;
    std::optional<analysis::TallyReport> tally;
    /// Misclassified examples and the top label issues of `pred`, with thumbnails.
    std::optional<ExampleStrip> error_examples, label_examples;
    /// Runs and sections left out, each with a one-line note.
    std::vector<Omitted> omitted;
    std::vector<std::string> notes;

    /// {title, generated, db, runs, diagnosed_run, diagnosis, leaderboard, curves, pred, pred_run,
    /// eval, sheet, sheet_error_source, tally, omitted, notes, learning_curves}; each part is its
    /// command's own JSON.
    nlohmann::json to_json() const;
};

/// Gathers the report's data. Missing data leaves a section out with a note; malformed data
/// (a bad history.csv, a predictions file without a slice column, an unknown --run) is an Error.
Report build_report(const ReportOptions& options);

/// The charts' Vega-Lite specifications by chart id, in page order.
std::vector<std::pair<std::string, nlohmann::json>> chart_specs(const Report& report);

/// The whole HTML page: text escaped, specs embedded as JSON, Vega scripts inlined.
std::string render_html(const Report& report);

/// render_html written to `path` atomically; returns the bytes written.
std::uint64_t write_html(const Report& report, const std::string& path);

/// `text` with &, <, >, " and ' replaced by character references.
std::string escape_html(std::string_view text);

/// JSON text safe inside a <script> element: <, >, & and U+2028/9 as \u escapes.
std::string script_json(const nlohmann::json& value);

/// The versions of the inlined scripts: {"vega": "6.4.0", "vega-lite": ..., "vega-embed": ...}.
nlohmann::json vega_versions();

}  // namespace mlstrat::report
