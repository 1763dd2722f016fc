#pragma once
// Helpers shared by the tests that run the mlstrat executable: reading a file whole, running a
// command to completion with its output captured, and starting one to kill it midway (the
// library's runner, mlstrat/support/process.hpp, starts them).

#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "mlstrat/support/process.hpp"

namespace mlstrat::test_util {

/// The whole file, or "" when it cannot be read.
inline std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

/// How a finished command ended.
using Outcome = mlstrat::process::Outcome;

/// Starts `binary args...` (looked up on PATH when it has no '/') with stdin from /dev/null and
/// stdout / stderr to the given files; returns its pid, or -1 when it cannot be started.
inline pid_t spawn_command(const std::string& binary, const std::vector<std::string>& args,
                           const std::string& out_path, const std::string& err_path) {
    return mlstrat::process::spawn({binary, args, "", "", out_path, err_path});
}

/// Waits for `pid`; its exit code, or 128 + the signal that ended it.
using mlstrat::process::wait_exit_code;

/// Runs `binary args...` to completion; stdout and stderr pass through files in `scratch`
/// (removed afterwards).
inline Outcome run_command(const std::string& binary, const std::vector<std::string>& args,
                           const std::filesystem::path& scratch) {
    const std::string out_path = (scratch / ".stdout").string();
    const std::string err_path = (scratch / ".stderr").string();
    Outcome o = mlstrat::process::run({binary, args, "", "", out_path, err_path});
    o.out = slurp(out_path);
    o.err = slurp(err_path);
    std::filesystem::remove(out_path);
    std::filesystem::remove(err_path);
    return o;
}

/// Runs the mlstrat executable under test.
inline Outcome run_mlstrat(const std::vector<std::string>& args,
                           const std::filesystem::path& scratch) {
    return run_command(MLSTRAT_BINARY, args, scratch);
}

}  // namespace mlstrat::test_util
