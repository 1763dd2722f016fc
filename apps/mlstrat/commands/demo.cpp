// mlstrat demo: the course's whole loop on real data (Fashion-MNIST), in one command.
//
// Every step runs a real mlstrat command in the project folder, so the printout is a recipe a user
// can repeat by hand: the command line, then what its numbers mean. The steps follow the notes:
// set the goal (1.1.2), build the first system quickly and let the gaps pick the knob (1.1.3,
// 1.2.1), look at the errors (1.2.1), attack the data mismatch with synthesized data and show the
// caution about a small pool (1.2.2), transfer learning (1.2.3), then the report.

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "commands/commands.hpp"
#include "commands/demo/setup.hpp"
#include "commands/demo/story.hpp"
#include "mlstrat/metrics.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/support/io.hpp"
#include "mlstrat/support/parse.hpp"
#include "mlstrat/support/text_table.hpp"
#include "mlstrat/synth.hpp"
#include "mlstrat/train.hpp"
#include "output.hpp"

namespace mlstrat::cli {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace demo;

struct DemoArgs {
    std::string dir = "mlstrat-demo";
    std::string data = "/usr/share/datasets/fashion-mnist";
    std::string expert = "5%";
    std::string latency_ms = "5";
    std::string size = "full";
    unsigned threads = 0;
    bool force = false;
    bool json = false;
};

std::string pct(double rate) { return percent(rate, 1); }

/// "avoidable_bias" -> "avoidable bias".
std::string words(std::string key) {
    std::replace(key.begin(), key.end(), '_', ' ');
    return key;
}

// ---------------------------------------------------------------------------------------------
// The steps

class Demo {
 public:
    Demo(const DemoArgs& args, Story& story)
        : args_(args), plan_(plan_for(args.size)), dir_(fs::absolute(args.dir)), story_(story),
          runner_(prepare_project(dir_, args.data, args.force), story, args.threads) {}

    json run() {
        goal();
        data();
        iterate();
        error_analysis();
        data_mismatch();
        transfer();
        report();
        summary_["seconds"] = runner_.seconds_total();
        summary_["dir"] = dir_.string();
        return summary_;
    }

 private:
    // The path of a Fashion-MNIST file as the commands (run in the project folder) see it.
    static std::string fashion(const char* file) { return std::string("data/fashion/") + file; }

    // Writes configs/NAME.toml: `comment` on its first line, then every key of `config`.
    void write_config(const std::string& name, const std::string& comment,
                      const train::Config& config) {
        io::write_file_atomically((dir_ / "configs" / (name + ".toml")).string(),
                                  "# " + comment + "\n" + config.to_toml());
    }

    // Trains configs/NAME.toml, then diagnoses it against the project's human levels.
    json train_and_diagnose(const std::string& name) {
        json run =
            runner_.run({"train", "configs/" + name + ".toml", "--name", name}, "train-" + name);
        json d = runner_.run({"diagnose", "--run", name}, "diagnose-" + name);
        const json& e = d["errors"];
        auto err = [&](const char* split) {
            return e.contains(split) && e[split].is_number() ? pct(e[split].get<double>()) : "-";
        };
        story_.say(
            fmt::format("errors: train {}, train-dev {}, dev {}, test {} (Bayes proxy {}: {})",
                        err("train"), err("train_dev"), err("dev"), err("test"),
                        d.value("bayes_proxy_name", ""), pct(number_or(d, "bayes_proxy"))));
        std::vector<std::string> gaps;
        for (const auto& gap : d["ranking"]) {
            std::string key = gap.get<std::string>();
            gaps.push_back(
                fmt::format("{} {}", words(key), pct(number_or(d["gaps"], key.c_str()))));
        }
        const std::string joined = text::join(gaps, ", ");
        std::string focus = d.value("focus", "unclear");
        std::string tactic = d["tactics"].empty() ? "" : d["tactics"][0].get<std::string>();
        story_.say(fmt::format("gaps, largest first: {}. Focus: {}{}.", joined, words(focus),
                               tactic.empty() ? "" : " — " + tactic));
        json entry = {{"errors", e},
                      {"gaps", d["gaps"]},
                      {"focus", focus},
                      {"bayes_proxy", d.value("bayes_proxy", json())},
                      {"noise", d.value("noise", json::array())},
                      {"secondary", d.value("secondary", json::array())},
                      {"latency_ms", run.value("latency_ms", json())},
                      {"examples_per_second", run.value("examples_per_second", json())}};
        summary_["runs"][name] = entry;
        return entry;
    }

