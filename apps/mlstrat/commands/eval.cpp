// mlstrat eval: the single-number metric of a predictions file, or the dev/test size needed.

#include <iostream>
#include <optional>

#include "commands/commands.hpp"
#include "mlstrat/metrics.hpp"
#include "mlstrat/registry.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/support/json_text.hpp"
#include "mlstrat/support/parse.hpp"
#include "output.hpp"

namespace mlstrat::cli {

namespace {

struct EvalArgs {
    std::string pred;
    metrics::EvalOptions options;
    std::vector<std::string> class_weights;
    std::string positive;
    std::string ci_level = "0.95";
    bool json = false;
    bool min_test_size = false;
    std::string error;
    std::string margin;
    unsigned threads = 0;
    std::string run;
    std::string split;
    std::string db = registry::kDefaultPath;
    std::vector<std::string> tasks;
    std::string shard;
    std::string stats_out;
    std::vector<std::string> merge;
};

void print_task_report(const metrics::TaskReport& r) {
    const std::string level = percent(r.ci_level, 0);
    std::cout << "rows      " << thousands(r.rows) << " (" << r.tasks.size() << " tasks, "
              << thousands(r.missing) << " labels missing)\n\n";
    auto num = [](double v) { return fmt::format("{:.4f}", v); };
    Table t({"task", "labelled", "missing", "error", level + " CI", "precision", "recall", "f1",
             "support"});
    for (const auto& m : r.tasks) {
        t.add({m.task, thousands(m.labelled), thousands(m.missing), percent(m.error),
               percent(m.error_ci.lo) + " to " + percent(m.error_ci.hi), num(m.precision),
               num(m.recall), num(m.f1), thousands(m.support)});
    }
    t.add({});
    t.add({"mean", "", "", percent(r.mean.error), "", num(r.mean.precision), num(r.mean.recall),
           num(r.mean.f1), ""});
    t.add({"micro", thousands(r.labelled), thousands(r.missing), percent(r.micro.error), "",
           num(r.micro.precision), num(r.micro.recall), num(r.micro.f1), ""});
    t.print(std::cout);
    for (const auto& w : r.warnings) std::cout << "\nwarning: " << w << "\n";
}

/// "I/N" of --shard: index I (0-based) of N shards.
void parse_shard(const std::string& text, io::TableOptions& table) {
    const auto slash = text.find('/');
    auto whole = [&](std::string_view part) -> std::optional<unsigned> {
        auto v = try_parse_number(part);
        if (!v || *v < 0 || *v != static_cast<double>(static_cast<unsigned>(*v)) ||
            part.find_first_not_of("0123456789") != std::string_view::npos) {
            return std::nullopt;
        }
        return static_cast<unsigned>(*v);
    };
    auto index =
        slash == std::string::npos ? std::nullopt : whole(std::string_view(text).substr(0, slash));
    auto count =
        slash == std::string::npos ? std::nullopt : whole(std::string_view(text).substr(slash + 1));
    MLSTRAT_CHECK(index && count && *count >= 1 && *index < *count, "--shard '", text,
                  "': give I/N, shard I (0 to N-1) of N, e.g. 0/4");
    table.shard_index = *index;
    table.shard_count = *count;
}

void print_report(const metrics::EvalReport& r) {
    const std::string level = percent(r.ci_level, 0);
    std::cout << "rows      " << thousands(r.rows) << "\n";
    std::cout << "accuracy  " << percent(r.accuracy) << "\n";
    std::cout << "error     " << percent(r.error) << "  (" << level << " CI "
              << percent(r.error_ci.lo) << " to " << percent(r.error_ci.hi) << ")\n";
    if (r.weighted_error) {
        std::cout << "weighted error  " << percent(*r.weighted_error) << "  (" << level << " CI "
                  << percent(r.weighted_error_ci->lo) << " to " << percent(r.weighted_error_ci->hi)
                  << ", effective size)\n";
    }
    const bool fb = r.beta != 1.0;
    const std::string fb_name = fmt::format("f{:g}", r.beta);
    std::vector<std::string> head = {"class", "precision", "recall", "f1"};
    if (fb) head.push_back(fb_name);
    head.push_back("support");
    Table classes(head);
    auto num = [](double v) { return fmt::format("{:.4f}", v); };
    for (const auto& c : r.classes) {
        std::vector<std::string> row = {c.name, num(c.precision), num(c.recall), num(c.f1)};
        if (fb) row.push_back(num(c.fbeta));
        row.push_back(thousands(c.support));
        classes.add(row);
    }
    auto avg = [&](const char* name, const metrics::Average& a, std::uint64_t support) {
        std::vector<std::string> row = {name, num(a.precision), num(a.recall), num(a.f1)};
        if (fb) row.push_back(num(a.fbeta));
        row.push_back(thousands(support));
        classes.add(row);
    };
    classes.add({});
    avg("macro avg", r.macro, r.rows);
    avg("micro avg", r.micro, r.rows);
    avg("weighted avg", r.weighted, r.rows);
    std::cout << "\n";
    classes.print(std::cout);

    if (r.binary) {
        const auto& b = *r.binary;
        std::cout << "\npositive class '" << b.positive << "': precision " << num(b.precision)
                  << ", recall " << num(b.recall) << ", f1 " << num(b.f1);
        if (fb) std::cout << ", " << fb_name << " " << num(b.fbeta);
        std::cout << "  (tp " << b.tp << ", fp " << b.fp << ", fn " << b.fn << ", tn " << b.tn
                  << ")\n";
    }

    if (r.classes.size() <= 30) {
        std::cout << "\nconfusion matrix (rows: true class, columns: predicted)\n";
        std::vector<std::string> h = {""};
        for (const auto& c : r.classes) h.push_back(c.name);
        Table confusion(h);
        for (std::size_t t = 0; t < r.classes.size(); ++t) {
            std::vector<std::string> row = {r.classes[t].name};
            for (auto v : r.confusion[t]) row.push_back(thousands(v));
            confusion.add(row);
        }
        confusion.print(std::cout, "  ");
    } else {
        std::cout << "\nconfusion matrix: " << r.classes.size()
                  << " classes, too many to print; see --json\n";
    }

    for (const auto& s : r.slices) {
        std::cout << "\nerror by " << s.column << "\n";
        Table t({s.column, "rows", "error", level + " CI"});
        for (const auto& v : s.values) {
            t.add({v.value.empty() ? "(empty)" : v.value, thousands(v.rows), percent(v.error),
                   percent(v.error_ci.lo) + " to " + percent(v.error_ci.hi)});
        }
        t.print(std::cout, "  ");
        if (!s.values.empty()) {
            const auto& worst = s.values[s.worst];
            std::cout << "  average over " << s.values.size()
                      << " values: " << percent(s.average_error) << "; worst: " << worst.value
                      << " at " << percent(worst.error) << "\n";
        }
    }
    for (const auto& w : r.warnings) std::cout << "\nwarning: " << w << "\n";
}

void count_shard(EvalArgs& a);
void report_and_record(const EvalArgs& a, const metrics::EvalReport& report);

void run(EvalArgs& a) {
    const double level = parse_rate(a.ci_level, "--ci-level");
    if (a.min_test_size) {
        MLSTRAT_CHECK(a.pred.empty(), "--min-test-size takes no predictions file");
        MLSTRAT_CHECK(!a.error.empty() && !a.margin.empty(),
                      "--min-test-size needs --error (the error you expect, e.g. 5%) and --margin "
                      "(the half-width you want to know it within, e.g. 0.5%)");
        auto answer = metrics::min_test_size(parse_rate(a.error, "--error"),
                                             parse_rate(a.margin, "--margin"), level);
        if (a.json) {
            print_json(answer.to_json());
            return;
        }
        std::cout << "To know an error near " << percent(answer.error) << " within +-"
                  << percent(answer.margin) << " at " << percent(level, 0)
                  << " confidence, the dev/test set needs at least " << thousands(answer.rows)
                  << " rows (Wilson interval; the normal approximation says "
                  << thousands(answer.normal_rows) << ").\n";
        return;
    }
    if (!a.merge.empty()) {
        MLSTRAT_CHECK(a.pred.empty() && a.shard.empty() && a.stats_out.empty(),
                      "--merge takes statistics files only, not a predictions file, --shard or "
                      "--stats-out");
        auto merged = metrics::merge_shards(a.merge);
        report_and_record(a, metrics::make_report(merged.counts, merged.options, merged.file));
        return;
    }
    MLSTRAT_CHECK(!a.pred.empty(), "eval needs a predictions file (or --min-test-size)");
    MLSTRAT_CHECK(a.error.empty() && a.margin.empty(),
                  "--error and --margin go with --min-test-size");
    a.options.ci_level = level;
    a.options.table.threads = a.threads;
    for (const auto& text : a.class_weights) {
        auto [name, value] = split_assignment(text, "--class-weight");
        a.options.class_weights.emplace_back(name, parse_number(value, "--class-weight " + name));
    }
    if (!a.positive.empty()) a.options.positive = a.positive;
    MLSTRAT_CHECK(a.run.empty() == a.split.empty(),
                  "--run and --split go together: the run to record the error in, and its split");
    if (!a.shard.empty() || !a.stats_out.empty()) {
        count_shard(a);
        return;
    }
    if (a.tasks.empty())
        a.tasks = metrics::detect_tasks(a.pred, a.options.label_col, a.options.table);
    if (!a.tasks.empty()) {
        MLSTRAT_CHECK(a.options.slice_cols.empty() && a.options.weight_col.empty() &&
                          a.class_weights.empty() && a.positive.empty() && a.options.beta == 1.0,
                      "--slice-col, --weight-col, --class-weight, --positive and --beta are for "
                      "single-label predictions, not the tasks of ",
                      a.pred);
        auto report = metrics::evaluate_tasks(a.pred, a.tasks, level, a.options.table);
        if (!a.run.empty()) {
            registry::Registry::open(a.db).record_error(a.run, a.split, report.mean.error,
                                                        report.rows);
        }
        if (a.json) {
            print_json(report.to_json());
        } else {
            print_task_report(report);
        }
        return;
    }
    report_and_record(a, metrics::evaluate(a.pred, a.options));
}

/// --shard I/N --stats-out PART.json: the counts of one shard, for --merge.
void count_shard(EvalArgs& a) {
    MLSTRAT_CHECK(!a.stats_out.empty(),
                  "--shard needs --stats-out PART.json: a shard's own "
                  "report is not the file's; merge the parts with --merge");
    MLSTRAT_CHECK(a.run.empty(), "--run goes with the whole file: give it to --merge");
    if (!a.shard.empty()) parse_shard(a.shard, a.options.table);
    auto shard = metrics::count_shard(a.pred, a.options);
    io::write_file_atomically(a.stats_out, io::json_text(shard.to_json(), a.pred) + "\n");
    if (a.json) {
        print_json({{"file", shard.file},
                    {"shard", {{"index", shard.index}, {"count", shard.count}}},
                    {"rows", shard.counts.rows},
                    {"stats_out", a.stats_out}});
    } else {
        std::cout << "shard " << shard.index << "/" << shard.count << " of " << shard.file << ": "
                  << thousands(shard.counts.rows) << " rows; statistics in " << a.stats_out << "\n";
    }
}

void report_and_record(const EvalArgs& a, const metrics::EvalReport& report) {
    if (!a.run.empty()) {
        registry::Registry::open(a.db).record_split_metrics(
            a.run, a.split, registry::split_metrics_of(report), report.rows);
    }
    if (a.json) {
        print_json(report.to_json());
    } else {
        print_report(report);
    }
}

}  // namespace

void add_eval(CLI::App& app) {
    auto args = std::make_shared<EvalArgs>();
    CLI::App* cmd = app.add_subcommand(
        "eval",
        "The single-number metric of a predictions file: accuracy, error with its interval, "
        "per-class precision/recall/F1, confusion matrix, weighted and per-slice error.");
    cmd->add_option("PRED", args->pred,
                    "CSV/TSV (optionally .gz) with a header, one row per example");
    cmd->add_option("--label-col", args->options.label_col, "column of true labels")
        ->capture_default_str();
    cmd->add_option("--pred-col", args->options.pred_col, "column of predicted labels")
        ->capture_default_str();
    cmd->add_option("--slice-col", args->options.slice_cols,
                    "column whose values are slices (region, device...); repeatable");
    auto* weight = cmd->add_option("--weight-col", args->options.weight_col,
                                   "column of per-row weights (finite, >= 0)");
    cmd->add_option("--class-weight", args->class_weights,
                    "CLASS=W: weight rows of true class CLASS by W (others 1); repeatable")
        ->excludes(weight);
    cmd->add_option("--positive", args->positive, "binary precision/recall/F1 for this class");
    cmd->add_option("--tasks", args->tasks,
                    "COL,...: multi-task predictions, label column COL and prediction pred_COL "
                    "per task (default: found from the header when there is no --label-col)")
        ->delimiter(',');
    cmd->add_option("--beta", args->options.beta, "also report F-beta with this beta")
        ->capture_default_str();
    cmd->add_option("--ci-level", args->ci_level, "confidence level of intervals (0.95 or 95%)")
        ->capture_default_str();
    cmd->add_option("--threads", args->threads, "worker threads (default: all cores)");
    cmd->add_flag("--json", args->json, "print one JSON document and nothing else");
    cmd->add_flag("--min-test-size", args->min_test_size,
                  "answer how many dev/test rows pin the error within --margin");
    cmd->add_option("--error", args->error, "with --min-test-size: the error you expect (5%)");
    cmd->add_option("--margin", args->margin, "with --min-test-size: the half-width wanted (0.5%)");
    cmd->add_option("--run", args->run, "record the error in this registered run (with --split)");
    cmd->add_option("--split", args->split, "the split the file holds: train, train_dev, dev, test")
        ->check(CLI::IsMember({"train", "train_dev", "dev", "test"}));
    cmd->add_option("--db", args->db, "run registry for --run")->capture_default_str();
    cmd->add_option("--shard", args->shard,
                    "I/N: count only shard I (0 to N-1) of N byte ranges of the file (with "
                    "--stats-out); docs/distributed.md");
    cmd->add_option("--stats-out", args->stats_out,
                    "write the shard's mergeable statistics to this JSON file");
    cmd->add_option("--merge", args->merge,
                    "PART.json...: merge every shard's statistics and report as one pass would");
    cmd->callback([args] { run(*args); });
}

}  // namespace mlstrat::cli
