#include "cli_main.hpp"

#include <cstdio>
#include <exception>

#include "mlstrat/error.hpp"

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

}  // namespace

int run_cli(int argc, char** argv, const std::string& version,
            const std::function<void(CLI::App&)>& add_commands, const std::string& footer) {
    CLI::App app{"mlstrat: structure a machine-learning project the way the course teaches.\n"
                 "One goal, the right splits, human-level gaps, error analysis, then the next step.",
                 "mlstrat"};
    app.require_subcommand(1);
    app.set_version_flag("--version", version);
    app.failure_message([](const CLI::App*, const CLI::Error& e) { return std::string(e.what()); });
    if (!footer.empty()) app.footer(footer);
    add_commands(app);

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

}  // namespace mlstrat::cli
