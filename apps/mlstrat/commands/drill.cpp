// mlstrat drill: the course's "flight simulator" — practice the decisions on generated cases.

#include <unistd.h>

#include <iostream>
#include <iterator>
#include <optional>

#include "commands/commands.hpp"
#include "mlstrat/diagnose.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/support/io.hpp"
#include "output.hpp"

namespace mlstrat::cli {

namespace {

struct DrillArgs {
    std::uint64_t seed = 1;
    std::size_t count = 5;
    std::string answers_file;
    bool json = false;
};

// The answers of an --answers file (or of stdin): one per line, blank lines and '#' comments
// skipped.
std::vector<std::string> parse_answers(const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(start, end - start);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        std::string_view t = line;
        while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
        if (!t.empty() && t.front() != '#') out.push_back(line);
        start = end + 1;
    }
    return out;
}

void run(const DrillArgs& a) {
    auto cases = diagnose::generate_drill(a.seed, a.count);
    std::optional<std::vector<std::string>> answers;
    if (!a.answers_file.empty()) {
        answers = parse_answers(io::read_file(a.answers_file));
        MLSTRAT_CHECK(answers->size() >= cases.size(), a.answers_file, ": ", answers->size(),
                      " answer(s) for ", cases.size(), " cases (one answer per line)");
    } else if (!a.json && isatty(STDIN_FILENO) == 0) {
        // Answers piped in are read as from a file, and too few are the same error.
        answers = parse_answers(std::string(std::istreambuf_iterator<char>(std::cin), {}));
        MLSTRAT_CHECK(answers->size() >= cases.size(), "stdin: ", answers->size(),
                      " answer(s) for ", cases.size(), " cases (one answer per line)");
    }
    // With --json and no --answers the drill prints its cases and their answers: a key.
    const bool key_only = a.json && !answers;
    const bool interactive = !answers && !a.json && isatty(STDIN_FILENO) != 0;

    nlohmann::json out = {{"seed", a.seed}, {"cases", nlohmann::json::array()}};
    std::size_t right = 0;
    std::size_t asked = 0;
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const auto& c = cases[i];
        std::optional<std::string> answer;
        if (!a.json) {
            std::cout << "\ncase " << i + 1 << " of " << cases.size() << " (" << c.kind << ")\n"
                      << c.prompt << "\n";
        }
        if (answers) {
            answer = (*answers)[i];
        } else if (!key_only) {
            if (interactive) std::cout << "> " << std::flush;
            std::string line;
            if (std::getline(std::cin, line)) answer = line;
        }
        std::optional<bool> correct;
        if (answer) {
            correct = diagnose::drill_answer_matches(c, *answer);
            ++asked;
            if (*correct) ++right;
        }
        if (a.json) {
            out["cases"].push_back(
                {{"kind", c.kind},
                 {"prompt", c.prompt},
                 {"choices", c.choices},
                 {"state", c.state},
                 {"expected", c.expected},
                 {"answer", answer ? nlohmann::json(*answer) : nlohmann::json()},
                 {"correct", correct ? nlohmann::json(*correct) : nlohmann::json()},
                 {"explanation", c.explanation}});
            continue;
        }
        if (!answer) {
            std::cout << "(no answer) the answer: " << c.expected << "\n";
        } else if (*correct) {
            std::cout << (answers ? "answer: " + *answer + "\n" : "") << "right.\n";
        } else {
            std::cout << (answers ? "answer: " + *answer + "\n" : "") << "not quite: the answer is "
                      << c.expected << ".\n";
        }
        std::cout << c.explanation << "\n";
    }
    if (a.json) {
        out["score"] =
            key_only
                ? nlohmann::json(nullptr)
                : nlohmann::json({{"right", right}, {"asked", asked}, {"cases", cases.size()}});
        print_json(out);
    } else {
        std::cout << "\nscore: " << right << " of " << cases.size() << "\n";
    }
}

}  // namespace

void add_drill(CLI::App& app) {
    auto args = std::make_shared<DrillArgs>();
    CLI::App* cmd = app.add_subcommand(
        "drill",
        "The flight simulator: practise choosing the focus, the error category and the "
        "model on generated project states, with the engine's explanation.");
    cmd->add_option("--seed", args->seed, "seed of the generated cases")->capture_default_str();
    cmd->add_option("--count", args->count, "number of cases")->capture_default_str();
    cmd->add_option("--answers", args->answers_file,
                    "FILE with one answer per line (a name, or a choice's number) instead of "
                    "asking");
    cmd->add_flag("--json", args->json,
                  "print one JSON document (cases, answers, score); without --answers, the key");
    cmd->callback([args] { run(*args); });
}

}  // namespace mlstrat::cli
