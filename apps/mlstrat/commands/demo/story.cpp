// The demo's story printer and step runner (demo/story.hpp).

#include "commands/demo/story.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <sstream>

#include "mlstrat/support/error.hpp"
#include "mlstrat/support/io.hpp"
#include "mlstrat/support/process.hpp"
#include "self.hpp"

namespace mlstrat::cli::demo {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// The last line of a step's log: the error line of a failed command.
std::string last_line(const fs::path& log) {
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

}  // namespace

double number_or(const json& j, const char* key, double fallback) {
    auto it = j.find(key);
    return it != j.end() && it->is_number() ? it->get<double>() : fallback;
}

void Story::step(const std::string& title) {
    ++step_;
    if (!quiet_) std::cout << fmt::format("\n{}. {}\n", step_, title) << std::flush;
}

void Story::say(const std::string& text) {
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

void Story::command(const std::vector<std::string>& args) {
    if (quiet_) return;
    std::string line = "   $ mlstrat";
    for (const auto& a : args) {
        if (a == "--json") continue;
        bool plain = !a.empty() && a.find_first_of(" *?'\"<>|;&$") == std::string::npos;
        line += " " + (plain ? a : "'" + a + "'");
    }
    std::cout << line << "\n" << std::flush;
}

void Story::raw(const std::string& text) {
    if (!quiet_) std::cout << text << std::flush;
}

Runner::Runner(fs::path dir, Story& story, unsigned threads)
    : dir_(std::move(dir)), story_(story), threads_(threads), self_(self_executable()),
      tty_(isatty(STDOUT_FILENO) != 0 && !story.quiet()) {
    MLSTRAT_CHECK(!self_.empty(), "cannot find the mlstrat executable (/proc/self/exe)");
    fs::create_directories(dir_ / "logs");
}

json Runner::run(std::vector<std::string> args, const std::string& what) {
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

std::string Runner::execute(const std::vector<std::string>& args, const std::string& what,
                            bool training) {
    ++count_;
    fs::path log = dir_ / "logs" / fmt::format("{:02d}-{}.log", count_, what);
    const process::Command command{self_, args, "mlstrat", dir_.string(), "", log.string()};
    auto start = std::chrono::steady_clock::now();
    std::size_t log_seen = 0;
    std::string progress;
    const process::Outcome done =
        training && tty_ ? process::run(command, [&] { show_progress(log, log_seen, progress); })
                         : process::run(command);
    MLSTRAT_CHECK(done.exit_code >= 0, "cannot start a demo step (mlstrat ", args[0], ")");
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    total_ += seconds;
    if (!progress.empty()) story_.raw("\r" + std::string(progress.size(), ' ') + "\r");
    if (done.exit_code != 0) {
        std::string message = last_line(log);
        const std::string prefix = "mlstrat: error: ";
        if (message.rfind(prefix, 0) == 0) message = message.substr(prefix.size());
        if (message.empty()) message = "exit status " + std::to_string(done.exit_code);
        throw Error(done.exit_code == 2 ? ErrorCode::InvalidInput : ErrorCode::Internal,
                    "demo step '" + what + "' (mlstrat " + args[0] + ", log " + log.string() +
                        "): " + message);
    }
    if (training || seconds >= 1.0) story_.raw(fmt::format("     ({:.1f} s)\n", seconds));
    return done.out;
}

// Shows the newest batch/epoch event of the training log on one line.
void Runner::show_progress(const fs::path& log, std::size_t& seen, std::string& shown) {
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

}  // namespace mlstrat::cli::demo
