// The streaming CSV/TSV reader. A block of bytes that ends on a record boundary is cut into one
// part per worker; workers parse their parts into RowBatches in parallel, then the batches are
// handed to the caller, in parallel or in file order. Record boundaries are found by quote
// parity: in valid RFC 4180 text a line feed ends a record exactly when an even number of
// quotes precedes it, and text that breaks the rules fails to parse in some part, so a
// malformed file is always reported, whatever the cut.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <deque>
#include <exception>
#include <memory>
#include <thread>

#include "common/page_block.hpp"
#include "common/worker_pool.hpp"
#include "mlstrat/error.hpp"
#include "mlstrat/io.hpp"

namespace mlstrat::io {

namespace {

constexpr std::size_t npos = static_cast<std::size_t>(-1);

std::string errno_text(int err) { return std::strerror(err); }

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Record boundaries hang on this count, taken over every block on the reading thread alone, so
// it is vectorised by hand: matches are summed in byte lanes (at most 255 rounds, so no lane
// overflows), which std::count's generic code does with far more work per byte.
std::size_t count_quotes(const char* b, const char* e) {
    std::size_t n = 0;
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    while (e - b >= 16) {
        const char* stop = b + std::min<std::ptrdiff_t>((e - b) / 16, 255) * 16;
        __m128i lanes = _mm_setzero_si128();
        for (; b < stop; b += 16) {
            const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b));
            lanes = _mm_sub_epi8(lanes, _mm_cmpeq_epi8(x, quote));  // a match is -1
        }
        const __m128i sums = _mm_sad_epu8(lanes, _mm_setzero_si128());
        n += static_cast<std::size_t>(_mm_cvtsi128_si64(sums)) +
             static_cast<std::size_t>(_mm_cvtsi128_si64(_mm_unpackhi_epi64(sums, sums)));
    }
#endif
    return n + static_cast<std::size_t>(std::count(b, e, '"'));
}

// Offset just past the first line feed of [b, b+n) that ends a record, or npos.
std::size_t first_boundary(const char* b, std::size_t n) {
    std::size_t quotes = 0;
    std::size_t from = 0;
    while (from < n) {
        const void* nl = std::memchr(b + from, '\n', n - from);
        if (nl == nullptr) return npos;
        std::size_t pos = static_cast<const char*>(nl) - b;
        quotes += count_quotes(b + from, b + pos);
        if (quotes % 2 == 0) return pos + 1;
        from = pos + 1;
    }
    return npos;
}

