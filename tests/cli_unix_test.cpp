// The command line as a Unix tool: what a command prints must reach its reader, and a full disk
// or a closed pipe is an error (exit 2, one line on stderr), not a silent success.

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "process_helpers.hpp"

namespace {

namespace fs = std::filesystem;
using mlstrat::test_util::slurp;
using mlstrat::test_util::spawn_command;
using mlstrat::test_util::wait_exit_code;

const std::string kBinary = std::string(MLSTRAT_SOURCE_DIR) + "/tests/data/eval/binary.csv";

fs::path scratch(const std::string& name) {
    const fs::path dir =
        fs::temp_directory_path() / ("mlstrat_unix_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

TEST(CliUnix, AFullDiskIsAnError) {
    const fs::path dir = scratch("full");
    const std::string err = (dir / "stderr").string();
    const pid_t pid = spawn_command(MLSTRAT_BINARY, {"eval", kBinary, "--json"}, "/dev/full", err);
    ASSERT_GT(pid, 0);
    EXPECT_EQ(wait_exit_code(pid), 2);
    EXPECT_EQ(slurp(err),
              "mlstrat: error: standard output: the write failed (No space left on device)\n");
}

TEST(CliUnix, AClosedPipeIsAnError) {
    const fs::path dir = scratch("pipe");
    const std::string err = (dir / "stderr").string();
    int ends[2];
    ASSERT_EQ(::pipe(ends), 0);
    // The child opens the pipe's write end by its /proc name; nobody reads from it.
    const std::string write_end =
        "/proc/" + std::to_string(::getpid()) + "/fd/" + std::to_string(ends[1]);
    ::close(ends[0]);
    const pid_t pid = spawn_command(MLSTRAT_BINARY, {"eval", kBinary, "--json"}, write_end, err);
    ::close(ends[1]);
    ASSERT_GT(pid, 0);
    EXPECT_EQ(wait_exit_code(pid), 2);
    EXPECT_EQ(slurp(err), "mlstrat: error: standard output: the write failed (Broken pipe)\n");
}

TEST(CliUnix, HelpToAFullDiskIsAnError) {
    const fs::path dir = scratch("help");
    const std::string err = (dir / "stderr").string();
    const pid_t pid = spawn_command(MLSTRAT_BINARY, {"--help"}, "/dev/full", err);
    ASSERT_GT(pid, 0);
    EXPECT_EQ(wait_exit_code(pid), 2);
    EXPECT_EQ(slurp(err),
              "mlstrat: error: standard output: the write failed (No space left on device)\n");
}

}  // namespace
