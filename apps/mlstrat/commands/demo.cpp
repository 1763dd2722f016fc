// mlstrat demo: the course's whole loop on real data (Fashion-MNIST), in one command.
//
// Every step runs a real mlstrat command in the project folder, so the printout is a recipe a user
// can repeat by hand: the command line, then what its numbers mean. The steps follow the notes:
// set the goal (1.1.2), build the first system quickly and let the gaps pick the knob (1.1.3,
// 1.2.1), look at the errors (1.2.1), attack the data mismatch with synthesized data and show the
// caution about a small pool (1.2.2), transfer learning (1.2.3), then the report.

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "commands/commands.hpp"
#include "mlstrat/error.hpp"
#include "mlstrat/io.hpp"
#include "mlstrat/parse.hpp"
#include "output.hpp"
#include "self.hpp"

namespace mlstrat::cli {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::vector<std::string> kClasses = {"T-shirt", "Trouser", "Pullover", "Dress", "Coat",
                                           "Sandal",  "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

const char* const kFashionFiles[] = {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                                     "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"};

/// How much data and training each step gets. `full` is the README's demo (under 10 minutes on
/// two cores); `quick` exercises every step in well under a minute, for tests.
struct Plan {
    std::int64_t web = 0;              // clean "web" images: train images [0, web)
    std::int64_t app = 0;              // "app" images synthesized from train images [web, web + app)
    std::int64_t target_in_train = 0;  // app images that go to train (option 2 of the notes)
    std::int64_t train_dev = 0;
    std::int64_t synth = 0;            // web images degraded to look like app images
    std::int64_t small_pool = 0;       // distinct degradations of the small-pool run
    std::int64_t epochs_baseline = 0;
    std::int64_t epochs_cnn = 0;
    std::int64_t pretrain_epochs = 0;  // epochs of the web-only CNN the transfer starts from
    std::int64_t finetune_epochs = 0;  // epochs of each transfer-study run on the app labels
    std::int64_t review = 0;           // errors in the review sheet
    std::int64_t min_slice_rows = 0;
    const char* transfer_labels = "";  // labels per class of the transfer study
    const char* transfer_seeds = "";
    std::int64_t transfer_dev = 0;  // app dev images the transfer study compares on
    const char* curve_sizes = "";   // training-set sizes of the baseline's learning curve
};

Plan plan_for(const std::string& size) {
    if (size == "quick")
        return {3000, 2000, 400, 300, 1500, 3, 1, 1, 1, 3, 40, 50, "5,20", "1,2", 300,
                "250,500,1000,all"};
    if (size == "full")
        return {40000, 20000, 4000, 4000, 20000,       3,       2,   2,
                2,     10,    100,  200,  "10,30,100", "1,2,3", 2000, "2500,5000,10000,20000,all"};
    throw Error("--size must be full or quick, got '" + size + "'");
}

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

double number_or(const json& j, const char* key, double fallback = 0.0) {
    auto it = j.find(key);
    return it != j.end() && it->is_number() ? it->get<double>() : fallback;
}

/// Prints the story: numbered steps, wrapped paragraphs, and the commands as a user would type
/// them.
class Story {
 public:
    explicit Story(bool quiet) : quiet_(quiet) {}
    void step(const std::string& title) {
        ++step_;
        if (!quiet_) std::cout << fmt::format("\n{}. {}\n", step_, title) << std::flush;
    }
    void say(const std::string& text) {
        if (quiet_) return;
        std::istringstream words(text);
        std::string word, line = "   ";
        while (words >> word) {
            if (line.size() + word.size() + 1 > 99 && line.size() > 3) {
                std::cout << line << "\n";
                line = "   ";
            }
            line += (line.size() > 3 ? " " : "") + word;
        }
        if (line.size() > 3) std::cout << line << "\n";
        std::cout << std::flush;
    }
    void command(const std::vector<std::string>& args) {
        if (quiet_) return;
        std::string line = "   $ mlstrat";
        for (const auto& a : args) {
            if (a == "--json") continue;
            bool plain = !a.empty() && a.find_first_of(" *?'\"<>|;&$") == std::string::npos;
            line += " " + (plain ? a : "'" + a + "'");
        }
        std::cout << line << "\n" << std::flush;
    }
    void raw(const std::string& text) {
        if (!quiet_) std::cout << text << std::flush;
    }
    bool quiet() const { return quiet_; }

