// mlstrat labels: likely incorrectly labeled examples by confident learning (1.2.1, cleaning up
// incorrectly labeled data), ranked by self-confidence or another label quality score; `--review`
// writes them as a page for a person's verdicts, and `labels apply` writes the data with the
// labels found wrong corrected.

#include <iostream>
#include <memory>
#include <optional>

#include "commands/commands.hpp"
#include "mlstrat/analysis.hpp"
#include "mlstrat/review.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/support/io.hpp"
#include "output.hpp"

namespace mlstrat::cli {

namespace {

struct LabelsArgs {
    std::string table;
    analysis::LabelOptions options;
    std::string classes;
    std::string filter_by = "prune_by_noise_rate";
    std::string rank_by = "self_confidence";
    std::vector<std::int64_t> num_to_remove;
    std::string out;
    std::string review;
    std::string image_root;
    report::ReviewOptions review_options;
    unsigned threads = 0;
    bool json = false;
};

struct ApplyArgs {
    std::string data;
    std::string corrections;
    std::string out;
    analysis::CorrectionOptions options;
    bool json = false;
};

void print_summary(const analysis::LabelReport& r, const std::string& out) {
    std::cout << "rows " << thousands(r.rows) << ", likely label errors "
              << thousands(r.issues.size()) << " ("
              << percent(r.rows ? static_cast<double>(r.issues.size()) / r.rows : 0.0)
              << "), written to " << out << "\n\n";
    Table t({r.multi_label ? "class" : "given label", r.multi_label ? "rows with it" : "rows",
             "flagged", "estimated issues"});
    for (const auto& c : r.per_class) {
        t.add({c.name, thousands(c.rows), thousands(c.flagged), thousands(c.estimated)});
    }
    t.print(std::cout);
}

void run(LabelsArgs& a) {
    if (!a.classes.empty()) {
        std::size_t start = 0;
        while (true) {
            std::size_t comma = a.classes.find(',', start);
            a.options.classes.push_back(a.classes.substr(start, comma - start));
            MLSTRAT_CHECK(!a.options.classes.back().empty(), "--classes: '", a.classes,
                          "' has an empty class name");
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
    }
    a.options.table.threads = a.threads;
    a.options.issues.filter_by = analysis::filter_by_named(a.filter_by);
    a.options.issues.rank_by = analysis::rank_by_named(a.rank_by);
    a.options.issues.num_to_remove_per_class = a.num_to_remove;
    auto r = analysis::find_label_issues(a.table, a.options);
    if (!a.out.empty()) {
        io::AtomicFile file(a.out);
        r.write_issues_csv([&](std::string_view piece) { file.write(piece); });
        file.commit();
    }
    std::optional<report::ReviewPage> page;
    if (!a.review.empty()) {
        if (!a.image_root.empty()) a.review_options.image_roots = {a.image_root};
        page = report::label_review_page(r, a.table, a.options, a.review_options);
        report::write_review(*page, a.review);
    }
    if (a.json) {
        nlohmann::json j = r.to_json();
        if (page) j["review"] = page->to_json();
        print_json(j);
    } else if (page) {
        if (!a.out.empty()) print_summary(r, a.out);
        std::cout
            << "wrote " << a.review << ": " << thousands(page->cards) << " flagged examples"
            << (page->left_out
                    ? " (the " + thousands(page->left_out) + " least suspicious left out)"
                    : "")
            << ". Open it in a browser, give each a verdict, Export, then run: mlstrat labels "
               "apply DATA --corrections "
            << page->export_name << " --out FIXED.csv\n";
    } else if (a.out.empty()) {
        r.write_issues_csv([](std::string_view piece) { std::cout << piece; });
    } else {
        print_summary(r, a.out);
    }
}

void run_apply(const ApplyArgs& a) {
    auto r = analysis::apply_corrections(a.data, a.corrections, a.out, a.options);
    if (a.json) {
        print_json(r.to_json());
        return;
    }
    std::cout << "wrote " << r.out << ": " << thousands(r.changed) << " of " << thousands(r.rows)
              << " labels changed (verdicts: " << thousands(r.wrong) << " wrong, "
              << thousands(r.right) << " right, " << thousands(r.unsure) << " unsure; matched by "
              << r.matched_by << ")\n";
    Table t({"split", "rows", "labels changed"});
    for (const auto& s : r.splits) t.add({s.split, thousands(s.rows), thousands(s.changed)});
    t.print(std::cout);
    std::cout << "\nApply the same process to the dev and the test set (1.2.1): run mlstrat labels "
                 "--review on the other set's predictions, review it, and apply its corrections, "
                 "so dev and test keep coming from the same distribution.\n";
}

void add_apply(CLI::App& labels) {
    auto args = std::make_shared<ApplyArgs>();
    CLI::App* cmd = labels.add_subcommand(
        "apply",
        "Write DATA with the labels a reviewer found wrong corrected (the corrections "
        "CSV the review page exports); other rows are copied byte for byte.");
    cmd->add_option("DATA", args->data, "the CSV/TSV whose labels to correct")->required();
    cmd->add_option("--corrections", args->corrections,
                    "corrections CSV (index,id,given,suggested,decision,label,comment)")
        ->required();
    cmd->add_option("--out", args->out, "the corrected file to write")->required();
    cmd->add_option("--label-col", args->options.label_col, "DATA's column of labels")
        ->capture_default_str();
    cmd->add_option("--id-col", args->options.id_col,
                    "DATA's column the corrections' id names (default: id when the corrections "
                    "carry ids, else rows are matched by index)");
    cmd->add_option("--split-col", args->options.split_col,
                    "count the changes per value of this column");
    cmd->add_flag("--json", args->json, "print one JSON document and nothing else");
    cmd->callback([args] { run_apply(*args); });
}

}  // namespace

void add_labels(CLI::App& app) {
    auto args = std::make_shared<LabelsArgs>();
    CLI::App* cmd = app.add_subcommand(
        "labels",
        "Find likely incorrectly labeled examples by confident learning (the examples "
        "cleanlab's find_label_issues flags), ranked by self-confidence or --rank-by.");
    cmd->add_option("TABLE", args->table,
                    "CSV/TSV (optionally .gz) with the given labels (and the probabilities)");
    cmd->add_option("--label-col", args->options.label_col, "column of given labels")
        ->capture_default_str();
    cmd->add_option("--prob-cols", args->options.prob_cols,
                    "glob over column names, one column per class: 'p_*' (class = the '*' part)");
    cmd->add_option("--probs", args->options.npy_path,
                    "N x K probabilities saved with numpy.save (float32/float64), rows aligned "
                    "with TABLE");
    cmd->add_option("--classes", args->classes,
                    "class names in the order of the probability columns: cat,dog,bird");
    cmd->add_option("--id-col", args->options.id_col, "column identifying each example");
    cmd->add_option("--sum-tolerance", args->options.sum_tolerance,
                    "how far a row's probabilities may sum from 1")
        ->capture_default_str();
    cmd->add_flag("--multi-label", args->options.multi_label,
                  "each example has a set of labels, 'a|b' in the label column (empty: none), and "
                  "one-vs-rest probabilities in [0, 1] (cleanlab's multi_label=True)");
    cmd->add_option("--label-sep", args->options.label_separator,
                    "what separates the labels of a set with --multi-label")
        ->capture_default_str();
    cmd->add_option("--filter-by", args->filter_by,
                    "which examples to flag, cleanlab's filter_by: prune_by_noise_rate, "
                    "prune_by_class, both, confident_learning, predicted_neq_given, "
                    "low_self_confidence or low_normalized_margin")
        ->capture_default_str();
    cmd->add_option("--rank-by", args->rank_by,
                    "the label quality score the issues are ranked by, lowest first (cleanlab's "
                    "return_indices_ranked_by): self_confidence, normalized_margin or "
                    "confidence_weighted_entropy; another than self_confidence adds its column")
        ->capture_default_str();
    cmd->add_option("--frac-noise", args->options.issues.frac_noise,
                    "flag this share of each estimated count (cleanlab's frac_noise; "
                    "prune_by_noise_rate, prune_by_class and both)")
        ->capture_default_str();
    cmd->add_option("--num-to-remove-per-class", args->num_to_remove,
                    "per class, in the order of the classes, how many examples to flag: 5,0,1 "
                    "(cleanlab's num_to_remove_per_class; prune_by_noise_rate, prune_by_class and "
                    "both)")
        ->delimiter(',');
    cmd->add_option("--min-examples-per-class", args->options.issues.min_examples_per_class,
                    "a class keeps at least this many examples, and one with no more is not "
                    "pruned (cleanlab's min_examples_per_class)")
        ->capture_default_str();
    cmd->add_option("--out", args->out, "write the issues CSV here and print a summary");
    cmd->add_option("--review", args->review,
                    "also write the flagged examples as a review page (HTML, offline)");
    cmd->add_option("--review-max", args->review_options.max_cards,
                    "flagged examples on the page at most")
        ->capture_default_str();
    cmd->add_option("--image-col", args->review_options.image_col,
                    "review: column of image references (default: the first that holds one)");
    cmd->add_option("--text-col", args->review_options.text_col,
                    "review: column of text to show (default: text)");
    cmd->add_option("--image-root", args->image_root,
                    "review: folder relative image paths start from (default: TABLE's, then the "
                    "current folder)");
    cmd->add_option("--threads", args->threads, "worker threads (default: all cores)");
    cmd->add_flag("--json", args->json, "print one JSON document and nothing else");
    add_apply(*cmd);
    cmd->callback([args, cmd] {
        if (cmd->got_subcommand("apply")) return;
        MLSTRAT_CHECK(!args->table.empty(), "labels needs TABLE (or: labels apply DATA ...)");
        run(*args);
    });
}

}  // namespace mlstrat::cli
