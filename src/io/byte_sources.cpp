// Byte sources: a plain file, a gzip stream (several members allowed), a byte range of a file;
// and where the records of a shard start.

#include "io/byte_sources.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>

#include "io/scan_kernels.hpp"
#include "mlstrat/support/error.hpp"

namespace mlstrat::io {

namespace detail {

namespace {

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
        std::size_t got =
            file_.read(dst, static_cast<std::size_t>(std::min<std::uint64_t>(n, left_)));
        left_ -= got;
        return got;
    }

 private:
    FileSource file_;
    std::uint64_t left_;
};

}  // namespace

std::unique_ptr<ByteSource> open_range(int fd, const std::string& path, std::uint64_t offset,
                                       std::uint64_t length) {
    return std::make_unique<RangeSource>(fd, path, offset, length);
}

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
                const char* stop =
                    b + std::min<std::uint64_t>(static_cast<std::uint64_t>(got), watch - offset);
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

}  // namespace detail

std::unique_ptr<ByteSource> open_bytes(const std::string& path) {
    return std::make_unique<detail::CheckedSource>(detail::open_source(path), path);
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