 private:
    bool quiet_;
    int step_ = 0;
};

/// Runs mlstrat commands in the project folder: stdout captured (they are run with --json),
/// stderr kept in logs/NN-what.log. On a terminal, a training step shows one live progress line
/// read from the JSON-lines progress the engine writes when stderr is not a terminal.
class Runner {
 public:
    Runner(fs::path dir, Story& story, unsigned threads)
        : dir_(std::move(dir)), story_(story), threads_(threads),
          self_(self_executable()), tty_(isatty(STDOUT_FILENO) != 0 && !story.quiet()) {
        MLSTRAT_CHECK(!self_.empty(), "cannot find the mlstrat executable (/proc/self/exe)");
        fs::create_directories(dir_ / "logs");
    }

    /// Runs `mlstrat args...` with --json and returns the parsed output.
    json run(std::vector<std::string> args, const std::string& what) {
        if (threads_ > 0 && (args[0] == "train" || args[0] == "curve")) {
            args.push_back("--threads");
            args.push_back(std::to_string(threads_));
        }
        story_.command(args);
        args.push_back("--json");
        std::string out = execute(args, what, args[0] == "train");
        try {
            return json::parse(out);
        } catch (const json::exception&) {
            throw Error(ErrorCode::Internal,
                        "demo step '" + what + "': mlstrat " + args[0] + " printed no JSON");
        }
    }

    double seconds_total() const { return total_; }

 private:
    std::string execute(const std::vector<std::string>& args, const std::string& what,
                        bool training) {
        ++count_;
        fs::path log = dir_ / "logs" / fmt::format("{:02d}-{}.log", count_, what);
        int out_pipe[2];
        MLSTRAT_CHECK(pipe(out_pipe) == 0, "cannot create a pipe for a demo step");
        auto start = std::chrono::steady_clock::now();
        pid_t pid = fork();
        MLSTRAT_CHECK(pid >= 0, "cannot start a demo step (fork failed)");
        if (pid == 0) {
            int err = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
            if (err < 0 || chdir(dir_.c_str()) != 0) _exit(127);
            dup2(out_pipe[1], STDOUT_FILENO);
            dup2(err, STDERR_FILENO);
            close(out_pipe[0]);
            close(out_pipe[1]);
            std::vector<char*> argv;
            std::string name = "mlstrat";
            argv.push_back(name.data());
            for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
            argv.push_back(nullptr);
            execv(self_.c_str(), argv.data());
            _exit(127);
        }
        close(out_pipe[1]);
        std::string out;
        char buffer[65536];
        pollfd pfd{out_pipe[0], POLLIN, 0};
        std::size_t log_seen = 0;
        std::string progress;
        for (;;) {
            int ready = poll(&pfd, 1, 250);
            if (ready > 0) {
                ssize_t n = read(out_pipe[0], buffer, sizeof buffer);
                if (n <= 0) break;
                out.append(buffer, static_cast<std::size_t>(n));
            }
            if (training && tty_) show_progress(log, log_seen, progress);
        }
        close(out_pipe[0]);
        int status = 0;
        waitpid(pid, &status, 0);
        double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        total_ += seconds;
        if (!progress.empty()) story_.raw("\r" + std::string(progress.size(), ' ') + "\r");
        int code = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
        if (code != 0) {
            std::string message = last_line(log);
            const std::string prefix = "mlstrat: error: ";
            if (message.rfind(prefix, 0) == 0) message = message.substr(prefix.size());
            if (message.empty()) message = "exit status " + std::to_string(code);
            throw Error(code == 2 ? ErrorCode::InvalidInput : ErrorCode::Internal,
                        "demo step '" + what + "' (mlstrat " + args[0] + ", log " +
                            log.string() + "): " + message);
        }
        if (training || seconds >= 1.0) story_.raw(fmt::format("     ({:.1f} s)\n", seconds));
        return out;
    }

