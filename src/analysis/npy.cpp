// Reading numpy's .npy format: the magic, a version, a header that is a Python dict literal
// ({'descr': '<f8', 'fortran_order': False, 'shape': (N, K), }) and the raw array. Only what a
// classifier's predict_proba gives is accepted: 2-D, C order, little-endian float32/float64.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iterator>

#include "analysis/labels/prob_matrix.hpp"
#include "common/page_block.hpp"
#include "mlstrat/analysis.hpp"
#include "mlstrat/support/error.hpp"

namespace mlstrat::analysis {

namespace {

// The text after `'key':` in the header, with leading spaces removed.
std::string_view value_of(std::string_view header, std::string_view key, const std::string& path) {
    std::string quoted(1, '\'');  // appended piece by piece: GCC 12 misreads "'" + key + "'"
    quoted.append(key);
    quoted += '\'';
    auto at = header.find(quoted);
    MLSTRAT_CHECK(at != std::string_view::npos, path, ": the .npy header has no ", quoted,
                  " entry: ", header);
    std::string_view rest = header.substr(at + quoted.size());
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    MLSTRAT_CHECK(!rest.empty() && rest.front() == ':', path, ": malformed .npy header: ", header);
    rest.remove_prefix(1);
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    return rest;
}

std::uint64_t parse_dim(std::string_view& text, const std::string& path, std::string_view header) {
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    std::uint64_t v = 0;
    std::size_t digits = 0;
    while (!text.empty() && text.front() >= '0' && text.front() <= '9') {
        MLSTRAT_CHECK(v < (std::uint64_t{1} << 50), path, ": .npy shape is too large: ", header);
        v = v * 10 + static_cast<std::uint64_t>(text.front() - '0');
        text.remove_prefix(1);
        ++digits;
    }
    MLSTRAT_CHECK(digits > 0, path, ": .npy shape is not a tuple of sizes: ", header);
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    return v;
}

}  // namespace

// An open .npy file: where its values start and how wide each is.
class NpyFile {
 public:
    NpyFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
    ~NpyFile() { ::close(fd_); }
    NpyFile(const NpyFile&) = delete;
    NpyFile& operator=(const NpyFile&) = delete;

    /// Reads `count` bytes at `offset` of the file into `out`.
    void read(void* out, std::size_t count, std::uint64_t offset) const {
        auto* to = static_cast<char*>(out);
        while (count > 0) {
            const ssize_t got = ::pread(fd_, to, count, static_cast<off_t>(offset));
            if (got < 0 && errno == EINTR) continue;
            if (got < 0)
                throw Error(ErrorCode::Io, path_ + ": cannot read: " + std::strerror(errno));
            if (got == 0)
                throw Error(ErrorCode::Io, path_ + ": the file got shorter while it was read");
            to += got;
            offset += static_cast<std::uint64_t>(got);
            count -= static_cast<std::size_t>(got);
        }
    }

    /// Values [first, first + count) of the array, as doubles.
    void values(std::size_t first, std::size_t count, double* out) const {
        if (item == 8) {
            read(out, count * 8, data_start + first * 8);
            return;
        }
        float piece[4096];  // float32 files are converted a few pages at a time
        for (std::size_t done = 0; done < count;) {
            const std::size_t n = std::min(count - done, std::size(piece));
            read(piece, n * 4, data_start + (first + done) * 4);
            for (std::size_t i = 0; i < n; ++i) out[done + i] = piece[i];
            done += n;
        }
    }

    std::uint64_t data_start = 0;
    std::size_t item = 8;

