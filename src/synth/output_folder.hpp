#pragma once
// The folder a synth run writes. Unstaged: files go straight in through io::AtomicFile; the
// folder is made when missing and removed again when the run fails. Staged (outputs of many
// files: PNG trees, WAV sets): the tree is built under a hidden sibling name and renamed into
// place only when complete, and the target must be new or empty.

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "mlstrat/support/error.hpp"

namespace mlstrat::synth::detail {

class OutputFolder {
 public:
    OutputFolder(std::string path, bool staged) : path_(std::move(path)), staged_(staged) {
        namespace fs = std::filesystem;
        std::error_code ec;
        if (staged_) {
            MLSTRAT_CHECK(
                !fs::exists(path_, ec) || fs::is_empty(path_, ec), path_,
                ": --out exists and is not empty; this output needs a new or empty folder");
            const fs::path p = fs::absolute(path_).lexically_normal();
            const std::string name =
                p.has_filename() ? p.filename().string() : p.parent_path().filename().string();
            root_ = (p.parent_path() / fmt::format(".{}.partial-{}", name, ::getpid())).string();
            fs::remove_all(root_, ec);
        } else {
            root_ = path_;
        }
        if (!fs::exists(root_, ec)) {
            fs::create_directories(root_, ec);
            MLSTRAT_CHECK(!ec, root_, ": cannot create the output folder (", ec.message(), ")");
            made_ = true;
        }
    }
    ~OutputFolder() {
        if (made_ && !done_) {
            std::error_code ec;
            std::filesystem::remove_all(root_, ec);
        }
    }
    OutputFolder(const OutputFolder&) = delete;
    OutputFolder& operator=(const OutputFolder&) = delete;

    /// Where files are written until commit().
    const std::string& root() const { return root_; }
    /// The path `relative` will have once committed.
    std::string final_path(const std::string& relative) const {
        return (std::filesystem::path(path_) / relative).string();
    }
    /// Moves a staged tree into place; from now on the folder is kept.
    void commit() {
        if (staged_) {
            std::error_code ec;
            if (std::filesystem::exists(path_, ec)) std::filesystem::remove(path_, ec);  // empty
            std::filesystem::rename(root_, path_, ec);
            MLSTRAT_CHECK(!ec, path_, ": cannot move the output into place (", ec.message(), ")");
        }
        done_ = true;
    }

 private:
    std::string path_;
    std::string root_;
    bool staged_;
    bool made_ = false;
    bool done_ = false;
};

}  // namespace mlstrat::synth::detail
