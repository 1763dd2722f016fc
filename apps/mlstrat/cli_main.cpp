#include "cli_main.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>
#include <iostream>
#include <optional>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "mlstrat/support/error.hpp"
#include "mlstrat/version.hpp"
#include "std_streams.hpp"

namespace mlstrat::cli {

namespace {

int fail(const std::string& message, int code) {
    std::string line = message;
    while (!line.empty() && (line.back() == '\n' || line.back() == ' ')) line.pop_back();
    for (char& c : line) {
        if (c == '\n') c = ' ';
    }
    std::fprintf(stderr, "mlstrat: error: %s\n", line.c_str());
    return code;
}

// The number of edits that turn `a` into `b`: a character inserted, deleted or changed, or two
// neighbours swapped ("trian" is one edit from "train"; optimal string alignment distance).
std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        for (std::size_t j = 1; j <= b.size(); ++j) {
            d[i][j] = std::min(
                {d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1])});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
            }
        }
    }
    return d[a.size()][b.size()];
}

// The name among `names` nearest `typed`, when near enough to be a slip: at most a third of it.
std::string nearest(std::string_view typed, const std::vector<std::string>& names) {
    std::string best;
    std::size_t best_distance = typed.size() / 3 + 1;
    for (const auto& name : names) {
        const std::size_t d = edit_distance(typed, name);
        if (d < best_distance) {
            best = name;
            best_distance = d;
        }
    }
    return best;
}

// Whether `name` is one of the app's subcommands.
bool is_command(CLI::App& app, std::string_view name) {
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
        if (sub->get_name() == name) return true;
    }
    return false;
}

// The subcommands of `command`, by name.
std::vector<std::string> subcommand_names(CLI::App& command) {
    std::vector<std::string> names;
    for (const CLI::App* sub : command.get_subcommands([](const CLI::App*) { return true; })) {
        names.push_back(sub->get_name());
    }
    return names;
}

// The command of `mlstrat COMMAND WORD ...` when COMMAND needs a subcommand and WORD is not one
// of its subcommands (`mlstrat runs lst`), else null.
CLI::App* unknown_subcommand_of(CLI::App& app, int argc, char** argv) {
    if (argc < 3 || argv[2][0] == '-') return nullptr;
    for (CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
        if (sub->get_name() != argv[1] || sub->get_require_subcommand_min() == 0) continue;
        const auto names = subcommand_names(*sub);
        return std::find(names.begin(), names.end(), argv[2]) == names.end() ? sub : nullptr;
    }
    return nullptr;
}

// " (did you mean `eval`?)" for a subcommand or option that does not exist, else "".
std::string suggestion(CLI::App& app, int argc, char** argv) {
    if (CLI::App* command = unknown_subcommand_of(app, argc, argv)) {
        const std::string name = nearest(argv[2], subcommand_names(*command));
        return name.empty() ? "" : " (did you mean `" + name + "`?)";
    }
    const std::vector<std::string> commands = subcommand_names(app);
    if (argc < 2) return "";
    const std::string_view first = argv[1];
    CLI::App* command = nullptr;
    for (CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
        if (sub->get_name() == first) command = sub;
    }
    if (command == nullptr) {
        if (first.empty() || first[0] == '-') return "";
        const std::string name = nearest(first, commands);
        return name.empty() ? "" : " (did you mean `" + name + "`?)";
    }
    // An option of the subcommand (or of its own subcommand) that is not one.
    for (int i = 2; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "--") break;
        for (CLI::App* sub : command->get_subcommands([](const CLI::App*) { return true; })) {
            if (sub->get_name() == arg) command = sub;
        }
        if (arg.rfind("--", 0) != 0) continue;
        arg = arg.substr(0, arg.find('='));
        std::vector<std::string> options;
        bool known = false;
        for (const CLI::Option* option : command->get_options()) {
            for (const auto& name : option->get_lnames()) {
                options.push_back("--" + name);
                known = known || "--" + name == arg;
            }
        }
        if (known) continue;
        const std::string name = nearest(arg, options);
        if (!name.empty()) return " (did you mean `" + name + "`?)";
    }
    return "";
}

// `mlstrat --version --json`: the version as one JSON document.
bool print_version_json(int argc, char** argv, const std::string& version) {
    if (argc != 3) return false;
    const std::string_view a = argv[1], b = argv[2];
    if (!((a == "--version" && b == "--json") || (a == "--json" && b == "--version"))) return false;
    std::cout << nlohmann::json{{"name", "mlstrat"},
                                {"version", MLSTRAT_VERSION},
                                {"build", version}}
                     .dump(2)
              << "\n";
    return true;
}

// What a command printed reached its reader: a full disk (/dev/full) or a closed pipe is an
// error like any other (exit 2, one line), not a silent success.
int check_output(int code) {
    std::cout.flush();
    const bool failed = !std::cout || std::fflush(stdout) != 0 || std::ferror(stdout) != 0;
    if (failed && code == 0) {
        const int err = errno;
        return fail(std::string("standard output: the write failed (") + std::strerror(err) + ")",
                    2);
    }
    return code;
}

}  // namespace

int run_cli(int argc, char** argv, const std::string& version,
            const std::function<void(CLI::App&)>& add_commands, const std::string& footer) {
    CLI::App app{
        "mlstrat: structure a machine-learning project the way the course teaches.\n"
        "One goal, the right splits, human-level gaps, error analysis, then the next step.",
        "mlstrat"};
    app.require_subcommand(1);
    app.set_version_flag("--version", version);
    app.failure_message([](const CLI::App*, const CLI::Error& e) { return std::string(e.what()); });
    if (!footer.empty()) app.footer(footer);
    add_commands(app);
    // A closed pipe makes a write fail with EPIPE, reported below, instead of ending the process.
    std::signal(SIGPIPE, SIG_IGN);
    if (print_version_json(argc, argv, version)) return check_output(0);

    std::optional<StdStreams> streams;  // `-` as standard input or output
    auto shown = [&](const std::string& message) {
        return streams ? streams->shown(message) : message;
    };
    try {
        streams.emplace(argc, argv);
        std::vector<char*> args = streams->argv();
        app.parse(static_cast<int>(args.size()), args.data());
        if (!streams->finish()) {
            return fail(
                std::string("standard output: the write failed (") + std::strerror(errno) + ")", 2);
        }
    } catch (const CLI::Success& e) {
        if (streams) streams->release();
        return check_output(app.exit(e));  // --help, --version
    } catch (const CLI::ParseError& e) {
        std::string what = e.what();
        if (argc > 1 && argv[1][0] != '-' && !is_command(app, argv[1])) {
            what = std::string("'") + argv[1] + "' is not a command";
        } else if (unknown_subcommand_of(app, argc, argv) != nullptr) {
            what = std::string("'") + argv[2] + "' is not a command of mlstrat " + argv[1];
        }
        return fail(shown(what) + suggestion(app, argc, argv) + " (see mlstrat --help)", 2);
    } catch (const mlstrat::Error& e) {
        return fail(shown(e.what()), e.code() == mlstrat::ErrorCode::Internal ? 1 : 2);
    } catch (const std::bad_alloc&) {
        return fail("out of memory", 1);
    } catch (const std::exception& e) {
        return fail(shown(std::string("internal failure: ") + e.what()), 1);
    }
    return check_output(0);
}

}  // namespace mlstrat::cli
