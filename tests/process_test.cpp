// The library's process runner (mlstrat/support/process.hpp), on /bin/sh scripts whose output and
// exit are known.

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "mlstrat/support/io.hpp"
#include "mlstrat/support/process.hpp"

namespace {

namespace fs = std::filesystem;
using mlstrat::process::Command;
using mlstrat::process::run;

Command command(const std::string& program, std::vector<std::string> args) {
    Command c;
    c.program = program;
    c.args = std::move(args);
    return c;
}

Command sh(const std::string& script) { return command("/bin/sh", {"-c", script}); }

fs::path scratch(const std::string& name) {
    const fs::path dir =
        fs::temp_directory_path() / ("mlstrat_process_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    return fs::canonical(dir);
}

TEST(Process, RunCapturesBothOutputsAndTheExitCode) {
    const auto o = run(sh("echo out; echo err >&2; printf more; exit 3"));
    EXPECT_EQ(o.exit_code, 3);
    EXPECT_EQ(o.out, "out\nmore");
    EXPECT_EQ(o.err, "err\n");
}

TEST(Process, OutputLargerThanAPipeBufferArrivesWhole) {
    // 1 MB on each output at once: neither may block the other.
    const auto o = run(sh("head -c 1000000 /dev/zero; head -c 1000000 /dev/zero >&2"));
    EXPECT_EQ(o.exit_code, 0);
    EXPECT_EQ(o.out.size(), 1000000u);
    EXPECT_EQ(o.err.size(), 1000000u);
}

TEST(Process, FilesWorkingDirectoryAndArgv0) {
    const fs::path dir = scratch("files");
    Command c = sh("pwd; echo \"$0\" >&2");
    c.dir = dir.string();
    c.argv0 = "named";
    c.stderr_path = (dir / "err.log").string();
    const auto o = run(c);
    EXPECT_EQ(o.exit_code, 0);
    EXPECT_EQ(o.out, dir.string() + "\n");
    EXPECT_EQ(o.err, "");
    EXPECT_EQ(mlstrat::io::read_file((dir / "err.log").string()), "named\n");
    fs::remove_all(dir);
}

TEST(Process, TickRunsWhileTheProgramRuns) {
    int ticks = 0;
    const auto o = run(
        sh("sleep 0.3; echo done"), [&] { ++ticks; }, 20);
    EXPECT_EQ(o.out, "done\n");
    EXPECT_GE(ticks, 3);  // 300 ms at a tick every 20 ms at most (a loaded machine is slower)
    ticks = 0;
    const fs::path dir = scratch("tick");
    Command quiet = sh("sleep 0.3");
    quiet.stdout_path = (dir / "out").string();
    quiet.stderr_path = (dir / "err").string();
    EXPECT_EQ(run(
                  quiet, [&] { ++ticks; }, 20)
                  .exit_code,
              0);
    EXPECT_GE(ticks, 3);  // no output to wait on: the ticks come while waiting for the exit
    fs::remove_all(dir);
}

TEST(Process, SignalsAndMissingProgramsAreReported) {
    EXPECT_EQ(run(sh("kill -9 $$")).exit_code, 128 + SIGKILL);
    EXPECT_EQ(run(command("/nonexistent/program", {})).exit_code, -1);
    EXPECT_EQ(mlstrat::process::spawn(command("/nonexistent/program", {})), -1);
    Command bad_dir = sh("true");
    bad_dir.dir = "/nonexistent/folder";
    EXPECT_EQ(run(bad_dir).exit_code, -1);
    const pid_t pid = mlstrat::process::spawn(command("sh", {"-c", "exit 7"}));  // found on PATH
    ASSERT_GT(pid, 0);
    EXPECT_EQ(mlstrat::process::wait_exit_code(pid), 7);
    EXPECT_EQ(mlstrat::process::wait_exit_code(pid), -1);  // already waited for
}

}  // namespace
