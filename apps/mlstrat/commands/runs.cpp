// mlstrat runs add/list/show/rm/restore/purge/tag/log/finish/predictions/export: the experiments
// kept in the run registry.

#include <iostream>

#include "commands/commands.hpp"
#include "commands/runs/table.hpp"
#include "mlstrat/registry.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/support/io.hpp"
#include "mlstrat/support/parse.hpp"
#include "output.hpp"
#include "std_streams.hpp"

namespace mlstrat::cli {

namespace {

struct RunsArgs {
    std::string db = registry::kDefaultPath;
    bool json = false;
    bool csv = false;
    std::string name;
    // add
    std::string train, train_dev, dev, test, train_target, human_target;
    std::vector<std::string> errors, sizes, metrics, params, tags;
    std::string kind = "manual";
    std::string config_file;
    std::string notes;
    std::string group;
    bool replace = false;
    // list
    std::vector<std::string> where;
    std::string sort;
    std::vector<std::string> columns;
    std::size_t limit = 0;
    bool all = false;
    std::string group_by;
    // log, finish, predictions, export
    std::optional<std::int64_t> step;
    bool failed = false;
    std::string split;
    std::string file;
    std::string out;
};

void add(const RunsArgs& a) {
    registry::Run run;
    run.name = a.name;
    run.kind = a.kind;
    run.notes = a.notes;
    run.group = a.group;
    if (!a.config_file.empty()) {
        run.config = io::read_file(a.config_file);
        run.params = registry::flatten_config(run.config, a.config_file);
    }
    auto error = [&](const std::string& text, const std::string& split) {
        if (!text.empty()) run.errors[split] = parse_rate(text, "--" + split);
    };
    error(a.train, "train");
    error(a.train_dev, "train_dev");
    error(a.dev, "dev");
    error(a.test, "test");
    error(a.train_target, "train_target");
    error(a.human_target, "human_target");
    for (const auto& text : a.errors) {
        auto [split, value] = split_assignment(text, "--error");
        run.errors[split] = parse_rate(value, "--error " + split);
    }
    for (const auto& text : a.sizes) {
        auto [split, value] = split_assignment(text, "--size");
        run.sizes[split] = parse_rows(value, "--size " + split);
    }
    for (const auto& text : a.metrics) {
        const auto m = registry::parse_metric_value(text);
        if (m.split.empty()) {
            run.metrics[m.metric] = m.value;
        } else {
            run.split_metrics[m.split][m.metric] = m.value;
        }
    }
    const auto entry = registry::parse_log({}, a.params, a.tags, std::nullopt);
    for (const auto& [k, v] : entry.params) run.params[k] = v;
    run.tags = entry.tags;
    auto registry = registry::Registry::open(a.db);
    registry.add_run(run, a.replace);
    auto stored = registry.find_run(run.name);
    if (a.json) {
        print_json(stored->to_json(), Numbers::Stored);
    } else {
        std::cout << "added run '" << run.name << "' to " << a.db << "\n";
    }
}

registry::Run find(const RunsArgs& a, registry::Registry& registry) {
    auto run = registry.find_run(a.name);
    MLSTRAT_CHECK(run.has_value(), a.db, ": no run is called '", a.name,
                  "' (mlstrat runs list shows the runs)");
    return *run;
}

void list(const RunsArgs& a) {
    MLSTRAT_CHECK(!(a.json && a.csv), "--json and --csv: give one of them");
    auto registry = registry::Registry::open(a.db);
    auto query = registry::parse_query(a.where, a.sort, a.limit);
    query.include_deleted = query.include_deleted || a.all;
    const auto runs = registry.query(query);
    std::vector<registry::Key> columns;
    for (const auto& text : a.columns) columns.push_back(registry::parse_key(text));
    if (columns.empty()) columns = registry::default_columns(runs);
    const auto format = a.json  ? OutputFormat::Json
                        : a.csv ? OutputFormat::Csv
                                : OutputFormat::Table;
    if (!a.group_by.empty()) {
        MLSTRAT_CHECK(a.group_by == "group", "--group-by: '", a.group_by,
                      "' is not a grouping (runs group by their seed group: --group-by group)");
        print_groups(registry::summarize_groups(runs, columns), columns, format);
        return;
    }
    print_runs(runs, columns, format);
}

// Prints what a change did: {"run": NAME, KEY: VALUE} or one line.
void done(const RunsArgs& a, const std::string& key, const nlohmann::json& value,
          const std::string& line) {
    if (a.json) {
        print_json({{"run", a.name}, {key, value}}, Numbers::Stored);
    } else {
        std::cout << line << "\n";
    }
}

void log(const RunsArgs& a) {
    const auto entry = registry::parse_log(a.metrics, a.params, a.tags, a.step);
    auto registry = registry::Registry::open(a.db);
    registry.log(a.name, entry);
    if (!a.group.empty()) registry.set_group(a.name, a.group);
    if (a.json) {
        print_json(registry.find_run(a.name)->to_json(), Numbers::Stored);
    } else {
        std::cout << "logged " << entry.metrics.size() << " metric"
                  << (entry.metrics.size() == 1 ? "" : "s")
                  << (a.step ? " at step " + std::to_string(*a.step) : std::string()) << " to run '"
                  << a.name << "'\n";
    }
}

void add_change_commands(CLI::App* cmd, const std::shared_ptr<RunsArgs>& args,
                         const std::function<void(CLI::App*)>& common) {
    CLI::App* rm = cmd->add_subcommand("rm", "Move a run to the deleted ones (runs restore).");
    rm->add_option("NAME", args->name, "the run's name")->required();
    common(rm);
    rm->callback([args] {
        auto registry = registry::Registry::open(args->db);
        MLSTRAT_CHECK(registry.remove_run(args->name), args->db, ": no run is called '", args->name,
                      "' (mlstrat runs list shows the runs)");
        done(*args, "status", "deleted",
             "deleted run '" + args->name + "' (runs restore brings it back)");
    });

    CLI::App* restore = cmd->add_subcommand("restore", "Bring a deleted run back.");
    restore->add_option("NAME", args->name, "the run's name")->required();
    common(restore);
    restore->callback([args] {
        auto registry = registry::Registry::open(args->db);
        MLSTRAT_CHECK(registry.restore_run(args->name), args->db, ": no deleted run is called '",
                      args->name, "' (mlstrat runs list --where status=deleted shows them)");
        done(*args, "status", "finished", "restored run '" + args->name + "'");
    });

    CLI::App* purge = cmd->add_subcommand("purge", "Remove the deleted runs for good.");
    common(purge);
    purge->callback([args] {
        const auto n = registry::Registry::open(args->db).purge();
        if (args->json) {
            print_json({{"purged", n}});
        } else {
            std::cout << "purged " << n << " deleted run" << (n == 1 ? "" : "s") << "\n";
        }
    });

    CLI::App* tag = cmd->add_subcommand("tag", "Set tags of a run: runs tag NAME owner=ana.");
    tag->add_option("NAME", args->name, "the run's name")->required();
    tag->add_option("TAGS", args->tags, "KEY=VALUE; several may follow")->required();
    common(tag);
    tag->callback([args] {
        const auto entry = registry::parse_log({}, {}, args->tags, std::nullopt);
        registry::Registry::open(args->db).set_tags(args->name, entry.tags);
        done(*args, "tags", entry.tags, "tagged run '" + args->name + "'");
    });

    CLI::App* finish = cmd->add_subcommand("finish", "Mark a logged run finished (or failed).");
    finish->add_option("NAME", args->name, "the run's name")->required();
    finish->add_flag("--failed", args->failed, "the run failed");
    common(finish);
    finish->callback([args] {
        const auto status = args->failed ? registry::Status::Failed : registry::Status::Finished;
        registry::Registry::open(args->db).set_status(args->name, status);
        done(*args, "status", registry::status_name(status),
             "run '" + args->name + "' " + registry::status_name(status));
    });

    CLI::App* pred = cmd->add_subcommand(
        "predictions", "Attach a predictions file (id, label, pred) to one split of a run.");
    pred->add_option("NAME", args->name, "the run's name")->required();
    pred->add_option("FILE", args->file, "CSV/TSV with id, label and pred columns")->required();
    pred->add_option("--split", args->split, "the split the file predicts")->required();
    common(pred);
    pred->callback([args] {
        MLSTRAT_CHECK(std::filesystem::exists(args->file), args->file, ": no such file");
        MLSTRAT_CHECK(!is_input_copy(args->file), args->file,
                      ": the registry keeps the predictions file's path, and standard input or a "
                      "pipe has none; write the predictions to a file and attach that");
        const std::string path = std::filesystem::absolute(args->file).lexically_normal().string();
        registry::Registry::open(args->db).attach_predictions(args->name, args->split, path);
        done(
            *args, "predictions", {{args->split, path}},
            "attached " + path + " as the " + args->split + " predictions of '" + args->name + "'");
    });
}

}  // namespace

void add_runs(CLI::App& app) {
    auto args = std::make_shared<RunsArgs>();
    CLI::App* cmd = app.add_subcommand(
        "runs",
        "The run registry: every experiment's metrics per split, parameters, curves and tags.");
    cmd->require_subcommand(1);
    std::function<void(CLI::App*)> common = [args](CLI::App* sub) {
        sub->add_option("--db", args->db, "run registry file")->capture_default_str();
        sub->add_flag("--json", args->json, "print one JSON document and nothing else");
    };

    CLI::App* add_cmd = cmd->add_subcommand("add", "Register a run with the errors you measured.");
    add_cmd->add_option("NAME", args->name, "the run's name")->required();
    add_cmd->add_option("--train", args->train, "training error (8% or 0.08)");
    add_cmd->add_option("--train-dev", args->train_dev, "train-dev error");
    add_cmd->add_option("--dev", args->dev, "dev error");
    add_cmd->add_option("--test", args->test, "test error");
    add_cmd->add_option("--train-target", args->train_target,
                        "error on target-distribution data trained on");
    add_cmd->add_option("--human-target", args->human_target,
                        "human error on target-distribution data");
    add_cmd->add_option("--error", args->errors, "SPLIT=RATE: the error of any split; repeatable");
    add_cmd->add_option("--size", args->sizes,
                        "SPLIT=ROWS: rows an error was measured on; repeatable");
    add_cmd->add_option("--metric", args->metrics,
                        "SPLIT.METRIC=VALUE (dev.macro_f1=0.8) or METRIC=VALUE for a number of "
                        "no split (latency_ms=80); repeatable");
    add_cmd->add_option("--param", args->params, "KEY=VALUE (optim.lr=0.001); repeatable");
    add_cmd->add_option("--tag", args->tags, "KEY=VALUE (owner=ana); repeatable");
    add_cmd->add_option("--group", args->group, "the seed group the run belongs to");
    add_cmd->add_option("--kind", args->kind, "train, manual, eval, tune...")
        ->capture_default_str();
    add_cmd->add_option("--config", args->config_file,
                        "TOML file kept as the run's config; its keys become parameters");
    add_cmd->add_option("--notes", args->notes, "free text");
    add_cmd->add_flag("--replace", args->replace,
                      "overwrite the values given in a run of the same name (others stay)");
    common(add_cmd);
    add_cmd->callback([args] { add(*args); });

    CLI::App* list_cmd = cmd->add_subcommand(
        "list", "List the runs: filter, sort and pick columns like a table (oldest first).");
    list_cmd->add_option("--where", args->where,
                         "KEY OP VALUE: dev.error<0.1, param.optim.lr>=1e-3, tag.owner=ana, "
                         "name~resnet*; OP one of < <= = != >= > ~; repeatable (all must hold)");
    list_cmd->add_option("--sort", args->sort,
                         "KEY to sort by, lowest first; -KEY for highest first. A bare metric "
                         "(error, accuracy) is its dev value");
    list_cmd->add_option("--columns", args->columns, "KEY,... to show")->delimiter(',');
    list_cmd->add_option("--limit", args->limit, "at most N runs");
    list_cmd->add_flag("--csv", args->csv, "print CSV");
    list_cmd->add_flag("--all", args->all, "include deleted runs");
    list_cmd->add_option("--group-by", args->group_by,
                         "group: one row per seed group, each number's mean and interval over "
                         "its seeds");
    common(list_cmd);
    list_cmd->callback([args] { list(*args); });

    CLI::App* show = cmd->add_subcommand("show", "Show one run.");
    show->add_option("NAME", args->name, "the run's name")->required();
    common(show);
    show->callback([args] {
        auto registry = registry::Registry::open(args->db);
        auto run = find(*args, registry);
        if (args->json) {
            print_json(run.to_json(), Numbers::Stored);
        } else {
            print_run(run);
        }
    });

    CLI::App* log_cmd = cmd->add_subcommand(
        "log", "Log a training loop: creates the run (status running) or appends to it.");
    log_cmd->add_option("NAME", args->name, "the run's name")->required();
    log_cmd->add_option("--step", args->step, "the step or epoch the metrics belong to");
    log_cmd->add_option("--metric", args->metrics,
                        "SPLIT.METRIC=VALUE (dev.error=0.21) or METRIC=VALUE (lr=0.01); "
                        "repeatable");
    log_cmd->add_option("--param", args->params, "KEY=VALUE (optim.lr=0.001); repeatable");
    log_cmd->add_option("--tag", args->tags, "KEY=VALUE; repeatable");
    log_cmd->add_option("--group", args->group, "the seed group the run belongs to");
    common(log_cmd);
    log_cmd->callback([args] { log(*args); });

    add_change_commands(cmd, args, common);
    add_runs_compare(cmd);

    CLI::App* export_cmd =
        cmd->add_subcommand("export", "Every run with every key, as CSV (deleted runs left out).");
    export_cmd->add_flag("--csv", args->csv, "CSV (the one format)")->required();
    export_cmd->add_option("--out", args->out, "file to write (else stdout)");
    export_cmd->add_option("--db", args->db, "run registry file")->capture_default_str();
    export_cmd->callback([args] {
        const auto runs = registry::Registry::open(args->db).runs();
        const std::string text = registry::runs_csv(runs, registry::all_columns(runs));
        if (args->out.empty()) {
            std::cout << text;
        } else {
            io::write_file_atomically(args->out, text);
            std::cout << "wrote " << runs.size() << " runs to " << args->out << "\n";
        }
    });
}

}  // namespace mlstrat::cli