    // 1. The goal: one optimizing metric, one satisficing limit, the human levels (1.1.2, 1.1.3).
    void goal() {
        story_.step("Goal: one number to optimize, the rest only has to be good enough (1.1.2)");
        story_.say(fmt::format(
            "Accuracy on the app's images is the optimizing metric; latency per image only has to "
            "stay under {} ms (satisficing). Human level is the Bayes proxy (1.1.3): the "
            "Fashion-MNIST crowd without fashion expertise reached 83.5% accuracy (16.5% error); "
            "an expert does better — here {} (--expert sets it).",
            args_.latency_ms, args_.expert));
        runner_.run(
            {"project", "set", "--human", "crowd=16.5%", "--human", "expert=" + args_.expert,
             "--maximize", "accuracy", "--require", "latency_ms<=" + args_.latency_ms},
            "project");
    }

    // 2. Web and app data, split with option 2 and a train-dev set (1.2.2).
    void data() {
        story_.step("Data: plenty of web images, few from the app, split the way 1.2.2 says");
        std::string images = fashion("train-images-idx3-ubyte.gz");
        std::string labels = fashion("train-labels-idx1-ubyte.gz");
        auto y = read_idx_labels((dir_ / labels).string());
        MLSTRAT_CHECK(static_cast<std::int64_t>(y.size()) >= plan_.web + plan_.app,
                      labels + ": fewer images than the demo needs");
        story_.say(fmt::format(
            "The web pool: {} clean Fashion-MNIST training images. The app pool — what users' "
            "phones will send: {} other images of the same classes, blurred, noisy, low in "
            "contrast "
            "or rotated by mlstrat synth, so no image is in both pools.",
            thousands(plan_.web), thousands(plan_.app)));
        runner_.run({"synth", "images", "--images", images, "--labels", labels, "--rows",
                     fmt::format("{}:{}", plan_.web, plan_.web + plan_.app), "--out", "data/app",
                     "--seed", "11"},
                    "synth-app");
        write_pool(dir_, images, y, plan_.web);
        story_.say(fmt::format(
            "Dev and test come only from the app (aim at the target); {} app images also go to "
            "train, and a train-dev set of {} — same distribution as train, never trained on — "
            "tells variance from data mismatch.",
            thousands(plan_.target_in_train), thousands(plan_.train_dev)));
        json split =
            runner_.run({"split", "data/pool.csv", "--out", "data/split", "--target", "source=app",
                         "--target-in-train", std::to_string(plan_.target_in_train), "--train-dev",
                         std::to_string(plan_.train_dev), "--stratify", "label", "--seed", "1"},
                        "split");
        std::string sizes;
        for (const char* s : {"train", "train_dev", "dev", "test"}) {
            if (split["splits"].contains(s))
                sizes += fmt::format("{}{} {}", sizes.empty() ? "" : ", ", s,
                                     thousands(split["splits"][s].value("rows", 0)));
        }
        story_.say("rows: " + sizes);
        summary_["split"] = split["splits"];
    }

    // 3. A quick baseline, then the knob the gaps point at (1.2.1, 1.1.3).
    void iterate() {
        story_.step(
            "Build the first system quickly, then turn the knob the gaps point at (1.2.1, 1.1.3)");
        write_config("baseline", "A quick baseline: a small fully connected network.",
                     config(split_data(""), mlp_model(), plan_.epochs_baseline));
        json baseline = train_and_diagnose("baseline");
        more_data();
        const std::string focus = baseline["focus"];
        bool bias_secondary = false;
        for (const auto& g : baseline["secondary"]) bias_secondary |= g == "avoidable_bias";
        if (focus == "avoidable_bias") {
            story_.say("Avoidable bias leads: the knob is a bigger model (1.1.3) — a CNN.");
        } else if (bias_secondary) {
            story_.say(fmt::format(
                "Two gaps matter: {} {} and avoidable bias {}. They are separate knobs "
                "(orthogonalization, 1.1.1): a bigger model for the bias — a CNN, now — and error "
                "analysis with data that looks like the app's for the {} (steps 4 and 5).",
                words(focus), pct(number_or(baseline["gaps"], focus.c_str())),
                pct(number_or(baseline["gaps"], "avoidable_bias")), words(focus)));
        } else {
            story_.say("The focus is " + words(focus) +
                       "; a CNN is still the cheapest next step, since a network that sees shapes "
                       "instead of pixels lowers every error after it.");
        }
        write_config("cnn", "A small CNN: the bigger model the baseline's avoidable bias asks for.",
                     config(split_data(""), cnn_model(), plan_.epochs_cnn));
        train_and_diagnose("cnn");
    }

