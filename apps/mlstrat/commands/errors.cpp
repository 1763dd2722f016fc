// mlstrat errors: error analysis (1.2.1). `sample` writes a review sheet of misclassified dev
// examples, `review` turns it into a page a person reviews in a browser, `tally` counts what the
// reviewer marked, `slices` finds high-error cohorts.

#include <iostream>
#include <memory>

#include "commands/commands.hpp"
#include "mlstrat/analysis.hpp"
#include "mlstrat/review.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/support/parse.hpp"

#include "mlstrat/split.hpp"
#include "output.hpp"

namespace mlstrat::cli {

namespace {

struct SampleArgs {
    std::string pred;
    std::string out;
    analysis::SampleOptions options;
    std::string tags;
    std::string keep_cols;
    std::string split_dir;
    unsigned threads = 0;
    bool json = false;
};

struct ReviewArgs {
    std::string input;
    std::string out;
    std::string sheet;
    std::string tags;
    std::string error;
    std::string image_root;
    analysis::SampleOptions sample;
    report::ReviewOptions options;
    bool sample_given = false;
    bool json = false;
};

struct TallyArgs {
    std::string sheet;
    std::string error;
    std::string resolution;
    std::string tags;
    std::string ci_level = "0.95";
    analysis::TallyOptions options;
    bool json = false;
};

struct SlicesArgs {
    std::string pred;
    std::string features;
    std::string ci_level = "0.95";
    analysis::SliceOptions options;
    unsigned threads = 0;
    bool json = false;
};

// "a,b,c" -> {"a", "b", "c"}; empty items are errors.
std::vector<std::string> split_list(const std::string& text, const char* what) {
    std::vector<std::string> out;
    if (text.empty()) return out;
    std::size_t start = 0;
    while (true) {
        std::size_t comma = text.find(',', start);
        std::string item(trim(std::string_view(text).substr(start, comma - start)));
        MLSTRAT_CHECK(!item.empty(), what, ": '", text, "' has an empty name");
        out.push_back(item);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return out;
}

void run_sample(SampleArgs& a) {
    a.options.tags = split_list(a.tags, "--tags");
    a.options.keep_cols = split_list(a.keep_cols, "--keep-cols");
    a.options.table.threads = a.threads;
    if (!a.split_dir.empty()) {
        a.options.eyeball_ids = split::division_ids(a.split_dir, "eyeball_dev", a.options.id_col);
    }
    auto r = analysis::sample_errors(a.pred, a.out, a.options);
    if (a.json) {
        print_json(r.to_json());
        return;
    }
    std::cout << "wrote " << r.sheet << ": " << thousands(r.sampled_errors) << " of "
              << thousands(r.errors) << " misclassified rows";
    if (r.sampled_correct > 0) {
        std::cout << " and " << thousands(r.sampled_correct) << " correctly classified ones";
    }
    std::cout << " (" << thousands(r.rows) << " rows, seed " << r.seed << ")\n";
    if (r.file_rows) {
        std::cout << "drawn from the eyeball dev set only: " << thousands(r.rows) << " of the "
                  << thousands(*r.file_rows)
                  << " rows; the blackbox dev rows stay unseen (diagnose warns when the eyeball "
                     "error falls much faster than the blackbox error)\n";
    } else if (!a.split_dir.empty()) {
        std::cout << a.split_dir << " has no eyeball dev set: drawn from every row\n";
    }
    std::cout << "Mark each idea's column with x, add a mark under mislabeled when the label is "
                 "wrong, then run: mlstrat errors tally "
              << r.sheet << " --error <dev error>\n";
}

// review.html -> review_sheet.csv, beside it.
std::string sheet_beside(const std::string& page) {
    std::string stem = page;
    if (stem.ends_with(".html")) stem.resize(stem.size() - 5);
    return stem + "_sheet.csv";
}

void run_review(ReviewArgs& a) {
    a.options.tags = split_list(a.tags, "--tags");
    if (!a.error.empty()) a.options.error = parse_rate(a.error, "--error");
    if (!a.image_root.empty()) a.options.image_roots = {a.image_root};
    const bool sheet = !a.sample_given && report::is_review_sheet(a.input);
    analysis::SampleReport sampled;
    report::ReviewPage page;
    if (sheet) {
        page = report::error_review_page(a.input, a.options);
    } else {
        if (a.sheet.empty()) a.sheet = sheet_beside(a.out);
        a.sample.tags = a.options.tags;
        page =
            report::error_review_from_predictions(a.input, a.sample, a.sheet, a.options, &sampled);
    }
    const std::uint64_t bytes = report::write_review(page, a.out);
    if (a.json) {
        nlohmann::json j = page.to_json();
        j["out"] = a.out;
        j["bytes"] = bytes;
        j["sheet"] = sheet ? a.input : a.sheet;
        print_json(j);
        return;
    }
    if (!sheet) {
        std::cout << "sampled " << thousands(sampled.sampled_errors) << " of "
                  << thousands(sampled.errors) << " misclassified rows into " << a.sheet << "\n";
    }
    std::cout << "wrote " << a.out << ": " << thousands(page.cards) << " cards ("
              << thousands(page.images) << " with images), " << thousands(bytes / 1024)
              << " KiB\nOpen it in a browser (it works offline), tick what applies to each error, "
                 "then Export and run: mlstrat errors tally "
              << page.export_name << " --error <dev error>\n";
}

void run_tally(TallyArgs& a) {
    MLSTRAT_CHECK(!a.error.empty(), "errors tally needs --error, the dev error (e.g. 10%)");
    a.options.error = parse_rate(a.error, "--error");
    if (!a.resolution.empty()) a.options.resolution = parse_rate(a.resolution, "--resolution");
    a.options.ci_level = parse_rate(a.ci_level, "--ci-level");
    a.options.tags = split_list(a.tags, "--tags");
    auto r = analysis::tally_sheet(a.sheet, a.options);
    if (a.json) {
        print_json(r.to_json());
        return;
    }
    std::cout << "reviewed " << thousands(r.reviewed) << " misclassified examples";
    if (r.correct_reviewed > 0) {
        std::cout << " (and " << thousands(r.correct_reviewed) << " correct ones, not counted)";
    }
    std::cout << "; dev error " << percent(r.error) << "\n\n";
    const std::string level = percent(r.ci_level, 0);
    Table t({"idea", "errors", "share", level + " CI", "error if fixed"});
    for (const auto& c : r.categories) {
        t.add({c.tag, thousands(c.count), percent(c.share, 1),
               percent(c.share_ci.lo, 1) + " to " + percent(c.share_ci.hi, 1),
               percent(r.error) + " -> " + percent(c.error_if_fixed)});
    }
    if (r.mislabeled) {
        const auto& m = *r.mislabeled;
        t.add({"(mislabeled)", thousands(m.count), percent(m.share, 1),
               percent(m.share_ci.lo, 1) + " to " + percent(m.share_ci.hi, 1),
               percent(r.error) + " -> " + percent(m.other_causes)});
    }
    t.print(std::cout);
    std::cout << "\nA row can carry several tags, so shares need not add to 100%.\n";
    if (!r.categories.empty()) {
        const auto& best = r.categories.front();
        std::cout << "Largest ceiling: " << best.tag << " (" << percent(best.share, 1)
                  << " of the errors; fixing all of them takes the error from " << percent(r.error)
                  << " to " << percent(best.error_if_fixed) << " at best).\n";
    }
    if (r.mislabeled) {
        std::cout << "\nIncorrectly labeled: " << r.mislabeled->reason << ".\n";
        for (const auto& reminder : r.reminders) std::cout << "  - " << reminder << "\n";
    }
}

void print_slices(const analysis::CohortReport& r) {
    const std::string level = percent(r.ci_level, 0);
    std::cout << "rows " << thousands(r.rows) << ", errors " << thousands(r.errors) << ", error "
              << percent(r.error) << " (" << level << " CI " << percent(r.error_ci.lo) << " to "
              << percent(r.error_ci.hi) << ")\n";
    if (r.cohorts.empty()) {
        std::cout << "no cohort of at least " << thousands(r.min_rows)
                  << " rows has an error that differs significantly from the rest\n";
        return;
    }
    std::cout << "\ncohorts of at least " << thousands(r.min_rows)
              << " rows, highest error first\n";
    Table t({"cohort", "rows", "error", level + " CI", "share of errors"});
    for (const auto& c : r.cohorts) {
        t.add({c.condition, thousands(c.rows), percent(c.error),
               percent(c.error_ci.lo) + " to " + percent(c.error_ci.hi),
               percent(c.error_share, 1)});
    }
    t.print(std::cout, "  ");
}

void run_slices(SlicesArgs& a) {
    a.options.features = split_list(a.features, "--features");
    MLSTRAT_CHECK(!a.options.features.empty(),
                  "errors slices needs --features, the metadata columns to condition on");
    a.options.ci_level = parse_rate(a.ci_level, "--ci-level");
    a.options.table.threads = a.threads;
    auto r = analysis::find_error_slices(a.pred, a.options);
    if (a.json) {
        print_json(r.to_json());
    } else {
        print_slices(r);
    }
}

void add_sample(CLI::App& errors) {
    auto args = std::make_shared<SampleArgs>();
    CLI::App* cmd = errors.add_subcommand(
        "sample", "Write a review sheet: a reproducible random sample of misclassified rows.");
    cmd->add_option("PRED", args->pred, "predictions CSV/TSV (optionally .gz) with a header")
        ->required();
    cmd->add_option("--out", args->out, "the review sheet to write (CSV, or TSV for .tsv)")
        ->required();
    cmd->add_option("--n", args->options.errors, "misclassified rows to sample")
        ->capture_default_str();
    cmd->add_option("--correct", args->options.correct, "correctly classified rows to add")
        ->capture_default_str();
    cmd->add_option("--tags", args->tags, "one empty column per idea: dog,great_cat,blurry");
    cmd->add_option("--keep-cols", args->keep_cols, "columns copied onto the sheet: id,region");
    cmd->add_option("--path-col", args->options.path_col,
                    "column with the path of the image or audio, copied first");
    cmd->add_option("--label-col", args->options.label_col, "column of true labels")
        ->capture_default_str();
    cmd->add_option("--pred-col", args->options.pred_col, "column of predicted labels")
        ->capture_default_str();
    cmd->add_option("--seed", args->options.seed, "random seed")->capture_default_str();
    cmd->add_option("--split", args->split_dir,
                    "the split folder (mlstrat split --out): when it has an eyeball dev set, "
                    "draw only from it, by --id-col");
    cmd->add_option("--id-col", args->options.id_col,
                    "with --split: the column that names an example in both files")
        ->capture_default_str();
    cmd->add_option("--threads", args->threads, "worker threads (default: all cores)");
    cmd->add_flag("--json", args->json, "print one JSON document and nothing else");
    cmd->callback([args] { run_sample(*args); });
}

void add_review(CLI::App& errors) {
    auto args = std::make_shared<ReviewArgs>();
    CLI::App* cmd = errors.add_subcommand(
        "review",
        "Write a review page: one card per sampled error with its image, tags to tick, "
        "a live tally, and an Export of the filled sheet (one HTML file, offline).");
    cmd->add_option("SHEET", args->input,
                    "a review sheet from errors sample, or a predictions file to sample from")
        ->required();
    cmd->add_option("--out", args->out, "the HTML page to write")->required();
    cmd->add_option("--tags", args->tags,
                    "tags to offer besides the sheet's: dog,great_cat,blurry");
    cmd->add_option("--error", args->error, "the dev error, for the ceilings (10% or 0.10)");
    cmd->add_option("--image-col", args->options.image_col,
                    "column of image references (default: the first that holds one)");
    cmd->add_option("--text-col", args->options.text_col, "column of text to show (default: text)");
    cmd->add_option("--prob-cols", args->options.prob_cols,
                    "probability columns, the '*' naming the class")
        ->capture_default_str();
    cmd->add_option("--image-root", args->image_root,
                    "folder relative image paths start from (default: the input's, then the "
                    "current folder)");
    cmd->add_option("--thumbnail", args->options.thumbnail, "thumbnail size in pixels a side")
        ->capture_default_str()
        ->check(CLI::Range(16, 512));
    cmd->add_option("--title", args->options.title, "the page's title");
    auto sampling = [args](const std::string&) { args->sample_given = true; };
    cmd->add_option("--n", args->sample.errors, "predictions: misclassified rows to sample")
        ->capture_default_str()
        ->each(sampling);
    cmd->add_option("--seed", args->sample.seed, "predictions: random seed")
        ->capture_default_str()
        ->each(sampling);
    cmd->add_option("--sheet", args->sheet,
                    "predictions: where the sampled sheet goes (default: beside --out)");
    cmd->add_option("--label-col", args->sample.label_col, "predictions: column of true labels")
        ->capture_default_str();
    cmd->add_option("--pred-col", args->sample.pred_col, "predictions: column of predicted labels")
        ->capture_default_str();
    cmd->add_flag("--json", args->json, "print one JSON document and nothing else");
    cmd->callback([args] { run_review(*args); });
}

void add_tally(CLI::App& errors) {
    auto args = std::make_shared<TallyArgs>();
    CLI::App* cmd = errors.add_subcommand(
        "tally",
        "Count the marked tags of a reviewed sheet: share, interval and ceiling per idea, "
        "and whether incorrect labels are worth fixing.");
    cmd->add_option("SHEET", args->sheet, "the reviewed sheet (CSV/TSV)")->required();
    cmd->add_option("--error", args->error, "the overall dev error (10% or 0.10)");
    cmd->add_option("--resolution", args->resolution,
                    "smallest difference between models you need to see (0.2%); labels are worth "
                    "fixing when the error they cause reaches it");
    cmd->add_option("--tags", args->tags,
                    "tag columns (default: the columns the sheet's layout "
                    "puts between pred and mislabeled)");
    cmd->add_option("--mislabeled-col", args->options.mislabeled_col,
                    "column marking incorrectly labeled examples")
        ->capture_default_str();
    cmd->add_option("--ci-level", args->ci_level, "confidence level of intervals (0.95 or 95%)")
        ->capture_default_str();
    cmd->add_flag("--json", args->json, "print one JSON document and nothing else");
    cmd->callback([args] { run_tally(*args); });
}

void add_slices(CLI::App& errors) {
    auto args = std::make_shared<SlicesArgs>();
    CLI::App* cmd = errors.add_subcommand(
        "slices",
        "Find the metadata cohorts with the highest error (a shallow decision tree on "
        "the error indicator, streamed in bounded memory).");
    cmd->add_option("PRED", args->pred, "predictions CSV/TSV (optionally .gz) with a header")
        ->required();
    cmd->add_option("--features", args->features, "metadata columns: region,blur,device");
    cmd->add_option("--min-rows", args->options.min_rows, "smallest cohort to report")
        ->capture_default_str();
    cmd->add_option("--max-depth", args->options.max_depth, "conditions per cohort at most")
        ->capture_default_str()
        ->check(CLI::Range(1, 8));
    cmd->add_option("--top", args->options.top, "cohorts to report")->capture_default_str();
    cmd->add_option("--bins", args->options.bins, "histogram bins per numeric feature")
        ->capture_default_str()
        ->check(CLI::Range(2, 255));
    cmd->add_option("--label-col", args->options.label_col, "column of true labels")
        ->capture_default_str();
    cmd->add_option("--pred-col", args->options.pred_col, "column of predicted labels")
        ->capture_default_str();
    cmd->add_option("--ci-level", args->ci_level, "confidence level of intervals (0.95 or 95%)")
        ->capture_default_str();
    cmd->add_option("--threads", args->threads, "worker threads (default: all cores)");
    cmd->add_flag("--json", args->json, "print one JSON document and nothing else");
    cmd->callback([args] { run_slices(*args); });
}

}  // namespace

void add_errors(CLI::App& app) {
    CLI::App* errors = app.add_subcommand(
        "errors",
        "Error analysis: sample misclassified dev examples, tally the reviewed sheet, "
        "find high-error cohorts.");
    errors->require_subcommand(1);
    add_sample(*errors);
    add_review(*errors);
    add_tally(*errors);
    add_slices(*errors);
}

}  // namespace mlstrat::cli
