// mlstrat transfer: does a model trained on task A help task B's few labels (1.2.3)? Fine-tuned,
// scratch and frozen, each over several seeds, for several numbers of labels per class.

#ifdef MLSTRAT_WITH_TRAIN

#include <iostream>

#include "commands/commands.hpp"
#include "mlstrat/registry.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/train.hpp"
#include "output.hpp"

namespace mlstrat::cli {

namespace {

struct TransferArgs {
    train::TransferStudyRequest request;
    std::string labels = "10,30,100";
    std::string seeds = "1,2,3";
    unsigned threads = 0;
    bool no_frozen = false;
    bool json = false;
    bool quiet = false;
};

void print_study(const train::TransferStudy& s) {
    std::cout << fmt::format("transfer from {}: {} error, mean ± sd over {} seeds\n", s.source,
                             s.split, s.seeds.size());
    std::vector<std::string> head = {"labels/class"};
    for (const auto& arm : train::transfer_arms()) {
        if (!s.sizes.empty() && s.sizes[0].arms.count(arm)) head.push_back(arm);
    }
    head.push_back("gain (scratch - fine-tuned)");
    head.push_back(fmt::format("{:.0f}% interval", s.level * 100));
    Table t(head);
    for (const auto& size : s.sizes) {
        std::vector<std::string> row = {std::to_string(size.labels_per_class)};
        for (std::size_t i = 1; i + 2 < head.size(); ++i) {
            const auto& a = size.arms.at(head[i]);
            row.push_back(percent(a.mean, 1) + " ± " + percent(a.sd, 1));
        }
        row.push_back(percent(size.gain, 1));
        row.push_back(percent(size.gain_interval.lo, 1) + " to " +
                      percent(size.gain_interval.hi, 1));
        t.add(row);
    }
    t.print(std::cout, "  ");
    for (const auto& size : s.sizes) std::cout << size.verdict << "\n";
    std::cout << s.verdict << "\n";
    std::cout << fmt::format(
        "{:.0f} s; every arm is a seed group: mlstrat runs list --group-by "
        "group\n",
        s.seconds);
}

/// "10,30,100": whole numbers >= 1.
std::vector<std::int64_t> parse_sizes(const std::string& text) {
    std::vector<std::int64_t> sizes = train::parse_seeds(text, "--labels-per-class");
    for (const auto n : sizes) {
        MLSTRAT_CHECK(n >= 1, "--labels-per-class: ", n, " is not a number of labels (1 or more)");
    }
    return sizes;
}

void run(TransferArgs& a, CLI::App* cmd) {
    MLSTRAT_CHECK(!a.request.config_path.empty(),
                  "transfer needs task B's CONFIG file (docs/transfer.md)");
    MLSTRAT_CHECK(!a.request.source.empty(),
                  "transfer needs --from, the run trained on task A (docs/transfer.md)");
    a.request.labels_per_class = parse_sizes(a.labels);
    a.request.seeds = train::parse_seeds(a.seeds, "--seeds");
    MLSTRAT_CHECK(a.request.seeds.size() >= 2,
                  "--seeds: give at least two (the interval on the gain comes from their spread)");
    a.request.frozen = !a.no_frozen;
    if (cmd->count("--threads")) a.request.threads = a.threads;
    const auto study = train::transfer_study(a.request, [&](const std::string& run) {
        if (!a.quiet)
            std::cerr << "training " << run << " over " << a.request.seeds.size() << " seeds\n";
    });
    if (a.json) {
        print_json(study.to_json());
    } else {
        print_study(study);
    }
}

}  // namespace

void add_transfer(CLI::App& app) {
    auto args = std::make_shared<TransferArgs>();
    args->request.registry_path = registry::kDefaultPath;
    CLI::App* cmd = app.add_subcommand(
        "transfer",
        "Transfer learning measured over seeds (docs/transfer.md): train task B's CONFIG with few "
        "labels per class fine-tuned from --from, from scratch and on frozen features, and say "
        "whether the gain is larger than the seeds' noise.");
    cmd->add_option("CONFIG", args->request.config_path,
                    "task B's TOML config; its [model] is the source run's");
    cmd->add_option("--from", args->request.source,
                    "the run trained on task A (folder or model.pt)");
    cmd->add_option("--labels-per-class", args->labels, "N1,N2,...: labelled examples per class")
        ->capture_default_str();
    cmd->add_option("--seeds", args->seeds, "S1,S2,...: at least two")->capture_default_str();
    cmd->add_option("--split", args->request.split, "the split the arms are compared on")
        ->capture_default_str();
    cmd->add_option("--set", args->request.overrides, "KEY=VALUE for every run; repeatable");
    cmd->add_option("--name", args->request.name,
                    "runs are NAME-<arm>-<labels>-s<seed>, groups NAME-<arm>-<labels>")
        ->capture_default_str();
    cmd->add_option("--runs", args->request.runs_dir, "folder of run folders")
        ->capture_default_str();
    cmd->add_option("--db", args->request.registry_path, "registry file the runs are added to")
        ->capture_default_str();
    cmd->add_flag("--no-frozen", args->no_frozen, "leave out the frozen-backbone arm");
    cmd->add_flag("--force", args->request.force, "replace existing runs");
    cmd->add_option("--threads", args->threads, "LibTorch threads (default: all cores)");
    cmd->add_flag("--json", args->json, "print one JSON document (the study) on stdout");
    cmd->add_flag("--quiet", args->quiet, "no progress on stderr");
    cmd->callback([args, cmd] { run(*args, cmd); });
}

}  // namespace mlstrat::cli

#endif  // MLSTRAT_WITH_TRAIN