// Offset just past the last line feed of [b, b+n) that ends a record, or npos.
std::size_t last_boundary(const char* b, std::size_t n) {
    std::size_t quotes = count_quotes(b, b + n);
    std::size_t end = n;
    while (end > 0) {
        const void* nl = memrchr(b, '\n', end);
        if (nl == nullptr) return npos;
        std::size_t pos = static_cast<const char*>(nl) - b;
        quotes -= count_quotes(b + pos + 1, b + end);
        if (quotes % 2 == 0) return pos + 1;
        end = pos;
    }
    return npos;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Byte sources: a plain file or a gzip stream (several members allowed).

namespace {

// Thrown by the gzip source for bad data; the table reader adds the line, open_bytes the path.
struct CorruptData : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class FileSource final : public ByteSource {
 public:
    FileSource(int fd, std::string path) : fd_(fd), path_(std::move(path)) {
        posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
    }
    ~FileSource() override { ::close(fd_); }
    std::size_t read(char* dst, std::size_t n) override {
        for (;;) {
            ssize_t got = ::read(fd_, dst, n);
            if (got >= 0) return static_cast<std::size_t>(got);
            if (errno != EINTR) {
                throw Error(ErrorCode::Io, path_ + ": read failed (" + errno_text(errno) + ")");
            }
        }
    }

 private:
    int fd_;
    std::string path_;
};

class GzipSource final : public ByteSource {
 public:
    explicit GzipSource(std::unique_ptr<ByteSource> raw) : raw_(std::move(raw)) {
        std::memset(&z_, 0, sizeof z_);
        if (inflateInit2(&z_, 15 + 32) != Z_OK) throw std::runtime_error("zlib failed to start");
        in_ = std::make_unique<char[]>(kIn);
    }
    ~GzipSource() override { inflateEnd(&z_); }

    std::size_t read(char* dst, std::size_t n) override {
        if (done_) return 0;
        z_.next_out = reinterpret_cast<Bytef*>(dst);
        z_.avail_out = static_cast<uInt>(std::min<std::size_t>(n, 1u << 30));
        while (z_.avail_out > 0) {
            if (z_.avail_in == 0 && !in_eof_) {
                std::size_t got = raw_->read(in_.get(), kIn);
                if (got == 0) {
                    in_eof_ = true;
                } else {
                    z_.next_in = reinterpret_cast<Bytef*>(in_.get());
                    z_.avail_in = static_cast<uInt>(got);
                }
            }
            if (z_.avail_in == 0 && in_eof_) {
                if (member_open_) throw CorruptData("the gzip data is truncated");
                done_ = true;
                break;
            }
            int rc = inflate(&z_, Z_NO_FLUSH);
            member_open_ = true;
            if (rc == Z_STREAM_END) {
                member_open_ = false;
                inflateReset(&z_);  // another member may follow
            } else if (rc == Z_BUF_ERROR) {
                if (z_.avail_in == 0 && in_eof_) throw CorruptData("the gzip data is truncated");
            } else if (rc != Z_OK) {
                throw CorruptData(std::string("the gzip data is corrupt (") +
                                         (z_.msg != nullptr ? z_.msg : "inflate failed") + ")");
            }
        }
        return n - z_.avail_out;
    }

 private:
    static constexpr std::size_t kIn = 1 << 18;
    std::unique_ptr<ByteSource> raw_;
    std::unique_ptr<char[]> in_;
    z_stream z_;
    bool in_eof_ = false;
    bool member_open_ = false;
    bool done_ = false;
};

// Reads the first bytes of a file so the gzip magic can be checked, then replays them.
class PeekSource final : public ByteSource {
 public:
    PeekSource(std::unique_ptr<ByteSource> raw, std::string head)
        : raw_(std::move(raw)), head_(std::move(head)) {}
    std::size_t read(char* dst, std::size_t n) override {
        if (pos_ < head_.size()) {
            std::size_t k = std::min(n, head_.size() - pos_);
            std::memcpy(dst, head_.data() + pos_, k);
            pos_ += k;
            return k;
        }
        return raw_->read(dst, n);
    }

 private:
    std::unique_ptr<ByteSource> raw_;
    std::string head_;
    std::size_t pos_ = 0;
};

// Converts CorruptData into Error(Io) naming the file, for callers other than the table reader.
class CheckedSource final : public ByteSource {
 public:
    CheckedSource(std::unique_ptr<ByteSource> inner, std::string path)
        : inner_(std::move(inner)), path_(std::move(path)) {}
    std::size_t read(char* dst, std::size_t n) override {
        try {
            return inner_->read(dst, n);
        } catch (const CorruptData& e) {
            throw Error(ErrorCode::Io, path_ + ": " + e.what());
        }
    }

 private:
    std::unique_ptr<ByteSource> inner_;
    std::string path_;
};

// The bytes [offset, offset + length) of a plain file.
class RangeSource final : public ByteSource {
 public:
    RangeSource(int fd, const std::string& path, std::uint64_t offset, std::uint64_t length)
        : file_(fd, path), left_(length) {
        if (::lseek(fd, static_cast<off_t>(offset), SEEK_SET) < 0) {
            throw Error(ErrorCode::Io, path + ": seek failed (" + errno_text(errno) + ")");
        }
    }
    std::size_t read(char* dst, std::size_t n) override {
        if (left_ == 0) return 0;
        std::size_t got = file_.read(dst, static_cast<std::size_t>(std::min<std::uint64_t>(n, left_)));
        left_ -= got;
        return got;
    }

 private:
    FileSource file_;
    std::uint64_t left_;
};

// Where a shard starts: the first record start at or after a byte offset, and its line.
struct RecordStart {
    std::uint64_t offset = 0;
    std::uint64_t line = 1;
};

// The first record start at or after each of `targets` (ascending, each past the header, whose
// record ends at `header_end`). A line feed ends a record exactly when an even number of quotes
// precedes it in the file, so the quotes are counted from the start: the prefix is read, but
// only counted, not parsed.
std::vector<RecordStart> record_starts(int fd, const std::string& path, std::uint64_t size,
                                       std::uint64_t header_end, std::uint64_t header_lines,
                                       const std::vector<std::uint64_t>& targets) {
    std::vector<RecordStart> out;
    std::vector<char> buffer(std::size_t{1} << 20);
    std::uint64_t quotes = 0, lines = 0, offset = 0;
    std::size_t next = 0;
    while (next < targets.size() && targets[next] <= header_end) {
        out.push_back({header_end, header_lines + 1});
        ++next;
    }
    while (next < targets.size() && offset < size) {
        ssize_t got = ::pread(fd, buffer.data(), buffer.size(), static_cast<off_t>(offset));
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) throw Error(ErrorCode::Io, path + ": read failed (" + errno_text(errno) + ")");
        if (got == 0) break;
        const char* b = buffer.data();
        const char* e = b + got;
        const char* p = b;
        // Bytes before the line feed that may end the next target's record are only counted.
        while (p < e && next < targets.size()) {
            const std::uint64_t at = offset + static_cast<std::uint64_t>(p - b);
            const std::uint64_t watch = targets[next] - 1;  // a line feed here starts targets[next]
            if (at < watch) {
                const char* stop = b + std::min<std::uint64_t>(static_cast<std::uint64_t>(got),
                                                               watch - offset);
                quotes += count_quotes(p, stop);
                lines += static_cast<std::uint64_t>(std::count(p, stop, '\n'));
                p = stop;
                continue;
            }
            const char* nl = static_cast<const char*>(std::memchr(p, '\n', e - p));
            if (nl == nullptr) {
                quotes += count_quotes(p, e);
                p = e;
                break;
            }
            quotes += count_quotes(p, nl);
            ++lines;
            p = nl + 1;
            if (quotes % 2 == 0) {
                const std::uint64_t start = offset + static_cast<std::uint64_t>(p - b);
                while (next < targets.size() && targets[next] <= start) {
                    out.push_back({start, lines + 1});
                    ++next;
                }
            }
        }
        offset += static_cast<std::uint64_t>(got);
    }
    while (out.size() < targets.size()) out.push_back({size, lines + 1});
    return out;
}

std::unique_ptr<ByteSource> open_source(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        throw Error(ErrorCode::Io, path + ": cannot open (" + errno_text(errno) + ")");
    }
    auto raw = std::make_unique<FileSource>(fd, path);
    std::string head(2, '\0');
    std::size_t got = 0;
    while (got < 2) {
        std::size_t k = raw->read(head.data() + got, 2 - got);
        if (k == 0) break;
        got += k;
    }
    head.resize(got);
    bool gzip = got == 2 && static_cast<unsigned char>(head[0]) == 0x1f &&
                static_cast<unsigned char>(head[1]) == 0x8b;
    std::unique_ptr<ByteSource> source =
        std::make_unique<PeekSource>(std::move(raw), std::move(head));
    if (gzip) source = std::make_unique<GzipSource>(std::move(source));
    return source;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Parsing one part of a block.

namespace {

// Finds the bytes that end an unquoted field: the delimiter, '\n', '\r' and '"'. It keeps a bit
// mask of where they are in a window of 64 bytes, so a short field (a row of one digit, say)
// costs a shift and a count of trailing zeros, not a vector compare of its own. The bytes must
// not change while the scanner is in use; a position before the window reloads it.
class FieldScanner {
 public:
    FieldScanner(char delimiter, const char* begin, const char* end) : end_(end) {
        stop_[static_cast<unsigned char>(delimiter)] = true;
        stop_['\n'] = stop_['\r'] = stop_['"'] = true;
#if defined(__SSE2__)
        delimiter_ = _mm_set1_epi8(delimiter);
        newline_ = _mm_set1_epi8('\n');
        carriage_ = _mm_set1_epi8('\r');
        quote_ = _mm_set1_epi8('"');
#endif
        load(begin);
    }

    // The first stop byte in [p, end), or end.
    const char* next_stop(const char* p) {
        for (;;) {
            const auto off = static_cast<std::size_t>(p - window_);
            if (off < 64) {
                const std::uint64_t rest = stops_ >> off;
                if (rest != 0) return p + __builtin_ctzll(rest);
                if (end_ - window_ <= 64) return end_;
                p = window_ + 64;  // none in the rest of this window: go on from the next
                load(p);
            } else {
                // A quoted field moved p past the window.
                if (p >= end_) return end_;
                load(p);
            }
        }
    }

 private:
    // Bit i of stops_: window_[i] is a stop byte (only bytes before end_ count).
    void load(const char* w) {
        window_ = w;
        stops_ = 0;
        if (end_ - w >= 64) {
#if defined(__SSE2__)
            for (int i = 0; i < 4; ++i) {
                __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w + 16 * i));
                __m128i hit = _mm_or_si128(
                    _mm_or_si128(_mm_cmpeq_epi8(x, delimiter_), _mm_cmpeq_epi8(x, newline_)),
                    _mm_or_si128(_mm_cmpeq_epi8(x, carriage_), _mm_cmpeq_epi8(x, quote_)));
                stops_ |= static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(hit)))
                          << (16 * i);
            }
            return;
#endif
        }
        const std::ptrdiff_t n = std::min<std::ptrdiff_t>(end_ - w, 64);
        for (std::ptrdiff_t i = 0; i < n; ++i) {
            if (stop_[static_cast<unsigned char>(w[i])]) stops_ |= std::uint64_t{1} << i;
        }
    }

    std::array<bool, 256> stop_{};
    const char* end_;
    const char* window_ = nullptr;
    std::uint64_t stops_ = 0;