    // Shows the newest batch/epoch event of the training log on one line.
    void show_progress(const fs::path& log, std::size_t& seen, std::string& shown) {
        std::error_code ec;
        auto size = fs::file_size(log, ec);
        if (ec || size <= seen) return;
        std::string text = io::read_file(log.string());
        std::size_t end = text.rfind('\n');
        if (end == std::string::npos || end < seen) return;
        std::size_t begin = text.rfind('\n', end == 0 ? 0 : end - 1);
        begin = begin == std::string::npos ? 0 : begin + 1;
        seen = end + 1;
        json event = json::parse(text.substr(begin, end - begin), nullptr, false);
        if (!event.is_object() || !event.contains("epoch")) return;
        std::string line = fmt::format("     epoch {}", event.value("epoch", 0));
        if (event.contains("epochs")) line += fmt::format("/{}", event.value("epochs", 0));
        if (event.contains("batch") && event.contains("batches"))
            line += fmt::format("  batch {}/{}", event.value("batch", 0), event.value("batches", 0));
        if (event.contains("loss")) line += fmt::format("  loss {:.3f}", number_or(event, "loss"));
        if (event.contains("examples_per_second"))
            line += fmt::format("  {:.0f} images/s", number_or(event, "examples_per_second"));
        if (event.contains("eta_seconds"))
            line += fmt::format("  ETA {:.0f} s", number_or(event, "eta_seconds"));
        std::string padded = line;
        if (padded.size() < shown.size()) padded += std::string(shown.size() - padded.size(), ' ');
        story_.raw("\r" + padded);
        shown = line;
    }

    static std::string last_line(const fs::path& log) {
        std::string text;
        try {
            text = io::read_file(log.string());
        } catch (const Error&) {
            return {};
        }
        while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
        std::size_t start = text.rfind('\n');
        return start == std::string::npos ? text : text.substr(start + 1);
    }

