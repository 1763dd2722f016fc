#pragma once
// Helpers shared by the analysis and labels tests: a fresh folder per test, and the message of
// the Error a call throws.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "mlstrat/support/error.hpp"

namespace mlstrat::test_util {

/// A fresh folder per test, removed afterwards.
class TempDir {
 public:
    TempDir() {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        path_ = std::filesystem::temp_directory_path() /
                ("mlstrat_" + std::string(info->test_suite_name()) + "_" + info->name());
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~TempDir() { std::filesystem::remove_all(path_); }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    /// The folder.
    const std::filesystem::path& path() const { return path_; }

    /// The path of `name` in the folder, written with `contents` when they are not empty.
    std::string file(const std::string& name, const std::string& contents = {}) const {
        std::string p = (path_ / name).string();
        if (!contents.empty()) std::ofstream(p, std::ios::binary) << contents;
        return p;
    }

 private:
    std::filesystem::path path_;
};

/// The message of the mlstrat::Error `f` throws, or "(no error)".
inline std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace mlstrat::test_util