#if defined(__SSE2__)
    __m128i delimiter_, newline_, carriage_, quote_;
#endif
};

}  // namespace

struct PartParser {
    // Inputs, set once per scan.
    char delimiter = ',';
    std::size_t fields = 0;          // columns in the header
    const int* slot_of_column = nullptr;  // -1 for columns not selected
    std::size_t width = 0;
    bool keep_raw = false;

    // Outputs, per block.
    RowBatch batch;
    std::uint64_t lines = 0;        // line feeds consumed
    std::string error;              // first malformed record, if any
    std::uint64_t error_line = 0;   // its line offset from the part's start
    std::deque<std::string> unescaped;

    void parse(const char* begin, const char* end) {
        batch.width_ = width;
        batch.cells_.clear();
        batch.raw_.clear();
        batch.lines_.clear();
        unescaped.clear();
        error.clear();
        lines = 0;
        // Room for the most records the part can hold (a record of n fields takes at least n
        // bytes, n - 1 delimiters and a line feed, and a blank line is no record) before the
        // first is written, so the lists neither move while growing nor fault page by page.
        const std::size_t most_rows = static_cast<std::size_t>(end - begin) / std::max<std::size_t>(fields, 2) + 1;
        reserve_rows(batch.cells_, most_rows * width);
        reserve_rows(batch.lines_, most_rows);
        if (keep_raw) reserve_rows(batch.raw_, most_rows);

        const char d = delimiter;
        FieldScanner scanner(d, begin, end);
        // A table of one column, read whole (a list of labels, say): a record that is one plain
        // field and its line end needs none of the general loop's bookkeeping.
        const bool one_cell = fields == 1 && width == 1 && slot_of_column[0] == 0;

        const char* p = begin;
        std::uint64_t line = 0;
        while (p < end) {
            // Blank lines carry no record.
            if (*p == '\n') {
                ++p;
                ++line;
                continue;
            }
            if (*p == '\r' && p + 1 < end && p[1] == '\n') {
                p += 2;
                ++line;
                continue;
            }
            if (one_cell && *p != '"') {
                // What the loop below does for such a record; anything else goes there.
                const char* stop = scanner.next_stop(p);
                const char* next = nullptr;
                if (stop < end && *stop == '\n') {
                    next = stop + 1;
                } else if (end - stop >= 2 && *stop == '\r' && stop[1] == '\n') {
                    next = stop + 2;
                }
                if (next != nullptr) {
                    const std::string_view field(p, static_cast<std::size_t>(stop - p));
                    batch.cells_.push_back(field);
                    batch.lines_.push_back(static_cast<std::uint32_t>(line));
                    if (keep_raw) batch.raw_.push_back(field);
                    p = next;
                    ++line;
                    continue;
                }
            }
            const char* record = p;
            const std::uint64_t record_line = line;
            const std::size_t base = batch.cells_.size();
            batch.cells_.resize(base + width);
            std::size_t column = 0;
            const char* record_end = end;
            for (;;) {
                std::string_view field;
                if (p < end && *p == '"') {
                    const char* s = ++p;
                    bool escaped = false;
                    for (;;) {
                        const char* q = static_cast<const char*>(std::memchr(p, '"', end - p));
                        if (q == nullptr) {
                            return fail(record_line, "a quoted field is never closed (unterminated quote)");
                        }
                        line += static_cast<std::uint64_t>(std::count(p, q, '\n'));
                        if (q + 1 < end && q[1] == '"') {
                            escaped = true;
                            p = q + 2;
                            continue;
                        }
                        field = std::string_view(s, q - s);
                        p = q + 1;
                        break;
                    }
                    if (escaped) field = unescape(field);
                    if (p < end && *p != d && *p != '\n' &&
                        !(*p == '\r' && (p + 1 == end || p[1] == '\n'))) {
                        return fail(line, "unexpected character after a closing quote (a quote "
                                          "inside a field must be doubled)");
                    }
                } else {
                    const char* s = p;
                    p = scanner.next_stop(p);
                    if (p < end && *p == '"') {
                        return fail(line, "a quote inside an unquoted field (quote the whole field "
                                          "and double the quote, as RFC 4180 asks)");
                    }
                    if (p < end && *p == '\r' && p + 1 < end && p[1] != '\n') {
                        return fail(line, "a carriage return that is not followed by a line feed");
                    }
                    field = std::string_view(s, p - s);
                }
                if (column < fields) {
                    int slot = slot_of_column[column];
                    if (slot >= 0) batch.cells_[base + static_cast<std::size_t>(slot)] = field;
                }
                ++column;
                if (p >= end) {
                    record_end = end;
                    break;
                }
                if (*p == d) {
                    ++p;
                    continue;
                }
                record_end = p;
                if (*p == '\r') ++p;
                ++p;  // the line feed
                ++line;
                break;
            }
            if (column != fields) {
                return fail(record_line, "the row has " + std::to_string(column) +
                                             (column == 1 ? " field" : " fields") +
                                             " but the header has " + std::to_string(fields));
            }
            batch.lines_.push_back(static_cast<std::uint32_t>(record_line));
            if (keep_raw) {
                std::size_t n = static_cast<std::size_t>(record_end - record);
                if (n > 0 && record[n - 1] == '\r') --n;
                batch.raw_.emplace_back(record, n);
            }
        }
        lines = line;
    }