    fs::path dir_;
    Story& story_;
    unsigned threads_;
    std::string self_;
    bool tty_;
    int count_ = 0;
    double total_ = 0.0;
};

// ---------------------------------------------------------------------------------------------
// Data

/// The class index of every label of an IDX labels file.
std::vector<std::uint8_t> read_idx_labels(const std::string& path) {
    const io::IdxArray a = io::read_idx(path);
    MLSTRAT_CHECK(a.dims.size() == 1, path, ": not an IDX labels file (one dimension)");
    std::vector<std::uint8_t> labels;
    for (float v : a.values) {
        MLSTRAT_CHECK(v >= 0 && v < static_cast<float>(kClasses.size()),
                      path + ": a label is not a Fashion-MNIST class");
        labels.push_back(static_cast<std::uint8_t>(v));
    }
    return labels;
}

std::string class_name(std::string_view label) {
    auto index = try_parse_number(label);
    if (index && *index >= 0 && *index < static_cast<double>(kClasses.size()))
        return kClasses[static_cast<std::size_t>(*index)];
    return std::string(label);
}

/// Reads a table whole: the header and every row's fields (the demo's tables are small).
struct SmallTable {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    std::size_t column(const std::string& name) const {
        auto it = std::find(header.begin(), header.end(), name);
        MLSTRAT_CHECK(it != header.end(), "demo: a table has no column '" + name + "'");
        return static_cast<std::size_t>(it - header.begin());
    }
};

SmallTable read_table(const fs::path& path) {
    io::TableReader reader(path.string());
    SmallTable table;
    table.header = reader.header();
    std::vector<std::size_t> all(table.header.size());
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
    reader.scan(
        all,
        [&](unsigned, const io::RowBatch& batch) {
            for (std::size_t r = 0; r < batch.size(); ++r) {
                std::vector<std::string> row;
                for (std::size_t c = 0; c < all.size(); ++c) row.emplace_back(batch.cell(r, c));
                table.rows.push_back(std::move(row));
            }
        },
        io::ScanOrder::File);
    return table;
}

void write_table(const fs::path& path, const SmallTable& table) {
    io::AtomicFile file(path.string());
    auto write_row = [&](const std::vector<std::string>& row) {
        std::string line;
        for (std::size_t i = 0; i < row.size(); ++i) {
            if (i > 0) line += ',';
            line += io::quote_field(row[i]);
        }
        file.write(line + "\n");
    };
    write_row(table.header);
    for (const auto& row : table.rows) write_row(row);
    file.commit();
}

/// The rows of a synth output folder (applied.csv) as rows of the pool's columns
/// id,image,label,source,degradation,strength,kinds, with absolute image references.
std::vector<std::vector<std::string>> synth_rows(const fs::path& folder, const std::string& source) {
    SmallTable applied = read_table(folder / "applied.csv");
    std::size_t id = applied.column("id"), image = applied.column("image"),
                label = applied.column("label"), degradation = applied.column("degradation"),
                strength = applied.column("strength"), kinds = applied.column("kinds");
    std::vector<std::vector<std::string>> rows;
    for (const auto& row : applied.rows) {
        rows.push_back({source + "-" + row[id], (folder / row[image]).string(), class_name(row[label]),
                        source, row[degradation], row[strength], row[kinds]});
    }
    return rows;
}

// ---------------------------------------------------------------------------------------------
// Configs

const char* kCnnModel = R"([model]
kind = "cnn"
widths = [32, 64]
batch_norm = true
fc = [128]
dropout = 0.25
)";

const char* kMlpModel = R"([model]
kind = "mlp"
hidden = [128]
)";

std::string split_data(const std::string& train_file) {
    std::string data = "[data]\nformat = \"csv\"\nimage_col = \"image\"\nlabel_col = \"label\"\n"
                       "id_col = \"id\"\n"
                       "keep_cols = [\"image\", \"source\", \"degradation\", \"strength\", \"kinds\"]\n";
    if (train_file.empty()) return data + "split_dir = \"../data/split\"\n";
    return data + "train = \"" + train_file + "\"\ntrain_dev = \"../data/split/train_dev.csv\"\n" +
           "dev = \"../data/split/dev.csv\"\ntest = \"../data/split/test.csv\"\n";
}

std::string config(const std::string& comment, const std::string& data, const std::string& model,
                   std::int64_t epochs, const std::string& extra = "", int batch_size = 64) {
    return fmt::format(
        "# {}\nseed = 1\n\n{}\n{}\n[optim]\nkind = \"adam\"\nlr = 1e-3\n\n[schedule]\nkind = "
        "\"cosine\"\n\n[train]\nepochs = {}\nbatch_size = {}\n{}",
        comment, data, model, epochs, batch_size, extra.empty() ? "" : "\n" + extra);
}

// ---------------------------------------------------------------------------------------------
// The steps

class Demo {
 public:
    Demo(const DemoArgs& args, Story& story)
        : args_(args), plan_(plan_for(args.size)), dir_(fs::absolute(args.dir)), story_(story),
          runner_(prepare_dir(), story, args.threads) {}

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
    fs::path prepare_dir() {
        if (fs::exists(dir_)) {
            bool empty = fs::is_directory(dir_) && fs::is_empty(dir_);
            MLSTRAT_CHECK(empty || args_.force,
                          dir_.string() + ": exists; give --force to replace it, or another --dir");
            if (!empty) fs::remove_all(dir_);
        }
        for (const char* sub : {"data", "configs", "runs", "analysis"}) fs::create_directories(dir_ / sub);
        // data/fashion points at the data set, so the printed commands stay short.
        fs::create_directory_symlink(fs::absolute(args_.data), dir_ / "data" / "fashion");
        return dir_;
    }

