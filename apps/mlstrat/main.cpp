// mlstrat: the command-line front of the library. Parses, dispatches to one subcommand, and maps
// failures to one line on stderr and an exit code (2: bad input or usage, 1: internal failure).

#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>
#include <iostream>

#include "commands/commands.hpp"
#include "mlstrat/error.hpp"
#ifdef MLSTRAT_WITH_TRAIN
#include "mlstrat/train.hpp"
#endif

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

std::string version_text() {
    std::string out = "mlstrat 0.1.0";
#ifdef MLSTRAT_WITH_TRAIN
    out += " (" + mlstrat::train::backend_summary() + ")";
#endif
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"mlstrat: structure a machine-learning project the way the course teaches.\n"
                 "One goal, the right splits, human-level gaps, error analysis, then the next step.",
                 "mlstrat"};
    app.require_subcommand(1);
    app.set_version_flag("--version", version_text());
    app.failure_message([](const CLI::App*, const CLI::Error& e) { return std::string(e.what()); });

    mlstrat::cli::add_eval(app);
    mlstrat::cli::add_split(app);
    mlstrat::cli::add_errors(app);
    mlstrat::cli::add_labels(app);
    mlstrat::cli::add_diagnose(app);
    mlstrat::cli::add_select(app);
    mlstrat::cli::add_runs(app);
    mlstrat::cli::add_project(app);
    mlstrat::cli::add_ceiling(app);
    mlstrat::cli::add_drill(app);

    try {
        app.parse(argc, argv);
    } catch (const CLI::Success& e) {
        return app.exit(e);  // --help, --version
    } catch (const CLI::ParseError& e) {
        return fail(std::string(e.what()) + " (see mlstrat --help)", 2);
    } catch (const mlstrat::Error& e) {
        return fail(e.what(), e.code() == mlstrat::ErrorCode::Internal ? 1 : 2);
    } catch (const std::bad_alloc&) {
        return fail("out of memory", 1);
    } catch (const std::exception& e) {
        return fail(std::string("internal failure: ") + e.what(), 1);
    }
    return 0;
}
