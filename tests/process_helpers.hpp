#pragma once
// Helpers shared by the tests that run the mlstrat executable: reading a file whole, running a
// command to completion with its output captured, and starting one to kill it midway.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace mlstrat::test_util {

/// The whole file, or "" when it cannot be read.
inline std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

/// How a finished command ended.
struct Outcome {
    int exit_code = -1;  // 128 + signal when killed
    std::string out, err;
};

/// Starts `binary args...` (looked up on PATH when it has no '/') with stdin from /dev/null and stdout / stderr to the given files;
/// returns its pid, or -1 when it cannot be started.
inline pid_t spawn_command(const std::string& binary, const std::vector<std::string>& args,
                           const std::string& out_path, const std::string& err_path) {
    std::vector<std::string> argv_s = {binary};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid = -1;
    if (posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid = -1;
    posix_spawn_file_actions_destroy(&actions);
    return pid;
}

/// Waits for `pid`; its exit code, or 128 + the signal that ended it.
inline int wait_exit_code(pid_t pid) {
    int status = 0;
    if (waitpid(pid, &status, 0) != pid) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/// Runs `binary args...` to completion; stdout and stderr pass through files in `scratch`
/// (removed afterwards).
inline Outcome run_command(const std::string& binary, const std::vector<std::string>& args,
                           const std::filesystem::path& scratch) {
    const std::string out_path = (scratch / ".stdout").string();
    const std::string err_path = (scratch / ".stderr").string();
    Outcome o;
    const pid_t pid = spawn_command(binary, args, out_path, err_path);
    if (pid > 0) o.exit_code = wait_exit_code(pid);
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
