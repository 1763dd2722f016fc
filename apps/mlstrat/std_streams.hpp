#pragma once
// `-` on the command line: standard input for an input file, standard output for `--out` where a
// command writes one file. The library reads files by name (some commands read one twice, or
// once per pass), so standard input, or any pipe named as an input (/dev/stdin, <(...)), is first
// copied to a temporary file; an output named `-` is written to a temporary file that is copied
// to standard output when the command succeeds. While a command reads such a copy, what it prints
// is held and shown when it succeeds, with the copy named as the user named it ("stdin").

#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace mlstrat::cli {

class StdStreams {
 public:
    /// Rewrites the arguments; throws Error for `--out -` on a command that writes a folder.
    StdStreams(int argc, char** argv);
    ~StdStreams();
    StdStreams(const StdStreams&) = delete;
    StdStreams& operator=(const StdStreams&) = delete;

    /// The arguments to parse, with `-` and pipes replaced by the temporary files' names.
    std::vector<char*> argv() { return argv_; }
    /// Prints what the command printed, or copies the output file to standard output (after the
    /// command succeeded); false when the write failed.
    bool finish();
    /// Gives standard output back without printing what was held (--help, a failure).
    void release();
    /// `message` with the temporary files named as the user named them ("stdin", "stdout").
    std::string shown(std::string message) const;
    /// Whether `path` is the temporary copy of an input.
    bool is_copy(const std::string& path) const;

 private:
    std::string temp_dir();
    std::vector<std::string> args_;
    std::vector<char*> argv_;
    std::string dir_;
    std::vector<std::pair<std::string, std::string>> names_;  // temporary path, as shown
    std::string out_;          // the temporary output file, when `--out -`
    int saved_stdout_ = -1;    // standard output while the command runs with its own on /dev/null
    std::ostringstream held_;  // what the command printed, while inputs are copies
    std::streambuf* cout_buf_ = nullptr;  // std::cout's own buffer while held_ stands in
};

/// `text` with the temporary copies of the running command's inputs named as the user named them
/// ("stdin", the pipe's path): for what a command writes into a file (a manifest, a page).
std::string shown_inputs(std::string text);
/// Whether `path` is a temporary copy of standard input or of a pipe, which is gone once the
/// command ends (a path a command records for later must not be one).
bool is_input_copy(const std::string& path);

}  // namespace mlstrat::cli
