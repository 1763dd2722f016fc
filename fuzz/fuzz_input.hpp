#pragma once
// Shared by the fuzz targets: the readers under test take a path, so each input is written to a
// per-process folder under /dev/shm (or $TMPDIR) before the reader opens it.

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "mlstrat/support/error.hpp"

namespace mlstrat::fuzz {

/// A folder of this process's own under /dev/shm (or $TMPDIR), removed when the process exits.
inline const std::string& scratch_dir() {
    struct Dir {
        std::string path;
        ~Dir() {
            std::error_code ec;
            std::filesystem::remove_all(path, ec);
        }
    };
    static const Dir dir = [] {
        const char* tmp = std::getenv("TMPDIR");
        const std::string base = access("/dev/shm", W_OK) == 0 ? "/dev/shm"
                                 : tmp != nullptr              ? tmp
                                                               : "/tmp";
        Dir d{base + "/mlstrat-fuzz-" + std::to_string(getpid())};
        std::filesystem::create_directories(d.path);
        return d;
    }();
    return dir.path;
}

/// Writes `data` to a file in scratch_dir() named with `suffix`; returns its path.
inline std::string write_input(const std::uint8_t* data, std::size_t size, const char* suffix) {
    std::string path = scratch_dir() + "/input" + suffix;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    return path;
}

/// Runs `fn`; a mlstrat::Error is the expected answer to bad input, anything else escapes
/// and libFuzzer reports it as a crash.
template <class Fn>
void expect_clean(Fn&& fn) {
    try {
        fn();
    } catch (const mlstrat::Error&) {
    }
}

/// Reports a broken round trip: prints `what` and aborts, which libFuzzer records as a crash.
[[noreturn]] inline void finding(const std::string& what) {
    std::cerr << "fuzz: " << what << "\n";
    __builtin_trap();
}

/// Returns `fn()`; a round trip reads back what mlstrat itself wrote, so there even a
/// mlstrat::Error is a finding: its message is printed and the process aborts.
template <class Fn>
auto expect_no_error(Fn&& fn) {
    try {
        return fn();
    } catch (const mlstrat::Error& e) {
        finding(std::string("reading back what was written failed: ") + e.what());
    }
}

}  // namespace mlstrat::fuzz