 private:
    std::string_view unescape(std::string_view quoted) {
        std::string& out = unescaped.emplace_back();
        out.reserve(quoted.size());
        for (std::size_t i = 0; i < quoted.size(); ++i) {
            out.push_back(quoted[i]);
            if (quoted[i] == '"') ++i;  // the second of a doubled quote
        }
        return out;
    }

    // Room for n values, no-op once there. Parts differ by a few rows, and growing by just as
    // many would move a list to fresh memory, to be faulted in again, at nearly every block.
    template <typename T>
    static void reserve_rows(std::vector<T>& v, std::size_t n) {
        if (v.capacity() >= n) return;
        detail::reserve_in_huge_pages(v, std::max(n, 2 * v.capacity()));
    }

    void fail(std::uint64_t at, std::string message) {
        error = std::move(message);
        error_line = at;
        batch.cells_.clear();
        batch.raw_.clear();
        batch.lines_.clear();
    }
};

// ---------------------------------------------------------------------------------------------

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
    if (buffer_.empty()) throw Error(where(path_, 1) + ": the file is empty; a header row is expected");

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
    next_line_ = 1 + static_cast<std::uint64_t>(std::count(buffer_.data(), buffer_.data() + end, '\n'));
    buffer_.erase(0, end);
    if (options_.shard_count != 1) start_shard(bom + end);
}

