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

// Runs `script` with sh, `{mlstrat}` standing for the binary; its exit code, stdout and stderr.
mlstrat::test_util::Outcome shell(const std::string& name, std::string script) {
    const fs::path dir = scratch(name);
    for (std::size_t at = script.find("{mlstrat}"); at != std::string::npos;
         at = script.find("{mlstrat}")) {
        script.replace(at, 9, MLSTRAT_BINARY);
    }
    const std::string out = (dir / "stdout").string(), err = (dir / "stderr").string();
    const pid_t pid =
        spawn_command("/bin/sh", {"-c", "cd '" + dir.string() + "' && " + script}, out, err);
    mlstrat::test_util::Outcome o;
    o.exit_code = pid > 0 ? wait_exit_code(pid) : -1;
    o.out = slurp(out);
    o.err = slurp(err);
    return o;
}

TEST(CliUnix, ADashReadsStandardInput) {
    const auto from_file = shell("file", "{mlstrat} eval '" + kBinary + "' --json");
    const auto piped = shell("dash", "cat '" + kBinary + "' | {mlstrat} eval - --json");
    EXPECT_EQ(piped.exit_code, 0) << piped.err;
    EXPECT_EQ(piped.out, from_file.out);
    EXPECT_NE(piped.out.find("\"rows\": 5000"), std::string::npos);
    // /dev/stdin as a pipe: eval reads the header twice (once to find the tasks).
    const auto dev_stdin =
        shell("devstdin", "cat '" + kBinary + "' | {mlstrat} eval /dev/stdin --json");
    EXPECT_EQ(dev_stdin.exit_code, 0) << dev_stdin.err;
    EXPECT_EQ(dev_stdin.out, from_file.out);
}

TEST(CliUnix, StandardInputIsNamedInErrors) {
    const auto o = shell("empty", "printf 'label,pred\\n' | {mlstrat} eval -");
    EXPECT_EQ(o.exit_code, 2);
    EXPECT_EQ(o.err, "mlstrat: error: stdin:2: the file has a header but no data rows\n");
}

TEST(CliUnix, StandardInputIsNamedInWhatACommandPrints) {
    const auto o = shell("splitdash", "cat '" + kBinary + "' | {mlstrat} split - --out sp");
    EXPECT_EQ(o.exit_code, 0) << o.err;
    EXPECT_EQ(o.out.rfind("split stdin: 5,000 rows", 0), 0u) << o.out;
    EXPECT_EQ(o.out.find("/input"), std::string::npos) << o.out;  // no temporary copy's name
    // --help is printed at once, not held.
    const auto help = shell("helpdash", "cat '" + kBinary + "' | {mlstrat} eval - --help");
    EXPECT_EQ(help.exit_code, 0) << help.err;
    EXPECT_NE(help.out.find("Usage: mlstrat eval"), std::string::npos) << help.out;
}

TEST(CliUnix, FilesACommandWritesNameStandardInputAsTheUserDid) {
    // The manifest and the page name the input "stdin", never the temporary copy read meanwhile.
    const auto split =
        shell("splitmanifest", "cat '" + kBinary + "' | {mlstrat} split - --out sp >/dev/null && " +
                                   "cat sp/manifest.json");
    EXPECT_EQ(split.exit_code, 0) << split.err;
    EXPECT_NE(split.out.find("\"input\": \"stdin\""), std::string::npos) << split.out;
    const auto page = shell("reportpage", "cat '" + kBinary +
                                              "' | {mlstrat} report --pred - --out r.html "
                                              ">/dev/null && cat r.html");
    EXPECT_EQ(page.exit_code, 0) << page.err;
    EXPECT_NE(page.out.find("stdin"), std::string::npos);
    const std::string copies = (fs::temp_directory_path() / "mlstrat-").string();
    EXPECT_EQ(split.out.find(copies), std::string::npos);
    EXPECT_EQ(page.out.find(copies), std::string::npos);
}

