#pragma once
// How `mlstrat demo` tells its story: numbered steps, wrapped paragraphs and the commands a user
// would type (Story), and each step run as that very command in the project folder (Runner).

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mlstrat::cli::demo {

/// The number `j[key]`, or `fallback` when it is missing or not a number.
double number_or(const nlohmann::json& j, const char* key, double fallback = 0.0);

/// Prints the story: numbered steps, wrapped paragraphs, and the commands as a user would type
/// them. A quiet story (--json) prints nothing.
class Story {
 public:
    explicit Story(bool quiet) : quiet_(quiet) {}
    /// Starts the next numbered step.
    void step(const std::string& title);
    /// A paragraph, wrapped at 99 columns and indented.
    void say(const std::string& text);
    /// `$ mlstrat ARGS...` as a user would type it (quoted where a shell needs it; no --json).
    void command(const std::vector<std::string>& args);
    /// Text as is.
    void raw(const std::string& text);
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
    Runner(std::filesystem::path dir, Story& story, unsigned threads);

    /// Runs `mlstrat args...` with --json and returns the parsed output.
    nlohmann::json run(std::vector<std::string> args, const std::string& what);

    /// Seconds spent in the commands so far.
    double seconds_total() const { return total_; }

 private:
    std::string execute(const std::vector<std::string>& args, const std::string& what,
                        bool training);
    void show_progress(const std::filesystem::path& log, std::size_t& seen, std::string& shown);

    std::filesystem::path dir_;
    Story& story_;
    unsigned threads_;
    std::string self_;
    bool tty_;
    int count_ = 0;
    double total_ = 0.0;
};

}  // namespace mlstrat::cli::demo
