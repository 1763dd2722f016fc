#pragma once
// The shared front of the two executables (mlstrat and mlstrat-train): builds the app, lets the
// caller add its subcommands, parses, and maps failures to one stderr line and an exit code
// (2: bad input or usage, 1: internal failure).

#include <CLI/CLI.hpp>

#include <functional>
#include <string>

namespace mlstrat::cli {

/// Runs the command line with the subcommands `add_commands` registers.
int run_cli(int argc, char** argv, const std::string& version,
            const std::function<void(CLI::App&)>& add_commands, const std::string& footer = "");

}  // namespace mlstrat::cli