TEST(CliUnix, PredictionsFromStandardInputCannotBeAttachedToARun) {
    // The registry keeps a predictions file's path; a copy of standard input is gone afterwards.
    const auto o =
        shell("attach", "{mlstrat} eval '" + kBinary +
                            "' --run a --split dev --db r.db >/dev/null && cat '" + kBinary +
                            "' | {mlstrat} runs predictions a - --split dev --db r.db");
    EXPECT_EQ(o.exit_code, 2);
    EXPECT_EQ(o.err,
              "mlstrat: error: stdin: the registry keeps the predictions file's path, and standard "
              "input or a pipe has none; write the predictions to a file and attach that\n");
    EXPECT_EQ(o.out, "");
}

TEST(CliUnix, OutDashWritesTheFileToStandardOutput) {
    const std::string data = std::string(MLSTRAT_SOURCE_DIR) + "/tests/data/labels/";
    const std::string args =
        " labels '" + data + "digits_labels.csv' --probs '" + data + "digits_probs.npy'";
    const auto to_stdout = shell("outdash", "{mlstrat}" + args + " --out -");
    const auto to_file =
        shell("outfile", "{mlstrat}" + args + " --out issues.csv >/dev/null && cat issues.csv");
    EXPECT_EQ(to_stdout.exit_code, 0) << to_stdout.err;
    EXPECT_EQ(to_stdout.out.rfind("index,given,suggested,self_confidence\n", 0), 0u);
    EXPECT_EQ(to_stdout.out, to_file.out);  // the file alone, no summary
    const auto folder = shell("folder", "{mlstrat} split '" + kBinary + "' --out -");
    EXPECT_EQ(folder.exit_code, 2);
    EXPECT_EQ(folder.err,
              "mlstrat: error: --out -: standard output takes one file; split writes a folder\n");
}

TEST(CliUnix, OutDashServesEveryOneFileWriterAndOnlyThem) {
    const auto exported = shell("exportdash",
                                "{mlstrat} runs add a --dev 10% --db r.db >/dev/null && "
                                "{mlstrat} runs export --csv --db r.db --out - > dash.csv && "
                                "{mlstrat} runs export --csv --db r.db > plain.csv && "
                                "cmp dash.csv plain.csv && cat dash.csv");
    EXPECT_EQ(exported.exit_code, 0) << exported.err;
    EXPECT_EQ(exported.out.rfind("name,", 0), 0u) << exported.out;
    EXPECT_NE(exported.out.find("\na,finished,manual,"), std::string::npos) << exported.out;
    const auto review = shell("reviewdash", "{mlstrat} errors review '" + kBinary + "' --out -");
    EXPECT_EQ(review.exit_code, 2);
    EXPECT_EQ(review.err,
              "mlstrat: error: --out -: standard output takes one file; errors review writes a "
              "sheet beside it\n");
    // eval has no --out: the parser says so, rather than a word about folders.
    const auto none = shell("evaldash", "{mlstrat} eval '" + kBinary + "' --out -");
    EXPECT_EQ(none.exit_code, 2);
    EXPECT_EQ(none.err,
              "mlstrat: error: The following arguments were not expected: - --out (see mlstrat "
              "--help)\n");
}

TEST(CliUnix, ADashAsAValueIsNotStandardInput) {
    const auto o = shell(
        "sep",
        "printf 'label,p_a,p_b\\na-b,0.9,0.8\\n,0.1,0.3\\nb,0.2,0.7\\na,0.7,0.1\\n' > t.csv && "
        "{mlstrat} labels t.csv --prob-cols 'p_*' --multi-label --label-sep - --json");
    EXPECT_EQ(o.exit_code, 0) << o.err;
    EXPECT_NE(o.out.find("\"classes\": [\n    \"a\",\n    \"b\"\n  ]"), std::string::npos) << o.out;
}

}  // namespace