    // The path of a Fashion-MNIST file as the commands (run in the project folder) see it.
    static std::string fashion(const char* file) { return std::string("data/fashion/") + file; }

    void write_config(const std::string& name, const std::string& text) {
        io::write_file_atomically((dir_ / "configs" / (name + ".toml")).string(), text);
    }

    // Trains configs/NAME.toml, then diagnoses it against the project's human levels.
    json train_and_diagnose(const std::string& name) {
        json run = runner_.run({"train", "configs/" + name + ".toml", "--name", name}, "train-" + name);
        json d = runner_.run({"diagnose", "--run", name}, "diagnose-" + name);
        const json& e = d["errors"];
        auto err = [&](const char* split) {
            return e.contains(split) && e[split].is_number() ? pct(e[split].get<double>()) : "-";
        };
        story_.say(fmt::format("errors: train {}, train-dev {}, dev {}, test {} (Bayes proxy {}: {})",
                               err("train"), err("train_dev"), err("dev"), err("test"),
                               d.value("bayes_proxy_name", ""), pct(number_or(d, "bayes_proxy"))));
        std::vector<std::string> gaps;
        for (const auto& gap : d["ranking"]) {
            std::string key = gap.get<std::string>();
            gaps.push_back(fmt::format("{} {}", words(key), pct(number_or(d["gaps"], key.c_str()))));
        }
        std::string joined;
        for (const auto& g : gaps) joined += (joined.empty() ? "" : ", ") + g;
        std::string focus = d.value("focus", "unclear");
        std::string tactic = d["tactics"].empty() ? "" : d["tactics"][0].get<std::string>();
        story_.say(fmt::format("gaps, largest first: {}. Focus: {}{}.", joined, words(focus),
                               tactic.empty() ? "" : " — " + tactic));
        json entry = {{"errors", e}, {"gaps", d["gaps"]}, {"focus", focus},
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
        runner_.run({"project", "set", "--human", "crowd=16.5%", "--human", "expert=" + args_.expert,
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
            "phones will send: {} other images of the same classes, blurred, noisy, low in contrast "
            "or rotated by mlstrat synth, so no image is in both pools.",
            thousands(plan_.web), thousands(plan_.app)));
        runner_.run({"synth", "images", "--images", images, "--labels", labels, "--rows",
                     fmt::format("{}:{}", plan_.web, plan_.web + plan_.app), "--out", "data/app",
                     "--seed", "11"},
                    "synth-app");
        SmallTable pool;
        pool.header = {"id", "image", "label", "source", "degradation", "strength", "kinds"};
        for (std::int64_t i = 0; i < plan_.web; ++i)
            pool.rows.push_back({fmt::format("web-{}", i), fmt::format("{}#{}", (dir_ / images).string(), i),
                                 kClasses[y[static_cast<std::size_t>(i)]], "web", "none", "0", "none"});
        for (auto& row : synth_rows(dir_ / "data" / "app", "app")) pool.rows.push_back(std::move(row));
        write_table(dir_ / "data" / "pool.csv", pool);
        story_.say(fmt::format(
            "Dev and test come only from the app (aim at the target); {} app images also go to "
            "train, and a train-dev set of {} — same distribution as train, never trained on — "
            "tells variance from data mismatch.",
            thousands(plan_.target_in_train), thousands(plan_.train_dev)));
        json split = runner_.run({"split", "data/pool.csv", "--out", "data/split", "--target",
                                  "source=app", "--target-in-train",
                                  std::to_string(plan_.target_in_train), "--train-dev",
                                  std::to_string(plan_.train_dev), "--stratify", "label",
                                  "--seed", "1"},
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
        story_.step("Build the first system quickly, then turn the knob the gaps point at (1.2.1, 1.1.3)");
        write_config("baseline", config("A quick baseline: a small fully connected network.",
                                        split_data(""), kMlpModel, plan_.epochs_baseline));
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
        write_config("cnn", config("A small CNN: the bigger model the baseline's avoidable bias asks for.",
                                   split_data(""), kCnnModel, plan_.epochs_cnn));
        train_and_diagnose("cnn");
    }

    // Would more of the same data help? A learning curve of the baseline (1.1.3; Machine Learning
    // Yearning ch. 28-32): the baseline at growing training-set sizes, one run each, against the
    // project's Bayes proxy.
    void more_data() {
        story_.say("Would more web images help? Collecting them costs months; a learning curve "
                   "answers first: the baseline trained on growing parts of the training set.");
        json curve = runner_.run({"curve", "configs/baseline.toml", "--sizes", plan_.curve_sizes,
                                  "--repeats", "1", "--name", "baseline-curve", "--quiet"},
                                 "curve-baseline");
        std::vector<std::string> points;
        for (const auto& p : curve["points"]) {
            const json& e = p["errors"];
            points.push_back(fmt::format(
                "{}: train {}, dev {}", thousands(p["size"].get<std::uint64_t>()),
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
        std::vector<std::tuple<std::int64_t, std::string, std::string>> pairs;
        const auto& names = confusion["labels"];
        for (std::size_t i = 0; i < names.size(); ++i)
            for (std::size_t j = 0; j < names.size(); ++j)
                if (i != j)
                    pairs.emplace_back(confusion["matrix"][i][j].get<std::int64_t>(),
                                       names[i].get<std::string>(), names[j].get<std::string>());
        std::sort(pairs.begin(), pairs.end(), [](auto& a, auto& b) { return std::get<0>(a) > std::get<0>(b); });
        std::string top;
        for (std::size_t k = 0; k < std::min<std::size_t>(3, pairs.size()); ++k)
            top += fmt::format("{}{} taken for {} ({}×)", k ? "; " : "", std::get<1>(pairs[k]),
                               std::get<2>(pairs[k]), std::get<0>(pairs[k]));
        double dev_error = number_or(eval, "error");
        story_.say(fmt::format("dev error {}; the top confusions: {}.", pct(dev_error), top));
        summary_["error_analysis"]["top_confusions"] = json::array();
        for (std::size_t k = 0; k < std::min<std::size_t>(3, pairs.size()); ++k)
            summary_["error_analysis"]["top_confusions"].push_back(
                {{"label", std::get<1>(pairs[k])}, {"pred", std::get<2>(pairs[k])}, {"count", std::get<0>(pairs[k])}});

        std::set<std::string> kinds;
        {
            SmallTable dev = read_table(dir_ / "data" / "split" / "dev.csv");
            std::size_t col = dev.column("kinds");
            for (const auto& row : dev.rows) {
                std::string d = row[col];
                std::size_t start = 0;
                while (start <= d.size()) {
                    std::size_t plus = d.find('+', start);
                    std::string kind = d.substr(start, plus == std::string::npos ? std::string::npos : plus - start);
                    if (!kind.empty() && kind != "none") kinds.insert(kind);
                    if (plus == std::string::npos) break;
                    start = plus + 1;
                }
            }
        }
        std::string tags;
        for (const auto& k : kinds) tags += (tags.empty() ? "" : ",") + k;
        runner_.run({"errors", "sample", pred, "--n", std::to_string(plan_.review), "--seed", "1",
                     "--tags", tags, "--keep-cols", "id,degradation,strength,kinds", "--path-col", "image", "--out",
                     "analysis/sheet.csv"},
                    "errors-sample");
        // A person would open each image and mark what they see; the demo marks the degradations
        // synth recorded, and leaves `mislabeled` to a person.
        SmallTable sheet = read_table(dir_ / "analysis" / "sheet.csv");
        std::size_t applied = sheet.column("kinds");
        for (auto& row : sheet.rows)
            for (const auto& k : kinds)
                if (("+" + row[applied] + "+").find("+" + k + "+") != std::string::npos)
                    row[sheet.column(k)] = "x";
        write_table(dir_ / "analysis" / "sheet_reviewed.csv", sheet);
        story_.say(fmt::format(
            "analysis/sheet.csv holds {} sampled dev errors with a column per tag for a reviewer; "
            "here the tags are filled from synth's record (analysis/sheet_reviewed.csv) and the "
            "tally turns them into ceilings:",
            sheet.rows.size()));
        json tally = runner_.run({"errors", "tally", "analysis/sheet_reviewed.csv", "--error",
                                  fmt::format("{:.6f}", dev_error)},
                                 "errors-tally");
        for (const auto& c : tally["categories"]) {
            story_.say(fmt::format("{}: {} of the errors; fixing all of them takes dev error from {} to {} at best",
                                   c.value("tag", ""), pct(number_or(c, "share")), pct(dev_error),
                                   pct(number_or(c, "error_if_fixed"))));
        }
        summary_["error_analysis"]["tally"] = tally["categories"];

        json slices = runner_.run({"errors", "slices", pred, "--features", "degradation,strength",
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

        json issues = runner_.run({"labels", pred, "--prob-cols", "p_*", "--label-col", "label",
                                   "--id-col", "id", "--out", "analysis/label_issues.csv",
                                   "--review", "analysis/labels_review.html"},
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
        runner_.run({"errors", "review", "analysis/sheet.csv", "--error", fmt::format("{:.6f}", dev_error),
                     "--out", "analysis/review.html"},
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
        SmallTable train = read_table(dir_ / "data" / "split" / "train.csv");
        auto synthesized = [&](const std::string& name, const std::vector<std::string>& extra) {
            std::vector<std::string> args = {"synth", "images", "--images", images, "--labels", labels,
                                             "--rows", fmt::format("0:{}", plan_.synth), "--out",
                                             "data/" + name, "--seed", "21"};
            args.insert(args.end(), extra.begin(), extra.end());
            json result = runner_.run(args, "synth-" + name);
            SmallTable table = train;
            std::vector<std::size_t> order;
            for (const char* c : {"id", "image", "label", "source", "degradation", "strength", "kinds"})
                order.push_back(table.column(c));
            for (const auto& row : synth_rows(dir_ / "data" / name, name)) {
                std::vector<std::string> out(table.header.size());
                for (std::size_t i = 0; i < order.size(); ++i) out[order[i]] = row[i];
                table.rows.push_back(std::move(out));
            }
            write_table(dir_ / "data" / ("train_" + name + ".csv"), table);
            return result;
        };
        story_.say(fmt::format(
            "{} web training images get degradations drawn from the whole range the app shows and "
            "join the training set:",
            thousands(plan_.synth)));
        synthesized("synth", {});
        write_config("cnn_synth", config("The CNN with synthesized app-like images added to train.",
                                         split_data("../data/train_synth.csv"), kCnnModel, plan_.epochs_cnn));
        json full = train_and_diagnose("cnn_synth");
        story_.say(fmt::format(
            "The caution of 1.2.2: the same number of images degraded with only {} distinct "
            "settings (like one hour of car noise for 10,000 hours of speech) — to a person they "
            "look as varied, but the model can overfit that small pool:",
            plan_.small_pool));
        json small = synthesized("pool", {"--pool", std::to_string(plan_.small_pool)});
        for (const auto& w : small.value("warnings", json::array())) story_.say("synth warns: " + w.get<std::string>());
        write_config("cnn_pool", config("The CNN with app-like images from a small pool of degradations.",
                                        split_data("../data/train_pool.csv"), kCnnModel, plan_.epochs_cnn));
        json pool = train_and_diagnose("cnn_pool");
        const json& before = summary_["runs"]["cnn"];
        auto dev = [](const json& r) { return number_or(r["errors"], "dev"); };
        auto mismatch = [](const json& r) { return number_or(r["gaps"], "data_mismatch"); };
        story_.say(fmt::format(
            "dev error: CNN {} → with synthesized data {} (full range) and {} ({} settings); the data "
            "mismatch gap {} → {} and {}.",
            pct(dev(before)), pct(dev(full)), pct(dev(pool)), plan_.small_pool, pct(mismatch(before)),
            pct(mismatch(full)), pct(mismatch(pool))));
    }

    // 6. Transfer learning on the course's scenario (1.2.3): task A is the plentiful web images,
    // task B the app images with few labels; the study (mlstrat transfer) runs every arm over
    // several seeds and says whether the gain is larger than their noise.
    void transfer() {
        story_.step("Transfer learning: from the web images to a few labelled app images (1.2.3)");
        // Task A: the web rows of train; task B: its app rows, few of them labelled per class;
        // both compared on a sample of the app dev set.
        SmallTable train = read_table(dir_ / "data" / "split" / "train.csv");
        SmallTable web = train, app = train;
        web.rows.clear();
        app.rows.clear();
        const std::size_t source = train.column("source");
        for (const auto& row : train.rows) (row[source] == "app" ? app : web).rows.push_back(row);
        write_table(dir_ / "data" / "web_train.csv", web);
        write_table(dir_ / "data" / "app_train.csv", app);
        SmallTable dev = read_table(dir_ / "data" / "split" / "dev.csv");
        if (static_cast<std::int64_t>(dev.rows.size()) > plan_.transfer_dev)
            dev.rows.resize(static_cast<std::size_t>(plan_.transfer_dev));
        write_table(dir_ / "data" / "app_dev_sample.csv", dev);
        auto data = [](const std::string& train_file) {
            return "[data]\nformat = \"csv\"\nimage_col = \"image\"\nlabel_col = \"label\"\n"
                   "id_col = \"id\"\ntrain = \"" +
                   train_file + "\"\ndev = \"../data/app_dev_sample.csv\"\n";
        };
        write_config(
            "web", config("Task A: the CNN on the web images alone.", data("../data/web_train.csv"),
                          kCnnModel, plan_.pretrain_epochs));
        write_config(
            "app_few",
            config("Task B: the app images, few labels per class (the study sets "
                   "data.per_class and the seeds).",
                   data("../data/app_train.csv"), kCnnModel, plan_.finetune_epochs, "", 32));
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
            thousands(web.rows.size()), thousands(app.rows.size()), spaced(plan_.transfer_labels),
            spaced(plan_.transfer_seeds), thousands(dev.rows.size())));
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
        json report = runner_.run({"report", "--out", "report.html", "--pred", "runs/cnn/pred_dev.csv",
                                   "--slice-col", "degradation", "--sheet", "analysis/sheet_reviewed.csv",
                                   "--error", fmt::format("{:.6f}", number_or(summary_["runs"]["cnn"]["errors"], "dev"))},
                                  "report");
        story_.say(fmt::format("{} — open it in a browser (it works offline). Every run is in "
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
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
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
        "The course's whole loop on Fashion-MNIST in one command: goal, splits, baseline, diagnosis, "
        "error analysis, synthesized data for the data mismatch, transfer learning, report.");
    cmd->add_option("--dir", args->dir, "the project folder to create (default mlstrat-demo)");
    cmd->add_option("--data", args->data, "the folder of Fashion-MNIST's IDX files")
        ->capture_default_str();
    cmd->add_option("--expert", args->expert, "expert-level error, the Bayes proxy (default 5%)");
    cmd->add_option("--latency-ms", args->latency_ms,
                    "satisficing limit on latency per image in ms (default 5)");
    cmd->add_option("--size", args->size, "full (the README's demo) or quick (every step, tiny data)");
    cmd->add_flag_callback("--quick", [args] { args->size = "quick"; }, "the same as --size quick");
    cmd->add_option("--threads", args->threads, "training threads (default: every core)");
    cmd->add_flag("--force", args->force, "replace the project folder if it exists");
    cmd->add_flag("--json", args->json, "print only a JSON summary of every step's numbers");
    cmd->callback([args] { run(*args); });
}

}  // namespace mlstrat::cli
