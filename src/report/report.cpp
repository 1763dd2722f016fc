// Gathering the report's data: every number comes from the library function of the command that
// owns it (diagnose, select, eval, errors tally); this file only decides which run, which files,
// and which sections have no data.

#include "mlstrat/report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <utility>

#include "mlstrat/support/error.hpp"
#include "mlstrat/support/parse.hpp"
#include "mlstrat/support/text.hpp"
#include "report/assets.hpp"
#include "report/examples.hpp"
#include "report/format.hpp"
#include "report/learning_curves.hpp"

namespace mlstrat::report {

namespace fs = std::filesystem;

namespace {

// A run's history.csv: `epoch` is required, the other columns are read when present.
Curve read_history(const std::string& run, const std::string& path, const io::TableOptions& table) {
    Curve curve;
    curve.run = run;
    curve.source = path;
    io::TableReader reader(path, table);
    const std::vector<std::string> names = {"epoch",           "lr",       "loss", "train_error",
                                            "train_dev_error", "dev_error"};
    std::vector<std::size_t> columns = {reader.column("epoch")};
    std::vector<std::string> present = {"epoch"};
    for (std::size_t k = 1; k < names.size(); ++k) {
        if (auto c = reader.find_column(names[k])) {
            columns.push_back(*c);
            present.push_back(names[k]);
        }
    }
    reader.scan(
        columns,
        [&](unsigned, const io::RowBatch& batch) {
            for (std::size_t row = 0; row < batch.size(); ++row) {
                const std::string place = where(path, batch.line(row));
                Epoch e;
                const double epoch = parse_number(batch.cell(row, 0), place + ": column 'epoch'");
                MLSTRAT_CHECK(
                    epoch >= 0 && epoch == static_cast<double>(static_cast<std::int64_t>(epoch)),
                    place, ": column 'epoch' holds '", batch.cell(row, 0), "', not a whole number");
                e.epoch = static_cast<std::int64_t>(epoch);
                for (std::size_t k = 1; k < present.size(); ++k) {
                    const std::string_view cell = trim(batch.cell(row, k));
                    if (cell.empty()) continue;
                    const double v = parse_number(cell, place + ": column '" + present[k] + "'");
                    const std::string& name = present[k];
                    if (name == "lr")
                        e.lr = v;
                    else if (name == "loss")
                        e.loss = v;
                    else if (name == "train_error")
                        e.train_error = v;
                    else if (name == "train_dev_error")
                        e.train_dev_error = v;
                    else
                        e.dev_error = v;
                }
                curve.epochs.push_back(e);
            }
        },
        io::ScanOrder::File);
    return curve;
}

// A run's curve from the registry's per-step table: train.loss, lr and the errors of train,
// train_dev and dev at each step.
Curve curve_from_steps(const std::string& run, const std::vector<registry::Step>& steps,
                       const std::string& db) {
    Curve curve;
    curve.run = run;
    curve.source = db + " (steps of " + run + ")";
    for (const auto& s : steps) {
        if (curve.epochs.empty() || curve.epochs.back().epoch != s.step) {
            curve.epochs.push_back(Epoch{});
            curve.epochs.back().epoch = s.step;
        }
        Epoch& e = curve.epochs.back();
        if (s.split.empty() && s.metric == "lr") e.lr = s.value;
        if (s.split == "train" && s.metric == "loss") e.loss = s.value;
        if (s.metric != "error") continue;
        if (s.split == "train") e.train_error = s.value;
        if (s.split == "train_dev") e.train_dev_error = s.value;
        if (s.split == "dev") e.dev_error = s.value;
    }
    return curve;
}

// select's ranking of `runs` under the project's objective and limits (dev error when the
// project names no objective), with each run's value of every limit; nullopt and a note in
// `report` when the ranking has no data.
std::optional<Leaderboard> rank_runs(const std::vector<registry::Run>& runs,
                                     const registry::Registry& registry, Report& report) {
    select::SelectOptions options;
    if (!registry.setting(registry::kObjective)) {
        options.objective = select::Objective{"dev.error", select::Direction::Minimize};
        report.notes.push_back(
            "The project names no optimizing metric, so runs are ranked by dev error (mlstrat "
            "project set --minimize COL or --maximize COL names one).");
    }
    options = select::with_project_settings(std::move(options), registry);
    const select::Candidates candidates = select::candidates_from_runs(runs, report.db);
    auto has = [&](const std::string& column) {
        return std::find(candidates.columns.begin(), candidates.columns.end(), column) !=
               candidates.columns.end();
    };
    // A bare per-split metric is its dev value: the leaderboard chooses on dev.
    auto column = [&](const std::string& name) {
        return select::resolve_column(candidates.columns, name, options.on);
    };
    std::vector<std::string> missing;
    if (!has(column(options.objective->name))) missing.push_back(options.objective->name);
    for (const auto& c : options.constraints) {
        if (!has(column(c.column))) missing.push_back(c.column);
    }
    if (!missing.empty()) {
        report.omitted.push_back({"leaderboard", "no run has a value for " + text::join(missing) +
                                                     ", which the project's objective or limits "
                                                     "need"});
        return std::nullopt;
    }
    Leaderboard board;
    board.selection = select::select(candidates, options);
    board.limits = options.constraints;
    for (const auto& ranked : board.selection.ranking) {
        const auto row = static_cast<std::size_t>(
            std::find(candidates.names.begin(), candidates.names.end(), ranked.name) -
            candidates.names.begin());
        std::vector<std::optional<double>> values;
        for (const auto& limit : board.limits) {
            const auto col =
                static_cast<std::size_t>(std::find(candidates.columns.begin(),
                                                   candidates.columns.end(), column(limit.column)) -
                                         candidates.columns.begin());
            values.push_back(select::cell_value(candidates, row, col));
        }
        board.values.push_back(std::move(values));
    }
    return board;
}

// The registry's part: leaderboard, the diagnosed run and its ladder, learning curves.
void add_runs(const ReportOptions& options, Report& report) {
    const bool exists = fs::exists(options.db);
    MLSTRAT_CHECK(exists || !options.db_given, options.db,
                  ": no such run registry (mlstrat runs add or mlstrat train create one)");
    MLSTRAT_CHECK(exists || options.runs.empty(), options.db,
                  ": --run needs the run registry, and there is none");
    if (!exists) {
        const std::string note = "no run registry (" + options.db + ")";
        for (const char* s : {"ladder", "leaderboard", "curves"})
            report.omitted.push_back({s, note});
        return;
    }
    auto registry = registry::Registry::open(options.db);
    report.db = options.db;
    std::vector<registry::Run> runs;
    const auto all = registry.runs();
    if (options.runs.empty()) {
        runs = all;
    } else {
        for (const auto& name : options.runs) {
            auto it = std::find_if(all.begin(), all.end(),
                                   [&](const registry::Run& r) { return r.name == name; });
            MLSTRAT_CHECK(it != all.end(), options.db, ": no run is called '", name,
                          "' (mlstrat runs list shows the runs)");
            const bool listed = std::any_of(runs.begin(), runs.end(),
                                            [&](const registry::Run& r) { return r.name == name; });
            if (!listed) runs.push_back(*it);
        }
    }
    if (runs.empty()) {
        const std::string note = "no runs registered in " + options.db;
        for (const char* s : {"ladder", "leaderboard", "curves"})
            report.omitted.push_back({s, note});
        return;
    }
    for (const auto& run : runs) report.runs.push_back(run.name);

    report.leaderboard = rank_runs(runs, registry, report);
    if (const auto peeks = registry.test_peeks(); peeks > 0) {
        report.notes.push_back(fmt::format(
            "The test set has been used to choose {} time{} (--on test): its error is an "
            "optimistic estimate of the chosen run; keep a fresh test set for the final one.",
            peeks, peeks == 1 ? "" : "s"));
    }

    // The run the ladder shows: the one asked for, else the winner, else the first ranked, else
    // the latest.
    if (runs.size() == 1) {
        report.diagnosed_run = runs.front().name;
    } else if (report.leaderboard && report.leaderboard->selection.winner) {
        report.diagnosed_run = *report.leaderboard->selection.winner;
    } else if (report.leaderboard) {
        report.diagnosed_run = report.leaderboard->selection.ranking.front().name;
        report.notes.push_back("No run meets every satisficing limit; the error ladder shows " +
                               report.diagnosed_run + ", first by " +
                               report.leaderboard->selection.objective.name + ".");
    } else {
        report.diagnosed_run = runs.back().name;
        report.notes.push_back("The error ladder shows " + report.diagnosed_run +
                               ", the latest run.");
    }

    diagnose::ProjectSource source;
    source.db = options.db;
    source.db_given = true;
    source.run = report.diagnosed_run;
    const auto input = diagnose::project_input({}, source);
    if (diagnose::comparable(input)) {
        report.diagnosis = diagnose::diagnose(input);
    } else {
        report.omitted.push_back(
            {"ladder", "run " + report.diagnosed_run +
                           " has no two neighbouring errors of the chain human level -> train -> "
                           "train-dev -> dev -> test (mlstrat project set --human gives the "
                           "human level)"});
    }

    detail::add_learning_curves(options.db, report);

    std::vector<std::string> without;
    for (const auto& run : runs) {
        // The registry's steps first (a run logged from any training loop), else history.csv.
        Curve curve = curve_from_steps(run.name, registry.steps(run.name), options.db);
        const fs::path path = fs::path(options.runs_dir) / run.name / "history.csv";
        if (curve.epochs.empty() && fs::exists(path)) {
            curve = read_history(run.name, path.string(), options.table);
        }
        if (curve.epochs.empty()) {
            without.push_back(run.name);
        } else {
            report.curves.push_back(std::move(curve));
        }
    }
    if (report.curves.empty()) {
        report.omitted.push_back({"curves",
                                  "no run has logged steps (mlstrat runs log --step) "
                                  "or a history.csv with epochs under " +
                                      options.runs_dir + "/NAME/"});
    } else if (!without.empty()) {
        report.notes.push_back("No training curve for " + text::join(without) +
                               ": no logged steps and no epochs in " + options.runs_dir +
                               "/NAME/history.csv.");
    }
}

// The registered run whose predictions `pred` is: one that attached it, or whose folder holds
// it; empty when none does.
std::string run_of_predictions(const Report& report, const ReportOptions& options,
                               const std::string& pred) {
    if (report.db.empty()) return "";
    std::error_code ec;
    const fs::path file = fs::weakly_canonical(pred, ec);
    auto same = [&](const fs::path& other) {
        std::error_code e;
        return !ec && fs::weakly_canonical(other, e) == file && !e;
    };
    for (const auto& run : registry::Registry::open(report.db).runs()) {
        for (const auto& [split, path] : run.predictions) {
            if (same(path)) return run.name;
        }
        if (same(fs::path(options.runs_dir) / run.name / fs::path(pred).filename()))
            return run.name;
    }
    return "";
}

// One story (course 1.1.2): the confusion matrix, slices and examples show the run chosen on
// dev; when --pred shows another file, a note says which and the sections name it.
void name_the_predictions(const ReportOptions& options, Report& report) {
    report.pred_run = options.pred.empty() ? report.diagnosed_run
                                           : run_of_predictions(report, options, report.pred);
    if (options.pred.empty() || report.diagnosed_run.empty() ||
        report.pred_run == report.diagnosed_run) {
        return;
    }
    report.notes.push_back(
        report.pred_run.empty()
            ? fmt::format("The confusion matrix, slices and examples show {} (--pred), which "
                          "belongs to no registered run; the error ladder shows {}.",
                          report.pred, report.diagnosed_run)
            : fmt::format("The confusion matrix, slices and examples show run {} ({}, --pred), "
                          "not {}, the run the error ladder shows.",
                          report.pred_run, report.pred, report.diagnosed_run));
}

// The ceilings' starting error: --error when given, else that of the predictions shown (the
// run reviewed); a note when the two disagree beyond the predictions' interval.
double ceiling_error(const ReportOptions& options, Report& report) {
    MLSTRAT_CHECK(options.sheet_error.has_value() || report.eval.has_value(),
                  "--sheet needs --error E, the dev error its errors were sampled from, or the "
                  "reviewed run's predictions (--pred FILE, or the diagnosed run's pred_dev.csv)");
    const std::string shown =
        (report.pred_run.empty() ? std::string() : "run " + report.pred_run + ", ") + report.pred;
    if (!options.sheet_error) {
        report.sheet_error_source = shown;
        return report.eval->error;
    }
    report.sheet_error_source = "--error";
    const double e = *options.sheet_error;
    if (report.eval && (e < report.eval->error_ci.lo || e > report.eval->error_ci.hi)) {
        report.notes.push_back(fmt::format(
            "The ceilings start from --error {}, but the predictions shown ({}) have a dev error "
            "of {} ({} to {}): the sheet was reviewed on another run, so its ceilings are not "
            "this run's.",
            detail::rate(e), shown, detail::rate(report.eval->error),
            detail::rate(report.eval->error_ci.lo), detail::rate(report.eval->error_ci.hi)));
    }
    return e;
}

}  // namespace

Report build_report(const ReportOptions& options) {
    Report report;
    report.title = options.title;
    report.generated = registry::now_utc();
    add_runs(options, report);

    // Predictions: the ones given, else the diagnosed run's dev predictions.
    std::string pred = options.pred;
    if (pred.empty() && !report.diagnosed_run.empty()) {
        const fs::path path = fs::path(options.runs_dir) / report.diagnosed_run / "pred_dev.csv";
        if (fs::exists(path)) pred = path.string();
    }
    if (!pred.empty()) {
        metrics::EvalOptions eval;
        eval.slice_cols = options.slice_cols;
        eval.table = options.table;
        report.pred = pred;
        report.eval = metrics::evaluate(pred, eval);
        name_the_predictions(options, report);
        detail::add_examples(report, pred, options.pred.empty() ? report.diagnosed_run : "",
                             options.table);
        if (options.slice_cols.empty()) {
            report.omitted.push_back({"slices", "no --slice-col given"});
        }
    } else {
        const std::string note =
            report.diagnosed_run.empty()
                ? std::string("no predictions (--pred FILE)")
                : "no --pred and no " +
                      (fs::path(options.runs_dir) / report.diagnosed_run / "pred_dev.csv").string();
        report.omitted.push_back({"confusion", note});
        report.omitted.push_back({"slices", note});
    }

    if (!options.sheet.empty()) {
        analysis::TallyOptions tally;
        tally.error = ceiling_error(options, report);
        report.sheet = options.sheet;
        report.tally = analysis::tally_sheet(options.sheet, tally);
    } else {
        report.omitted.push_back(
            {"ceilings",
             "no reviewed sheet (--sheet SHEET.csv --error E; mlstrat errors sample "
             "writes one)"});
    }
    return report;
}

nlohmann::json Report::to_json() const {
    using nlohmann::json;
    json j;
    j["title"] = title;
    j["generated"] = generated;
    j["db"] = db.empty() ? json(nullptr) : json(db);
    j["runs"] = runs;
    j["diagnosed_run"] = diagnosed_run.empty() ? json(nullptr) : json(diagnosed_run);
    j["diagnosis"] = diagnosis ? diagnosis->to_json() : json(nullptr);
    if (leaderboard) {
        json board = leaderboard->selection.to_json();
        json limits = json::array();
        for (std::size_t k = 0; k < leaderboard->limits.size(); ++k) {
            json values = json::object();
            for (std::size_t i = 0; i < leaderboard->values.size(); ++i) {
                const auto& v = leaderboard->values[i][k];
                values[leaderboard->selection.ranking[i].name] = v ? json(*v) : json(nullptr);
            }
            limits.push_back({{"limit", leaderboard->limits[k].text},
                              {"column", leaderboard->limits[k].column},
                              {"values", values}});
        }
        board["limits"] = limits;
        j["leaderboard"] = board;
    } else {
        j["leaderboard"] = nullptr;
    }
    j["curves"] = json::array();
    for (const auto& c : curves) {
        auto opt = [](const std::optional<double>& v) { return v ? json(*v) : json(nullptr); };
        json epochs = json::array();
        for (const auto& e : c.epochs) {
            epochs.push_back({{"epoch", e.epoch},
                              {"lr", opt(e.lr)},
                              {"loss", opt(e.loss)},
                              {"train_error", opt(e.train_error)},
                              {"train_dev_error", opt(e.train_dev_error)},
                              {"dev_error", opt(e.dev_error)}});
        }
        j["curves"].push_back({{"run", c.run}, {"source", c.source}, {"epochs", epochs}});
    }
    j["learning_curves"] = json::array();
    for (const auto& c : learning_curves) j["learning_curves"].push_back(c.to_json());
    j["pred"] = pred.empty() ? json(nullptr) : json(pred);
    j["pred_run"] = pred_run.empty() ? json(nullptr) : json(pred_run);
    j["sheet_error_source"] = sheet_error_source.empty() ? json(nullptr) : json(sheet_error_source);
    j["eval"] = eval ? eval->to_json() : json(nullptr);
    j["sheet"] = sheet.empty() ? json(nullptr) : json(sheet);
    j["tally"] = tally ? tally->to_json() : json(nullptr);
    auto strip_json = [](const std::optional<ExampleStrip>& s) {
        if (!s) return json(nullptr);
        json examples = json::array();
        for (const auto& e : s->examples) {
            examples.push_back({{"index", e.index},
                                {"id", e.id},
                                {"label", e.label},
                                {"other", e.other},
                                {"thumbnail", !e.thumbnail.empty()}});
        }
        return json{{"run", s->run},
                    {"source", s->source},
                    {"total", s->total},
                    {"examples", examples},
                    {"note", s->note}};
    };
    j["error_examples"] = strip_json(error_examples);
    j["label_examples"] = strip_json(label_examples);
    j["omitted"] = json::array();
    for (const auto& o : omitted)
        j["omitted"].push_back({{"section", o.section}, {"note", o.note}});
    j["notes"] = notes;
    return j;
}

nlohmann::json vega_versions() {
    return {{"vega", std::string(assets::kVegaVersion)},
            {"vega-lite", std::string(assets::kVegaLiteVersion)},
            {"vega-embed", std::string(assets::kVegaEmbedVersion)}};
}

}  // namespace mlstrat::report