    // Would more of the same data help? A learning curve of the baseline (1.1.3; Machine Learning
    // Yearning ch. 28-32): the baseline at growing training-set sizes, one run each, against the
    // project's Bayes proxy.
    void more_data() {
        story_.say(
            "Would more web images help? Collecting them costs months; a learning curve "
            "answers first: the baseline trained on growing parts of the training set.");
        json curve = runner_.run({"curve", "configs/baseline.toml", "--sizes", plan_.curve_sizes,
                                  "--repeats", "1", "--name", "baseline-curve", "--quiet"},
                                 "curve-baseline");
        std::vector<std::string> points;
        for (const auto& p : curve["points"]) {
            const json& e = p["errors"];
            points.push_back(
                fmt::format("{}: train {}, dev {}", thousands(p["size"].get<std::uint64_t>()),
                            e.contains("train") ? pct(number_or(e["train"], "mean")) : "-",
                            e.contains("dev") ? pct(number_or(e["dev"], "mean")) : "-"));
        }
        story_.say("training-set size " + text::join(points, "; ") + ".");
        story_.say(curve["verdict"].value("message", ""));
        summary_["curve"] = {{"points", curve["points"].size()},
                             {"verdict", curve["verdict"]},
                             {"target", curve.value("target", json(nullptr))}};
    }

    // 4. Error analysis of the CNN's dev errors (1.2.1).
    void error_analysis() {
        story_.step("Error analysis: look at the dev errors before choosing what to fix (1.2.1)");
        const std::string pred = "runs/cnn/pred_dev.csv";
        json eval = runner_.run({"eval", pred, "--slice-col", "degradation"}, "eval-dev");
        const json& confusion = eval["confusion"];
        const auto top = metrics::top_confusions(
            confusion["labels"].get<std::vector<std::string>>(),
            confusion["matrix"].get<std::vector<std::vector<std::uint64_t>>>(), 3);
        std::vector<std::string> taken;
        summary_["error_analysis"]["top_confusions"] = json::array();
        for (const auto& c : top) {
            taken.push_back(fmt::format("{} taken for {} ({}×)", c.label, c.pred, c.count));
            summary_["error_analysis"]["top_confusions"].push_back(
                {{"label", c.label}, {"pred", c.pred}, {"count", c.count}});
        }
        double dev_error = number_or(eval, "error");
        story_.say(fmt::format("dev error {}; the top confusions: {}.", pct(dev_error),
                               text::join(taken, "; ")));
        const io::TextTable sheet = review_sheet(pred);
        tally_and_cohorts(pred, sheet, dev_error);
    }

    // The sheet of sampled dev errors, a tag per degradation the dev set holds, filled from
    // synth's record (analysis/sheet_reviewed.csv).
    io::TextTable review_sheet(const std::string& pred) {
        std::set<std::string> kinds;
        const io::TextTable dev =
            io::read_text_table((dir_ / "data" / "split" / "dev.csv").string());
        const std::size_t col = dev.column("kinds");
        for (const auto& row : dev.rows)
            for (auto& kind : synth::split_kinds(row[col])) kinds.insert(std::move(kind));
        runner_.run(
            {"errors", "sample", pred, "--n", std::to_string(plan_.review), "--seed", "1", "--tags",
             text::join({kinds.begin(), kinds.end()}, ","), "--keep-cols",
             "id,degradation,strength,kinds", "--path-col", "image", "--out", "analysis/sheet.csv"},
            "errors-sample");
        // A person would open each image and mark what they see; the demo marks the degradations
        // synth recorded, and leaves `mislabeled` to a person.
        io::TextTable sheet = io::read_text_table((dir_ / "analysis" / "sheet.csv").string());
        const std::size_t applied = sheet.column("kinds");
        // (assign: GCC 12 misreads `= "x"` here as overlapping copies.)
        for (auto& row : sheet.rows)
            for (const auto& kind : synth::split_kinds(row[applied]))
                if (kinds.count(kind) > 0) row[sheet.column(kind)].assign(1, 'x');
        io::write_text_table((dir_ / "analysis" / "sheet_reviewed.csv").string(), sheet);
        return sheet;
    }

