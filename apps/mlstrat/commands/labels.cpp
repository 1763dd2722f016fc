// mlstrat labels: likely incorrectly labeled examples by confident learning (1.2.1, cleaning up
// incorrectly labeled data), ranked by self-confidence.

#include <iostream>
#include <memory>

#include "commands/commands.hpp"
#include "mlstrat/analysis.hpp"
#include "mlstrat/error.hpp"
#include "mlstrat/io.hpp"
#include "output.hpp"

namespace mlstrat::cli {

namespace {

struct LabelsArgs {
    std::string table;
    analysis::LabelOptions options;
    std::string classes;
    std::string out;
    unsigned threads = 0;
    bool json = false;
};

void print_summary(const analysis::LabelReport& r, const std::string& out) {
    std::cout << "rows " << thousands(r.rows) << ", likely label errors " << thousands(r.issues.size())
              << " (" << percent(r.rows ? static_cast<double>(r.issues.size()) / r.rows : 0.0)
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
    auto r = analysis::find_label_issues(a.table, a.options);
    if (!a.out.empty()) {
        io::AtomicFile file(a.out);
        r.write_issues_csv([&](std::string_view piece) { file.write(piece); });
        file.commit();
    }
    if (a.json) {
        print_json(r.to_json());
    } else if (a.out.empty()) {
        r.write_issues_csv([](std::string_view piece) { std::cout << piece; });
    } else {
        print_summary(r, a.out);
    }
}

}  // namespace

void add_labels(CLI::App& app) {
    auto args = std::make_shared<LabelsArgs>();
    CLI::App* cmd = app.add_subcommand(
        "labels", "Find likely incorrectly labeled examples by confident learning (the examples "
                  "cleanlab's find_label_issues flags), ranked by self-confidence.");
    cmd->add_option("TABLE", args->table,
                    "CSV/TSV (optionally .gz) with the given labels (and the probabilities)")
        ->required();
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
    cmd->add_option("--out", args->out, "write the issues CSV here and print a summary");
    cmd->add_option("--threads", args->threads, "worker threads (default: all cores)");
    cmd->add_flag("--json", args->json, "print one JSON document and nothing else");
    cmd->callback([args] { run(*args); });
}

}  // namespace mlstrat::cli
