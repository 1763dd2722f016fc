// mlstrat split: train / train-dev / dev / test from the right distributions, or --check of
// splits made elsewhere.

#include <iostream>

#include "commands/commands.hpp"
#include "mlstrat/split.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/support/parse.hpp"
#include "output.hpp"
#include "std_streams.hpp"

namespace mlstrat::cli {

namespace {

struct SplitArgs {
    std::string data;
    std::string out;
    std::string check;
    std::string dev, test, train_dev, target_in_train, eyeball;
    std::vector<std::string> targets;
    split::SplitOptions options;
    std::string expected_error = "5%";
    std::string ci_level = "0.95";
    std::string significance = "0.05";
    unsigned threads = 0;
    bool json = false;
};

void print_report(const split::SplitReport& r, const std::string& where_to) {
    if (r.check_only) {
        std::cout << "checked " << r.input << ": " << thousands(r.input_rows) << " rows\n";
    } else {
        std::cout << "split " << r.input << ": " << thousands(r.input_rows) << " rows, seed "
                  << r.seed << (r.stable ? ", stable hash thresholds" : ", exact counts") << "\n";
        std::cout << "sizes: " << r.sizes.rule << "\n";
    }
    const std::string level = percent(r.ci_level, 0);
    std::vector<std::string> head = {"split", "rows", "share"};
    const bool targets = !r.splits.empty() && r.splits.front().target_rows.has_value();
    if (targets) head.push_back("target rows");
    head.push_back("error " + percent(r.expected_error, 0) + " known within (" + level + ")");
    head.push_back("sha256");
    Table table(head);
    for (const auto& s : r.splits) {
        std::vector<std::string> row = {split::part_name(s.part), thousands(s.rows),
                                        percent(r.input_rows ? double(s.rows) / r.input_rows : 0)};
        if (targets) row.push_back(thousands(s.target_rows.value_or(0)));
        row.push_back(s.error_interval
                          ? percent(s.error_interval->lo) + " to " + percent(s.error_interval->hi)
                          : "");
        row.push_back(s.sha256.substr(0, 12));
        table.add(row);
    }
    std::cout << "\n";
    table.print(std::cout, "  ");

    auto show = [](const split::DistributionCheck& c) {
        std::cout << "  '" << c.column << "': ";
        if (!c.tested) {
            std::cout << "not tested (dev or test is empty, or one value only)\n";
            return;
        }
        std::cout << fmt::format("chi-square {:.4g}, {:g} dof, p = {:.3g} -> {}\n", c.statistic,
                                 c.dof, c.p_value, c.ok ? "same distribution" : "DIFFERENT");
    };
    std::cout << "\ndev vs test distribution\n";
    if (r.label_check) {
        show(*r.label_check);
    } else {
        std::cout << "  no label column (name one with --label-col)\n";
    }
    for (const auto& c : r.slice_checks) show(c);
    std::cout << "\nleakage across splits\n";
    std::cout << "  identical rows: " << thousands(r.leakage.duplicate_rows_across_splits) << "\n";
    if (r.leakage.duplicate_ids_across_splits) {
        std::cout << "  ids: " << thousands(*r.leakage.duplicate_ids_across_splits) << "\n";
    }
    if (r.leakage.groups_across_splits) {
        std::cout << "  groups: " << thousands(*r.leakage.groups_across_splits) << "\n";
    }
    if (r.dev_division) {
        const auto& d = *r.dev_division;
        std::cout << "\ndev divided (" << d.rule << "): " << d.eyeball_file << " "
                  << thousands(d.eyeball_rows) << " rows to look at during error analysis, "
                  << d.blackbox_file << " " << thousands(d.blackbox_rows)
                  << " rows nobody looks at\n";
    }
    for (const auto& w : r.warnings) std::cout << "\nwarning: " << w << "\n";
    if (!where_to.empty()) std::cout << "\nwrote " << where_to << "/manifest.json\n";
}

void run(SplitArgs& a) {
    auto& o = a.options;
    o.table.threads = a.threads;
    o.expected_error = parse_rate(a.expected_error, "--error");
    o.ci_level = parse_rate(a.ci_level, "--ci-level");
    o.significance = parse_rate(a.significance, "--significance");
    for (const auto& t : a.targets) o.targets.push_back(split_assignment(t, "--target"));
    if (!a.dev.empty()) o.dev = parse_count_or_share(a.dev, "--dev");
    if (!a.test.empty()) o.test = parse_count_or_share(a.test, "--test");
    if (!a.train_dev.empty()) o.train_dev = parse_count_or_share(a.train_dev, "--train-dev");
    if (!a.eyeball.empty()) o.eyeball = split::parse_eyeball(a.eyeball);
    if (!a.target_in_train.empty()) {
        MLSTRAT_CHECK(!o.targets.empty(), "--target-in-train needs --target COL=VALUE");
        o.target_in_train = parse_count_or_share(a.target_in_train, "--target-in-train");
    }

    split::SplitReport report;
    if (!a.check.empty()) {
        MLSTRAT_CHECK(a.data.empty() && a.out.empty(),
                      "--check DIR checks existing splits; it takes no DATA and no --out");
        report = split::check_splits(a.check, o);
    } else {
        MLSTRAT_CHECK(!a.data.empty(), "split needs a DATA file (or --check DIR)");
        MLSTRAT_CHECK(!a.out.empty(), "split needs --out DIR, the folder the splits go to");
        o.input_name = shown_inputs(a.data);
        report = split::split_table(a.data, a.out, o);
    }
    if (a.json) {
        print_json(report.to_json());
    } else {
        print_report(report, a.check.empty() ? a.out : "");
    }
}

}  // namespace

void add_split(CLI::App& app) {
    auto args = std::make_shared<SplitArgs>();
    CLI::App* cmd = app.add_subcommand(
        "split",
        "Train / train-dev / dev / test from the right distributions, with exact and "
        "stable sizes, stratification, groups, target data, and leakage checks.");
    cmd->add_option("DATA", args->data,
                    "CSV/TSV (optionally .gz) with a header, one row per example");
    cmd->add_option("--out", args->out, "folder for train/dev/test(.csv|.tsv) and manifest.json");
    cmd->add_option("--dev", args->dev, "dev size: a count (2500) or a share (1%)");
    cmd->add_option("--test", args->test, "test size: a count (2500) or a share (1%)");
    cmd->add_option("--train-dev", args->train_dev,
                    "train-dev size, carved out of train: a count or a share of train");
    cmd->add_option("--eyeball", args->eyeball,
                    "divide dev into eyeball_dev (looked at in error analysis) and blackbox_dev "
                    "(never looked at): a count, a share of dev, or auto (about 100 errors at "
                    "--expected-error: 5% -> 2,000)");
    cmd->add_option("--id-col", args->options.id_col,
                    "column with a stable key per example (default: the row's bytes)");
    cmd->add_option("--stratify", args->options.stratify_col,
                    "keep this column's class proportions in every split");
    cmd->add_option("--group", args->options.group_col,
                    "keep all rows of one value (a user, a patient) in one split");
    cmd->add_option("--target", args->targets,
                    "COL=VALUE: rows the product must do well on; dev and test come only from "
                    "them; repeatable");
    cmd->add_option("--target-in-train", args->target_in_train,
                    "how much target data also goes to train: a count or a share of it");
    cmd->add_option("--label-col", args->options.label_col,
                    "column counted per split and compared between dev and test (default: "
                    "--stratify, else 'label' when present)");
    cmd->add_option("--slice-col", args->options.slice_cols,
                    "also compare dev and test on this column; repeatable");
    cmd->add_flag("--stable", args->options.stable,
                  "cut at fixed hash thresholds: appending rows never moves a row, sizes are "
                  "only near their shares");
    cmd->add_option("--seed", args->options.seed, "seed of the hash order")->capture_default_str();
    cmd->add_option("--error,--expected-error", args->expected_error,
                    "error at which to show the interval each dev/test size buys (and --eyeball "
                    "auto sizes the eyeball set)")
        ->capture_default_str();
    cmd->add_option("--ci-level", args->ci_level, "confidence level of intervals (0.95 or 95%)")
        ->capture_default_str();
    cmd->add_option("--significance", args->significance,
                    "p-value under which dev and test count as different")
        ->capture_default_str();
    cmd->add_option("--check", args->check,
                    "check splits made elsewhere: DIR with train, dev, test (and train_dev)");
    cmd->add_option("--threads", args->threads, "worker threads (default: all cores)");
    cmd->add_flag("--json", args->json, "print one JSON document and nothing else");
    cmd->callback([args] { run(*args); });
}

}  // namespace mlstrat::cli