    // The tally of the filled sheet, the cohorts that err most, and the likely mislabeled images.
    void tally_and_cohorts(const std::string& pred, const io::TextTable& sheet, double dev_error) {
        story_.say(fmt::format(
            "analysis/sheet.csv holds {} sampled dev errors with a column per tag for a reviewer; "
            "here the tags are filled from synth's record (analysis/sheet_reviewed.csv) and the "
            "tally turns them into ceilings:",
            sheet.rows.size()));
        json tally = runner_.run({"errors", "tally", "analysis/sheet_reviewed.csv", "--error",
                                  fmt::format("{:.6f}", dev_error)},
                                 "errors-tally");
        for (const auto& c : tally["categories"]) {
            story_.say(fmt::format(
                "{}: {} of the errors; fixing all of them takes dev error from {} to {} at best",
                c.value("tag", ""), pct(number_or(c, "share")), pct(dev_error),
                pct(number_or(c, "error_if_fixed"))));
        }
        summary_["error_analysis"]["tally"] = tally["categories"];

        json slices =
            runner_.run({"errors", "slices", pred, "--features", "degradation,strength",
                         "--min-rows", std::to_string(plan_.min_slice_rows), "--top", "3"},
                        "errors-slices");
        const json cohorts = slices.value("cohorts", json::array());
        for (const auto& c : cohorts) {
            story_.say(fmt::format("cohort {}: {} rows, error {}, {} of all dev errors",
                                   c.value("condition", ""), c.value("rows", 0),
                                   pct(number_or(c, "error")), pct(number_or(c, "error_share"))));
        }
        if (cohorts.empty())
            story_.say("no cohort of these rows errs significantly more than the rest");
        summary_["error_analysis"]["cohorts"] = cohorts;

        json issues = runner_.run(
            {"labels", pred, "--prob-cols", "p_*", "--label-col", "label", "--id-col", "id",
             "--out", "analysis/label_issues.csv", "--review", "analysis/labels_review.html"},
            "labels");
        std::size_t flagged = issues.value("issues", json::array()).size();
        story_.say(fmt::format(
            "confident learning flags {} dev images as likely mislabeled "
            "(analysis/label_issues.csv), the least confident first. On degraded images many are "
            "hard rather than wrong: a person checks them, and if fixing is worth it (errors "
            "tally's mislabeled column), fixes dev and test together (1.2.1).",
            flagged));
        summary_["error_analysis"]["label_issues"] = flagged;
        review_pages(dev_error);
    }

    // The pages a person does the same review on, by eye (1.2.1).
    void review_pages(double dev_error) {
        runner_.run({"errors", "review", "analysis/sheet.csv", "--error",
                     fmt::format("{:.6f}", dev_error), "--out", "analysis/review.html"},
                    "errors-review");
        const fs::path errors_page = dir_ / "analysis" / "review.html";
        const fs::path labels_page = dir_ / "analysis" / "labels_review.html";
        story_.say(fmt::format(
            "The same review by eye: open file://{} in a browser (it works offline) — a card per "
            "sampled error with its image, a checkbox per tag (keys 1-9, m for mislabeled, j/k to "
            "move), a live tally; Export downloads the filled sheet for mlstrat errors tally. "
            "file://{} shows the flagged labels for a verdict each; its export goes to mlstrat "
            "labels apply, for dev and test alike.",
            errors_page.string(), labels_page.string()));
        summary_["error_analysis"]["review_pages"] = {errors_page.string(), labels_page.string()};
    }