 private:
    int fd_;
    std::string path_;
};

const double* ProbMatrix::data() const {
    if (file != nullptr) {
        throw Error(ErrorCode::Internal,
                    "ProbMatrix::data: these probabilities are read from their "
                    "file piece by piece (read_rows)");
    }
    return mapped != nullptr ? mapped : probs.data();
}

const double* ProbMatrix::read_rows(std::size_t first, std::size_t count,
                                    std::vector<double>& buffer) const {
    if (file == nullptr) return data() + first * classes;
    buffer.resize(count * classes);
    file->values(first * classes, count * classes, buffer.data());
    return buffer.data();
}

ProbMatrix open_npy(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        throw Error(ErrorCode::Io, path + ": cannot open: " + std::strerror(errno));
    }
    auto file = std::make_shared<NpyFile>(fd, path);  // closes fd from here on
    struct stat info {};
    if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
        throw Error(ErrorCode::Io, path + ": not a regular file");
    }
    const auto size = static_cast<std::uint64_t>(info.st_size);
    MLSTRAT_CHECK(size >= 10, path, ": not a .npy file (save the probabilities with numpy.save)");
    char prefix[12] = {};
    file->read(prefix, std::min<std::uint64_t>(size, sizeof prefix), 0);

    static constexpr char kMagic[] = "\x93NUMPY";
    MLSTRAT_CHECK(std::memcmp(prefix, kMagic, 6) == 0, path,
                  ": not a .npy file (save the probabilities with numpy.save)");
    const auto major = static_cast<unsigned char>(prefix[6]);
    std::uint64_t header_len = 0, header_start = 0;
    if (major == 1) {
        header_len = static_cast<unsigned char>(prefix[8]) |
                     (std::uint64_t{static_cast<unsigned char>(prefix[9])} << 8);
        header_start = 10;
    } else if (major == 2 || major == 3) {
        MLSTRAT_CHECK(size >= 12, path, ": truncated .npy header");
        for (int b = 0; b < 4; ++b) {
            header_len |= std::uint64_t{static_cast<unsigned char>(prefix[8 + b])} << (8 * b);
        }
        header_start = 12;
    } else {
        throw Error(path + ": unsupported .npy format version " + std::to_string(major));
    }
    MLSTRAT_CHECK(size >= header_start + header_len, path, ": truncated .npy header");
    std::string header_text(header_len, '\0');
    file->read(header_text.data(), header_len, header_start);
    const std::string_view header = header_text;

    std::string_view descr = value_of(header, "descr", path);
    if (descr.substr(0, 5) == "'<f8'") {
        file->item = 8;
    } else if (descr.substr(0, 5) == "'<f4'") {
        file->item = 4;
    } else {
        throw Error(path + ": .npy dtype is " + std::string(descr.substr(0, descr.find(','))) +
                    "; probabilities must be float32 or float64 ('<f4' or '<f8'), little-endian");
    }
    std::string_view order = value_of(header, "fortran_order", path);
    MLSTRAT_CHECK(order.substr(0, 5) == "False", path,
                  ": the .npy array is in Fortran order; save it in C order "
                  "(numpy.ascontiguousarray)");
    std::string_view shape = value_of(header, "shape", path);
    MLSTRAT_CHECK(!shape.empty() && shape.front() == '(', path, ": malformed .npy shape: ", header);
    shape.remove_prefix(1);
    std::vector<std::uint64_t> dims;
    while (!shape.empty() && shape.front() != ')') {
        dims.push_back(parse_dim(shape, path, header));
        if (!shape.empty() && shape.front() == ',') shape.remove_prefix(1);
        while (!shape.empty() && shape.front() == ' ') shape.remove_prefix(1);
    }
    MLSTRAT_CHECK(!shape.empty(), path, ": malformed .npy shape: ", header);
    MLSTRAT_CHECK(dims.size() == 2, path, ": the .npy array has ", dims.size(),
                  " dimensions; probabilities must be a 2-D array of N rows by K classes");

    ProbMatrix m;
    m.rows = dims[0];
    m.classes = dims[1];
    file->data_start = header_start + header_len;
    const std::uint64_t count = m.rows * m.classes;
    MLSTRAT_CHECK(size - file->data_start == count * file->item, path, ": the .npy data holds ",
                  size - file->data_start, " bytes but shape (", m.rows, ", ", m.classes, ") of ",
                  file->item == 8 ? "float64" : "float32", " needs ", count * file->item);
    m.file = std::move(file);
    return m;
}

ProbMatrix read_npy(const std::string& path) {
    ProbMatrix m = open_npy(path);
    const std::size_t count = m.rows * m.classes;
    auto values = std::make_shared<detail::PageBlock<double>>(count, /*sequential=*/true);
    if (count > 0) m.file->values(0, count, values->data());
    m.mapped = values->data();
    m.mapping = std::move(values);
    m.file = nullptr;
    return m;
}

}  // namespace mlstrat::analysis