void TableReader::start_shard(std::uint64_t header_end) {
    const unsigned index = options_.shard_index, count = options_.shard_count;
    if (count == 0 || index >= count) {
        throw Error(ErrorCode::InvalidInput, "shard " + std::to_string(index) + "/" +
                                                 std::to_string(count) + ": the index must be 0 to "
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
                    path_ + ": a gzip'd file cannot be cut into byte ranges (its bytes only make "
                            "sense read from the start); decompress it, or use one shard (0/1)");
    }
    const auto size = static_cast<std::uint64_t>(st.st_size);
    // floor(size * i / count), without overflow: size = q * count + r and r * i < count^2.
    auto nominal = [&](unsigned i) {
        return size / count * i + size % count * i / count;
    };
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
    source_ = std::make_unique<RangeSource>(fd, path_, cuts[0].offset, cuts[1].offset - cuts[0].offset);
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
    throw Error(where(path_, 1) + ": no column '" + std::string(name) + "' in the header (columns: " +
                names + ")");
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
            std::uint64_t line = next_line_ + static_cast<std::uint64_t>(
                                                  std::count(buffer_.data(), buffer_.data() + old, '\n'));
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
    for (auto& parser : parsers) {
        parser.delimiter = delimiter_;
        parser.fields = header_.size();
        parser.slot_of_column = slot_of_column.data();
        parser.width = columns.size();
        parser.keep_raw = keep_raw;
        parser.batch.path_ = &path_;
    }
    detail::WorkerPool pool(threads_);
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
    std::size_t block = block_for(buffer_.size(), static_cast<std::uint64_t>(std::count(
                                                      buffer_.begin(), buffer_.end(), '\n')));

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
            parser.batch.first_line_ = line;
            parser.batch.first_row_ = rows;
            line += parser.lines;
            rows += parser.batch.size();
        }

        if (order == ScanOrder::Parallel) {
            pool.run(parts, [&](unsigned i) {
                if (parsers[i].batch.size() > 0) consume(i, parsers[i].batch);
            });
        } else {
            for (unsigned i = 0; i < parts; ++i) {
                if (parsers[i].batch.size() > 0) consume(0, parsers[i].batch);
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
    bool needs = field.find_first_of(std::string{'"', '\n', '\r', delimiter}) != std::string_view::npos;
    if (!needs) return std::string(field);
    std::string out = "\"";
    for (char c : field) {
        if (c == '"') out.push_back('"');
        out.push_back(c);
    }
    out.push_back('"');
    return out;
}

std::unique_ptr<ByteSource> open_bytes(const std::string& path) {
    return std::make_unique<CheckedSource>(open_source(path), path);
}

std::string read_file(const std::string& path) {
    auto source = open_bytes(path);
    std::string out;
    std::size_t used = 0;
    for (;;) {
        out.resize(used + (1 << 20));
        std::size_t got = 0;
        got = source->read(out.data() + used, 1 << 20);
        used += got;
        if (got == 0) break;
    }
    out.resize(used);
    return out;
}

}  // namespace mlstrat::io