    // 5. Close the data mismatch with synthesized data, and the small-pool caution (1.2.2).
    void data_mismatch() {
        story_.step("Data mismatch: make training data look like app data (1.2.2)");
        std::string images = fashion("train-images-idx3-ubyte.gz");
        std::string labels = fashion("train-labels-idx1-ubyte.gz");
        auto synthesized = [&](const std::string& name, const std::vector<std::string>& extra) {
            std::vector<std::string> args = {
                "synth",    "images",       "--images", images,
                "--labels", labels,         "--rows",   fmt::format("0:{}", plan_.synth),
                "--out",    "data/" + name, "--seed",   "21"};
            args.insert(args.end(), extra.begin(), extra.end());
            json result = runner_.run(args, "synth-" + name);
            write_train_with_synthesized(dir_, name);
            return result;
        };
        story_.say(fmt::format(
            "{} web training images get degradations drawn from the whole range the app shows and "
            "join the training set:",
            thousands(plan_.synth)));
        synthesized("synth", {});
        write_config("cnn_synth", "The CNN with synthesized app-like images added to train.",
                     config(split_data("../data/train_synth.csv"), cnn_model(), plan_.epochs_cnn));
        json full = train_and_diagnose("cnn_synth");
        story_.say(fmt::format(
            "The caution of 1.2.2: the same number of images degraded with only {} distinct "
            "settings (like one hour of car noise for 10,000 hours of speech) — to a person they "
            "look as varied, but the model can overfit that small pool:",
            plan_.small_pool));
        json small = synthesized("pool", {"--pool", std::to_string(plan_.small_pool)});
        for (const auto& w : small.value("warnings", json::array()))
            story_.say("synth warns: " + w.get<std::string>());
        write_config("cnn_pool", "The CNN with app-like images from a small pool of degradations.",
                     config(split_data("../data/train_pool.csv"), cnn_model(), plan_.epochs_cnn));
        json pool = train_and_diagnose("cnn_pool");
        const json& before = summary_["runs"]["cnn"];
        auto dev = [](const json& r) { return number_or(r["errors"], "dev"); };
        auto mismatch = [](const json& r) { return number_or(r["gaps"], "data_mismatch"); };
        story_.say(
            fmt::format("dev error: CNN {} → with synthesized data {} (full range) and {} ({} "
                        "settings); the data "
                        "mismatch gap {} → {} and {}.",
                        pct(dev(before)), pct(dev(full)), pct(dev(pool)), plan_.small_pool,
                        pct(mismatch(before)), pct(mismatch(full)), pct(mismatch(pool))));
    }

    // 6. Transfer learning on the course's scenario (1.2.3): task A is the plentiful web images,
    // task B the app images with few labels; the study (mlstrat transfer) runs every arm over
    // several seeds and says whether the gain is larger than their noise.
    void transfer() {
        story_.step("Transfer learning: from the web images to a few labelled app images (1.2.3)");
        // Task A: the web rows of train; task B: its app rows, few of them labelled per class;
        // both compared on a sample of the app dev set.
        const TransferRows rows = write_transfer_tables(dir_, plan_.transfer_dev);
        write_config(
            "web", "Task A: the CNN on the web images alone.",
            config(transfer_data("../data/web_train.csv"), cnn_model(), plan_.pretrain_epochs));
        write_config(
            "app_few",
            "Task B: the app images, few labels per class (the study sets data.per_class "
            "and the seeds).",
            config(transfer_data("../data/app_train.csv"), cnn_model(), plan_.finetune_epochs, 32));
        auto spaced = [](std::string list) {  // "10,30,100" -> "10, 30, 100"
            for (auto at = list.find(','); at != std::string::npos; at = list.find(',', at + 2))
                list.replace(at, 1, ", ");
            return list;
        };
        story_.say(fmt::format(
            "The notes' conditions for transfer from A to B: the same input, far more data for A, "
            "and A's low-level features useful for B. Task A: the {} web images of train; task B: "
            "its {} app images, of which only {} per class are labelled. Every number is a mean "
            "over seeds {} (each seed also draws which images are labelled), compared on {} app "
            "dev images; the runs go to their own registry, transfer.db, since they are scored on "
            "a sample of dev.",
            thousands(rows.web), thousands(rows.app), spaced(plan_.transfer_labels),
            spaced(plan_.transfer_seeds), thousands(rows.dev)));
        json pre = runner_.run(
            {"train", "configs/web.toml", "--name", "web", "--db", "transfer.db"}, "train-web");
        std::vector<std::string> args = {
            "transfer",   "configs/app_few.toml", "--from",
            "runs/web",   "--labels-per-class",   plan_.transfer_labels,
            "--seeds",    plan_.transfer_seeds,   "--db",
            "transfer.db"};
        if (args_.threads > 0) {
            args.push_back("--threads");
            args.push_back(std::to_string(args_.threads));
        }
        json study = runner_.run(args, "transfer");
        story_.say(fmt::format("the web model alone, never shown an app label: app dev error {}.",
                               pct(number_or(pre["errors"], "dev"))));
        for (const auto& size : study["sizes"]) story_.say(size.value("verdict", ""));
        story_.say(study.value("verdict", "") +
                   " The frozen arm keeps every web-trained layer and solves only the head: it "
                   "shows how much of task B the web features already separate.");
        summary_["transfer"] = study;
        summary_["transfer"]["web_dev_error"] = number_or(pre["errors"], "dev");
    }

