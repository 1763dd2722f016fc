// The streaming CSV/TSV reader. A block of bytes that ends on a record boundary is cut into one
// part per worker; workers parse their parts into RowBatches in parallel, then the batches are
// handed to the caller, in parallel or in file order. Record boundaries are found by quote
// parity: in valid RFC 4180 text a line feed ends a record exactly when an even number of
// quotes precedes it, and text that breaks the rules fails to parse in some part, so a
// malformed file is always reported, whatever the cut.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <thread>

#include "common/worker_pool.hpp"
#include "io/byte_sources.hpp"
#include "io/part_parser.hpp"
#include "io/scan_kernels.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/support/io.hpp"

namespace mlstrat::io {

namespace {

using detail::CorruptData;
using detail::count_quotes;
using detail::errno_text;
using detail::first_boundary;
using detail::last_boundary;
using detail::npos;
using detail::open_range;
using detail::open_source;
using detail::PartParser;
using detail::record_starts;
using detail::RecordStart;

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// A RowBatch as the reader fills it: its lists opened to the reader, none added.
struct FilledBatch : RowBatch {
    using RowBatch::cells_;
    using RowBatch::first_line_;
    using RowBatch::first_row_;
    using RowBatch::lines_;
    using RowBatch::path_;
    using RowBatch::raw_;
    using RowBatch::width_;
};

}  // namespace

TableReader::TableReader(std::string path, TableOptions options)
    : path_(std::move(path)), options_(options) {
    source_ = open_source(path_);
    threads_ = options_.threads != 0 ? options_.threads
                                     : std::max(1u, std::thread::hardware_concurrency());

    fill(1 << 16);
    // A UTF-8 byte order mark is not part of the first column's name.
    std::size_t bom = 0;
    if (buffer_.size() >= 3 && buffer_.compare(0, 3, "\xEF\xBB\xBF") == 0) {
        buffer_.erase(0, 3);
        bom = 3;
    }
    if (buffer_.empty())
        throw Error(where(path_, 1) + ": the file is empty; a header row is expected");

    std::size_t end = first_boundary(buffer_.data(), buffer_.size());
    while (end == npos && !eof_) {
        if (buffer_.size() > options_.max_record_bytes) {
            throw Error(where(path_, 1) + ": the header row is longer than " +
                        std::to_string(options_.max_record_bytes >> 20) +
                        " MiB; is a quote left open?");
        }
        fill(buffer_.size() * 2);
        end = first_boundary(buffer_.data(), buffer_.size());
    }
    if (end == npos) end = buffer_.size();
    std::string_view record(buffer_.data(), end);
    std::size_t terminator = 0;
    if (!record.empty() && record.back() == '\n') {
        terminator = 1;
        if (record.size() >= 2 && record[record.size() - 2] == '\r') terminator = 2;
    } else if (!record.empty() && record.back() == '\r' && end == buffer_.size()) {
        terminator = 1;  // a CR ending the file ends the header, as it ends a row
    }
    record.remove_suffix(terminator);
    if (record.empty()) throw Error(where(path_, 1) + ": the header row is empty");

    delimiter_ = options_.delimiter;
    if (delimiter_ == 0) {
        std::string_view name = path_;
        if (ends_with(name, ".gz")) name.remove_suffix(3);
        if (ends_with(name, ".tsv") || ends_with(name, ".tab")) {
            delimiter_ = '\t';
        } else {
            std::string_view first_line = record.substr(0, record.find('\n'));
            bool tabs = first_line.find('\t') != std::string_view::npos;
            bool commas = first_line.find(',') != std::string_view::npos;
            delimiter_ = tabs && !commas ? '\t' : ',';
        }
    }
    header_ = split_record(record, delimiter_, where(path_, 1));
    next_line_ =
        1 + static_cast<std::uint64_t>(std::count(buffer_.data(), buffer_.data() + end, '\n'));
    buffer_.erase(0, end);
    if (options_.shard_count != 1) start_shard(bom + end);
}

void TableReader::start_shard(std::uint64_t header_end) {
    const unsigned index = options_.shard_index, count = options_.shard_count;
    if (count == 0 || index >= count) {
        throw Error(ErrorCode::InvalidInput, "shard " + std::to_string(index) + "/" +
                                                 std::to_string(count) +
                                                 ": the index must be 0 to "
                                                 "the count - 1");
    }
    int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw Error(ErrorCode::Io, path_ + ": cannot open (" + errno_text(errno) + ")");
    struct stat st {};
    unsigned char magic[2] = {0, 0};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        throw Error(ErrorCode::Io, path_ + ": shards need a regular file, whose size is known");
    }
    if (::pread(fd, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
        ::close(fd);
        throw Error(ErrorCode::InvalidInput,
                    path_ +
                        ": a gzip'd file cannot be cut into byte ranges (its bytes only make "
                        "sense read from the start); decompress it, or use one shard (0/1)");
    }
    const auto size = static_cast<std::uint64_t>(st.st_size);
    // floor(size * i / count), without overflow: size = q * count + r and r * i < count^2.
    auto nominal = [&](unsigned i) { return size / count * i + size % count * i / count; };
    std::vector<RecordStart> cuts;
    try {
        cuts = record_starts(fd, path_, size, header_end, next_line_ - 1,
                             {nominal(index), nominal(index + 1)});
    } catch (...) {
        ::close(fd);
        throw;
    }
    if (index + 1 == count) cuts[1] = {size, 0};
    if (index == 0) cuts[0] = {header_end, next_line_};
    source_ = open_range(fd, path_, cuts[0].offset, cuts[1].offset - cuts[0].offset);
    buffer_.clear();
    eof_ = false;
    next_line_ = cuts[0].line;
}

TableReader::~TableReader() = default;

std::optional<std::size_t> TableReader::find_column(std::string_view name) const {
    std::optional<std::size_t> found;
    for (std::size_t i = 0; i < header_.size(); ++i) {
        if (header_[i] != name) continue;
        if (found) {
            throw Error(where(path_, 1) + ": column '" + std::string(name) +
                        "' appears more than once in the header");
        }
        found = i;
    }
    return found;
}

std::size_t TableReader::column(std::string_view name) const {
    if (auto i = find_column(name)) return *i;
    std::string names;
    for (std::size_t i = 0; i < header_.size() && i < 20; ++i) {
        names += (i ? ", " : "") + header_[i];
    }
    if (header_.size() > 20) names += ", ...";
    throw Error(where(path_, 1) + ": no column '" + std::string(name) +
                "' in the header (columns: " + names + ")");
}

std::size_t TableReader::fill(std::size_t want) {
    std::size_t added = 0;
    while (!eof_ && buffer_.size() < want) {
        std::size_t old = buffer_.size();
        std::size_t chunk = std::max<std::size_t>(want - old, 1 << 16);
        buffer_.resize(old + chunk);
        std::size_t got = 0;
        try {
            got = source_->read(buffer_.data() + old, chunk);
        } catch (const CorruptData& e) {
            std::uint64_t line = next_line_ + static_cast<std::uint64_t>(std::count(
                                                  buffer_.data(), buffer_.data() + old, '\n'));
            throw Error(ErrorCode::Io, where(path_, line) + ": " + e.what());
        }
        buffer_.resize(old + got);
        added += got;
        if (got == 0) eof_ = true;
    }
    return added;
}

std::uint64_t TableReader::scan(const std::vector<std::size_t>& columns,
                                const std::function<void(unsigned, const RowBatch&)>& consume,
                                ScanOrder order, bool keep_raw) {
    if (scanned_) throw Error(ErrorCode::Internal, "TableReader::scan called twice on " + path_);
    scanned_ = true;

    std::vector<int> slot_of_column(header_.size(), -1);
    for (std::size_t s = 0; s < columns.size(); ++s) {
        if (columns[s] >= header_.size()) {
            throw Error(ErrorCode::Internal, "column index out of range for " + path_);
        }
        slot_of_column[columns[s]] = static_cast<int>(s);
    }
    std::vector<PartParser> parsers(threads_);
    std::vector<FilledBatch> batches(threads_);
    for (unsigned i = 0; i < threads_; ++i) {
        PartParser& parser = parsers[i];
        parser.delimiter = delimiter_;
        parser.fields = header_.size();
        parser.slot_of_column = slot_of_column.data();
        parser.width = columns.size();
        parser.keep_raw = keep_raw;
        parser.cells_out = &batches[i].cells_;
        parser.raw_out = &batches[i].raw_;
        parser.lines_out = &batches[i].lines_;
        batches[i].width_ = columns.size();
        batches[i].path_ = &path_;
    }
    mlstrat::detail::WorkerPool pool(threads_);
    std::vector<std::size_t> cuts(threads_ + 1);
    std::uint64_t rows = 0;

    // A block of short rows makes many cells: a 512 KiB block of one-digit rows fills 4 MiB of
    // views. So a block holds about kRowsPerPart rows per part, by the bytes per row seen so far
    // (first the line feeds of what the header read brought in): the cells stay in cache until
    // the callback reads them and the buffers take few fresh pages, each a page fault.
    constexpr std::uint64_t kRowsPerPart = 16384;
    constexpr std::size_t kMinBlock = std::size_t{64} << 10;  // keeps waking the workers cheap
    auto block_for = [&](std::uint64_t bytes, std::uint64_t records) {
        if (records == 0) return options_.block_bytes;
        const std::uint64_t want = bytes * kRowsPerPart * threads_ / records;
        return static_cast<std::size_t>(std::min<std::uint64_t>(
            options_.block_bytes, std::max<std::uint64_t>(kMinBlock, want)));
    };
    std::size_t block =
        block_for(buffer_.size(),
                  static_cast<std::uint64_t>(std::count(buffer_.begin(), buffer_.end(), '\n')));

    for (;;) {
        fill(block);
        if (buffer_.empty() && eof_) break;
        // The buffer may hold more than a block (what the header's read brought in, or a fill's
        // minimum read); a round still parses at most one block when a record ends within it.
        std::size_t length = buffer_.size() > block ? last_boundary(buffer_.data(), block) : npos;
        if (length == npos) {
            length = eof_ ? buffer_.size() : last_boundary(buffer_.data(), buffer_.size());
        }
        // A record longer than a short block: read a whole block first, so that the limit below
        // is checked at the same buffer sizes as with blocks of options_.block_bytes.
        if (length == npos && buffer_.size() < options_.block_bytes) {
            fill(options_.block_bytes);
            length = eof_ ? buffer_.size() : last_boundary(buffer_.data(), buffer_.size());
        }
        while (length == npos) {
            if (buffer_.size() > options_.max_record_bytes) {
                throw Error(where(path_, next_line_) + ": a record longer than " +
                            std::to_string(options_.max_record_bytes >> 20) +
                            " MiB; is a quote left open?");
            }
            fill(buffer_.size() * 2);
            length = eof_ ? buffer_.size() : last_boundary(buffer_.data(), buffer_.size());
        }

        // Cut [0, length) into parts that end on record boundaries.
        const char* b = buffer_.data();
        unsigned parts = length < (std::size_t{16} << 10) ? 1u : threads_;
        cuts[0] = 0;
        std::size_t quotes = 0;
        std::size_t counted = 0;
        for (unsigned i = 1; i < parts; ++i) {
            std::size_t target = std::max(cuts[i - 1], length / parts * i);
            quotes += count_quotes(b + counted, b + target);
            counted = target;
            std::size_t cut = length;
            std::size_t from = target;
            while (from < length) {
                const void* nl = std::memchr(b + from, '\n', length - from);
                if (nl == nullptr) break;
                std::size_t pos = static_cast<const char*>(nl) - b;
                quotes += count_quotes(b + counted, b + pos);
                counted = pos;
                if (quotes % 2 == 0) {
                    cut = pos + 1;
                    break;
                }
                from = pos + 1;
            }
            cuts[i] = cut;
        }
        cuts[parts] = length;

        pool.run(parts, [&](unsigned i) { parsers[i].parse(b + cuts[i], b + cuts[i + 1]); });

        std::uint64_t line = next_line_;
        const std::uint64_t rows_before = rows;
        for (unsigned i = 0; i < parts; ++i) {
            PartParser& parser = parsers[i];
            if (!parser.error.empty()) {
                throw Error(where(path_, line + parser.error_line) + ": " + parser.error);
            }
            batches[i].first_line_ = line;
            batches[i].first_row_ = rows;
            line += parser.lines;
            rows += batches[i].size();
        }

        if (order == ScanOrder::Parallel) {
            pool.run(parts, [&](unsigned i) {
                if (batches[i].size() > 0) consume(i, batches[i]);
            });
        } else {
            for (unsigned i = 0; i < parts; ++i) {
                if (batches[i].size() > 0) consume(0, batches[i]);
            }
        }
        next_line_ = line;
        buffer_.erase(0, length);
        block = block_for(length, rows - rows_before);
    }
    return rows;
}

std::vector<std::string> split_record(std::string_view record, char delimiter,
                                      std::string_view where_text) {
    std::vector<std::string> fields;
    std::string field;
    std::size_t i = 0;
    const std::size_t n = record.size();
    for (;;) {
        field.clear();
        if (i < n && record[i] == '"') {
            ++i;
            for (;;) {
                if (i >= n) {
                    throw Error(std::string(where_text) +
                                ": a quoted field is never closed (unterminated quote)");
                }
                if (record[i] == '"') {
                    if (i + 1 < n && record[i + 1] == '"') {
                        field.push_back('"');
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                field.push_back(record[i++]);
            }
            if (i < n && record[i] != delimiter) {
                throw Error(std::string(where_text) +
                            ": unexpected character after a closing quote (a quote inside a "
                            "field must be doubled)");
            }
        } else {
            while (i < n && record[i] != delimiter) {
                if (record[i] == '"') {
                    throw Error(std::string(where_text) +
                                ": a quote inside an unquoted field (quote the whole field and "
                                "double the quote, as RFC 4180 asks)");
                }
                field.push_back(record[i++]);
            }
        }
        fields.push_back(field);
        if (i >= n) break;
        ++i;  // the delimiter
    }
    return fields;
}

std::string quote_field(std::string_view field, char delimiter) {
    bool needs =
        field.find_first_of(std::string{'"', '\n', '\r', delimiter}) != std::string_view::npos;
    if (!needs) return std::string(field);
    std::string out = "\"";
    for (char c : field) {
        if (c == '"') out.push_back('"');
        out.push_back(c);
    }
    out.push_back('"');
    return out;
}

}  // namespace mlstrat::io
