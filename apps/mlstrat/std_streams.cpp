#include "std_streams.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string_view>
#include <utility>

#include "mlstrat/support/error.hpp"

namespace mlstrat::cli {

namespace {

// Why `--out -` cannot stand for the command's --out: "" when it can (the command writes one
// file there), nullopt when the command has no --out (its parser says so).
std::optional<std::string> out_dash_refusal(std::string_view command, std::string_view sub) {
    if (command == "labels" || command == "report" || (command == "errors" && sub == "sample") ||
        (command == "runs" && sub == "export")) {
        return "";
    }
    if (command == "split" || command == "synth") return std::string(command) + " writes a folder";
    if (command == "errors" && sub == "review") return "errors review writes a sheet beside it";
    return std::nullopt;
}

// Copies everything readable from `from` to `to`; false when a read or write fails.
bool copy_fd(int from, int to) {
    char buffer[1 << 16];
    for (;;) {
        const ssize_t got = ::read(from, buffer, sizeof buffer);
        if (got == 0) return true;
        if (got < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        for (ssize_t done = 0; done < got;) {
            const ssize_t put = ::write(to, buffer + done, static_cast<std::size_t>(got - done));
            if (put < 0 && errno == EINTR) continue;
            if (put <= 0) return false;
            done += put;
        }
    }
}

// The StdStreams of the running command, for shown_inputs and is_input_copy.
const StdStreams* active = nullptr;

bool is_pipe(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISFIFO(st.st_mode);
}

}  // namespace

std::string StdStreams::temp_dir() {
    if (dir_.empty()) {
        std::string pattern = (std::filesystem::temp_directory_path() / "mlstrat-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) {
            throw Error(ErrorCode::Io,
                        "cannot make a temporary folder for standard input or "
                        "output (" +
                            std::string(std::strerror(errno)) + ")");
        }
        dir_ = pattern;
    }
    return dir_;
}

StdStreams::StdStreams(int argc, char** argv) : args_(argv, argv + argc) {
    const std::string command = argc > 1 ? argv[1] : "", sub = argc > 2 ? argv[2] : "";
    bool stdin_used = false;
    for (std::size_t i = 1; i < args_.size(); ++i) {
        std::string& arg = args_[i];
        const bool out_value = args_[i - 1] == "--out";
        if ((out_value && arg == "-") || arg == "--out=-") {
            const auto refusal = out_dash_refusal(command, sub);
            if (!refusal) continue;
            MLSTRAT_CHECK(refusal->empty(), "--out -: standard output takes one file; ", *refusal);
            out_ = temp_dir() + "/stdout";
            names_.emplace_back(out_, "stdout");
            arg = arg == "-" ? out_ : "--out=" + out_;
            continue;
        }
        // A value that may be a dash: `--label-sep -` separates labels with '-'.
        const bool dash_value = args_[i - 1] == "--label-sep";
        if (out_value || dash_value || (arg != "-" && !is_pipe(arg))) continue;
        const std::string spool = temp_dir() + "/input" + std::to_string(i);
        const bool from_stdin = arg == "-";
        MLSTRAT_CHECK(!from_stdin || !stdin_used, "standard input ('-') can be read only once");
        stdin_used = stdin_used || from_stdin;
        const int from = from_stdin ? STDIN_FILENO : ::open(arg.c_str(), O_RDONLY | O_CLOEXEC);
        const int to = ::open(spool.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        const bool copied = from >= 0 && to >= 0 && copy_fd(from, to);
        const int err = errno;
        if (from >= 0 && !from_stdin) ::close(from);
        if (to >= 0) ::close(to);
        const std::string name = from_stdin ? "stdin" : arg;
        if (!copied) {
            throw Error(ErrorCode::Io, name + ": cannot read (" + std::strerror(err) + ")");
        }
        names_.emplace_back(spool, name);
        arg = spool;
    }
    for (auto& a : args_) argv_.push_back(a.data());
    active = this;
    if (names_.size() > (out_.empty() ? 0u : 1u)) {
        // An input is a copy: what the command prints names it, so it is held to be shown.
        std::cout.flush();
        cout_buf_ = std::cout.rdbuf(held_.rdbuf());
    }
    if (!out_.empty()) {
        // The command's own summary would mix with the file: it goes nowhere.
        std::cout.flush();
        saved_stdout_ = ::dup(STDOUT_FILENO);
        const int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (saved_stdout_ >= 0 && null >= 0) ::dup2(null, STDOUT_FILENO);
        if (null >= 0) ::close(null);
    }
}

StdStreams::~StdStreams() {
    if (active == this) active = nullptr;
    release();
    if (saved_stdout_ >= 0) {
        std::cout.flush();
        std::fflush(stdout);
        ::dup2(saved_stdout_, STDOUT_FILENO);
        ::close(saved_stdout_);
    }
    if (!dir_.empty()) {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
}

void StdStreams::release() {
    if (cout_buf_ != nullptr) std::cout.rdbuf(cout_buf_);
    cout_buf_ = nullptr;
}

bool StdStreams::finish() {
    const bool held = cout_buf_ != nullptr;
    release();
    if (held && out_.empty()) {
        std::cout << shown(held_.str());
        std::cout.flush();
        return static_cast<bool>(std::cout);
    }
    if (out_.empty() || saved_stdout_ < 0) return true;
    std::cout.flush();
    std::fflush(stdout);
    ::dup2(saved_stdout_, STDOUT_FILENO);
    ::close(saved_stdout_);
    saved_stdout_ = -1;
    const int from = ::open(out_.c_str(), O_RDONLY | O_CLOEXEC);
    if (from < 0) return true;  // the command wrote nothing
    const bool ok = copy_fd(from, STDOUT_FILENO);
    ::close(from);
    return ok;
}

std::string StdStreams::shown(std::string message) const {
    for (const auto& [path, name] : names_) {
        for (std::size_t at = message.find(path); at != std::string::npos;
             at = message.find(path, at)) {
            message.replace(at, path.size(), name);
            at += name.size();
        }
    }
    return message;
}

bool StdStreams::is_copy(const std::string& path) const {
    for (const auto& [copy, name] : names_) {
        if (copy == path && copy != out_) return true;
    }
    return false;
}

std::string shown_inputs(std::string text) {
    return active != nullptr ? active->shown(std::move(text)) : text;
}

bool is_input_copy(const std::string& path) { return active != nullptr && active->is_copy(path); }

}  // namespace mlstrat::cli