    // 7. The report a team lead would forward.
    void report() {
        story_.step("Report");
        json report = runner_.run(
            {"report", "--out", "report.html", "--pred", "runs/cnn/pred_dev.csv", "--slice-col",
             "degradation", "--sheet", "analysis/sheet_reviewed.csv", "--error",
             fmt::format("{:.6f}", number_or(summary_["runs"]["cnn"]["errors"], "dev"))},
            "report");
        story_.say(
            fmt::format("{} — open it in a browser (it works offline). Every run is in "
                        "mlstrat.db: `mlstrat runs list --db {}` lists them.",
                        (dir_ / "report.html").string(), (dir_ / "mlstrat.db").string()));
        summary_["report"] = (dir_ / "report.html").string();
        (void)report;
    }

    DemoArgs args_;
    Plan plan_;
    fs::path dir_;
    Story& story_;
    Runner runner_;
    json summary_ = json::object();
};

void run(const DemoArgs& args) {
    MLSTRAT_CHECK(args.size == "full" || args.size == "quick",
                  "--size must be full or quick, got '" + args.size + "'");
    parse_rate(args.expert, "--expert");
    parse_number(args.latency_ms, "--latency-ms");
    for (const char* file : kFashionFiles) {
        fs::path path = fs::path(args.data) / file;
        MLSTRAT_CHECK(fs::exists(path), path.string() +
                                            ": Fashion-MNIST not found; scripts/bootstrap installs "
                                            "Debian's dataset-fashion-mnist (or give --data DIR)");
    }
    Story story(args.json);
    auto start = std::chrono::steady_clock::now();
    Demo demo(args, story);
    json summary = demo.run();
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    summary["wall_seconds"] = seconds;
    if (args.json) {
        print_json(summary);
    } else {
        std::cout << fmt::format("\nDone in {:.0f} s. The project is in {}.\n", seconds,
                                 summary["dir"].get<std::string>());
    }
}

}  // namespace

void add_demo(CLI::App& app) {
    auto args = std::make_shared<DemoArgs>();
    auto* cmd = app.add_subcommand(
        "demo",
        "The course's whole loop on Fashion-MNIST in one command: goal, splits, baseline, "
        "diagnosis, "
        "error analysis, synthesized data for the data mismatch, transfer learning, report.");
    cmd->add_option("--dir", args->dir, "the project folder to create (default mlstrat-demo)");
    cmd->add_option("--data", args->data, "the folder of Fashion-MNIST's IDX files")
        ->capture_default_str();
    cmd->add_option("--expert", args->expert, "expert-level error, the Bayes proxy (default 5%)");
    cmd->add_option("--latency-ms", args->latency_ms,
                    "satisficing limit on latency per image in ms (default 5)");
    cmd->add_option("--size", args->size,
                    "full (the README's demo) or quick (every step, tiny data)");
    cmd->add_flag_callback(
        "--quick", [args] { args->size = "quick"; }, "the same as --size quick");
    cmd->add_option("--threads", args->threads, "training threads (default: every core)");
    cmd->add_flag("--force", args->force, "replace the project folder if it exists");
    cmd->add_flag("--json", args->json, "print only a JSON summary of every step's numbers");
    cmd->callback([args] { run(*args); });
}

}  // namespace mlstrat::cli
