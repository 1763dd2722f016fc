#pragma once
// The bytes a table is read from: a plain file, a gzip stream (several members allowed), or a
// byte range of a plain file, which is where a shard of the file starts and ends.

#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "mlstrat/support/io.hpp"

namespace mlstrat::io::detail {

inline std::string errno_text(int err) { return std::strerror(err); }

/// Thrown by the gzip source for bad data; the table reader adds the line, open_bytes the path.
struct CorruptData : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// The bytes of a file, decompressed when it starts with the gzip magic.
std::unique_ptr<ByteSource> open_source(const std::string& path);

/// The bytes [offset, offset + length) of a plain file open as `fd`, which the source closes.
std::unique_ptr<ByteSource> open_range(int fd, const std::string& path, std::uint64_t offset,
                                       std::uint64_t length);

/// Where a shard starts: the first record start at or after a byte offset, and its line.
struct RecordStart {
    std::uint64_t offset = 0;
    std::uint64_t line = 1;
};

/// The first record start at or after each of `targets`; see byte_sources.cpp.
std::vector<RecordStart> record_starts(int fd, const std::string& path, std::uint64_t size,
                                       std::uint64_t header_end, std::uint64_t header_lines,
                                       const std::vector<std::uint64_t>& targets);

}  // namespace mlstrat::io::detail
