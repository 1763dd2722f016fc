// Child processes through posix_spawn: standard input from /dev/null, each output to its file or
// to a pipe the parent drains with poll() until both ends close.

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "mlstrat/support/process.hpp"

extern char** environ;

namespace mlstrat::process {

namespace {

/// Starts `c` with stdout / stderr to their files, else to `out_fd` / `err_fd` when >= 0.
pid_t start(const Command& c, int out_fd, int err_fd) {
    std::vector<std::string> argv_s = {c.argv0.empty() ? c.program : c.argv0};
    argv_s.insert(argv_s.end(), c.args.begin(), c.args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    auto route = [&](int fd, const std::string& path, int pipe_end) {
        if (!path.empty()) {
            posix_spawn_file_actions_addopen(&actions, fd, path.c_str(),
                                             O_WRONLY | O_CREAT | O_TRUNC, 0644);
        } else if (pipe_end >= 0) {
            posix_spawn_file_actions_adddup2(&actions, pipe_end, fd);
        }
    };
    route(STDOUT_FILENO, c.stdout_path, out_fd);
    route(STDERR_FILENO, c.stderr_path, err_fd);
    // After the files are opened, so that relative paths name the caller's files.
    if (!c.dir.empty()) posix_spawn_file_actions_addchdir_np(&actions, c.dir.c_str());
    pid_t pid = -1;
    if (posix_spawnp(&pid, c.program.c_str(), &actions, nullptr, argv.data(), environ) != 0)
        pid = -1;
    posix_spawn_file_actions_destroy(&actions);
    return pid;
}

int exit_code_of(int status) {
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

pid_t spawn(const Command& command) { return start(command, -1, -1); }

int wait_exit_code(pid_t pid) {
    int status = 0;
    pid_t got = -1;
    do {
        got = waitpid(pid, &status, 0);
    } while (got < 0 && errno == EINTR);
    return got == pid ? exit_code_of(status) : -1;
}

Outcome run(const Command& command, const std::function<void()>& tick, int tick_ms) {
    Outcome outcome;
    // Read ends [0] stay here; write ends [1] go to the child and are closed here once it runs.
    int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1};
    if ((command.stdout_path.empty() && pipe2(out_pipe, O_CLOEXEC) != 0) ||
        (command.stderr_path.empty() && pipe2(err_pipe, O_CLOEXEC) != 0)) {
        for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]})
            if (fd >= 0) close(fd);
        return outcome;
    }
    const pid_t pid = start(command, out_pipe[1], err_pipe[1]);
    for (int fd : {out_pipe[1], err_pipe[1]})
        if (fd >= 0) close(fd);
    std::vector<pollfd> open_ends;
    std::vector<std::string*> sinks;
    if (out_pipe[0] >= 0) {
        open_ends.push_back({out_pipe[0], POLLIN, 0});
        sinks.push_back(&outcome.out);
    }
    if (err_pipe[0] >= 0) {
        open_ends.push_back({err_pipe[0], POLLIN, 0});
        sinks.push_back(&outcome.err);
    }
    if (pid < 0) {
        for (const auto& end : open_ends) close(end.fd);
        return outcome;
    }
    char buffer[65536];
    while (!open_ends.empty()) {
        if (poll(open_ends.data(), open_ends.size(), tick ? tick_ms : -1) > 0) {
            for (std::size_t i = open_ends.size(); i-- > 0;) {
                if (open_ends[i].revents == 0) continue;
                const ssize_t n = read(open_ends[i].fd, buffer, sizeof buffer);
                if (n > 0) {
                    sinks[i]->append(buffer, static_cast<std::size_t>(n));
                } else if (n == 0 || errno != EINTR) {
                    close(open_ends[i].fd);
                    open_ends.erase(open_ends.begin() + static_cast<std::ptrdiff_t>(i));
                    sinks.erase(sinks.begin() + static_cast<std::ptrdiff_t>(i));
                }
            }
        }
        if (tick) tick();
    }
    // Both outputs closed (or went to files): the child may still be running.
    if (tick) {
        int status = 0;
        pid_t got = 0;
        while ((got = waitpid(pid, &status, WNOHANG)) == 0) {
            tick();
            poll(nullptr, 0, tick_ms);
        }
        if (got == pid) {
            outcome.exit_code = exit_code_of(status);
            return outcome;
        }
    }
    outcome.exit_code = wait_exit_code(pid);
    return outcome;
}

}  // namespace mlstrat::process
