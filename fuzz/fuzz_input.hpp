#pragma once
// Shared by the fuzz targets: the readers under test take a path, so each input is written to a
// per-process file under /dev/shm (or $TMPDIR) before the reader opens it.

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>

#include "mlstrat/error.hpp"

namespace mlstrat::fuzz {

/// Writes `data` to a file named with the process id and `suffix`; returns its path.
inline std::string write_input(const std::uint8_t* data, std::size_t size, const char* suffix) {
    static const std::string dir = [] {
        if (access("/dev/shm", W_OK) == 0) return std::string("/dev/shm");
        const char* tmp = std::getenv("TMPDIR");
        return std::string(tmp != nullptr ? tmp : "/tmp");
    }();
    std::string path = dir + "/mlstrat-fuzz-" + std::to_string(getpid()) + suffix;
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

}  // namespace mlstrat::fuzz
