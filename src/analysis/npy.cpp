// Reading numpy's .npy format: the magic, a version, a header that is a Python dict literal
// ({'descr': '<f8', 'fortran_order': False, 'shape': (N, K), }) and the raw array. Only what a
// classifier's predict_proba gives is accepted: 2-D, C order, little-endian float32/float64.

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/page_block.hpp"
#include "mlstrat/analysis.hpp"
#include "mlstrat/error.hpp"

namespace mlstrat::analysis {

namespace {

// The text after `'key':` in the header, with leading spaces removed.
std::string_view value_of(std::string_view header, std::string_view key, const std::string& path) {
    const std::string quoted = "'" + std::string(key) + "'";
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

ProbMatrix read_npy(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        throw Error(ErrorCode::Io, path + ": cannot open: " + std::strerror(errno));
    }
    struct stat info {};
    if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
        ::close(fd);
        throw Error(ErrorCode::Io, path + ": not a regular file");
    }
    const auto size = static_cast<std::size_t>(info.st_size);
    if (size < 10) {
        ::close(fd);
        throw Error(path + ": not a .npy file (save the probabilities with numpy.save)");
    }
    // Map the file's pages in place, all at once: a file just written is in the page cache, so
    // this costs neither a copy nor a page fault per page (each fault costs tens of microseconds
    // under virtualisation), and float64 data is used where it lies.
    void* region = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    ::close(fd);
    if (region == MAP_FAILED) {
        throw Error(ErrorCode::Io, path + ": cannot map: " + std::strerror(errno));
    }
    std::shared_ptr<const void> mapping(region, [size](const void* p) {
        ::munmap(const_cast<void*>(p), size);
    });
    const std::string_view bytes(static_cast<const char*>(region), size);

    static constexpr char kMagic[] = "\x93NUMPY";
    MLSTRAT_CHECK(std::memcmp(bytes.data(), kMagic, 6) == 0, path,
                  ": not a .npy file (save the probabilities with numpy.save)");
    const auto major = static_cast<unsigned char>(bytes[6]);
    std::size_t header_len = 0, header_start = 0;
    if (major == 1) {
        header_len = static_cast<unsigned char>(bytes[8]) |
                     (static_cast<std::size_t>(static_cast<unsigned char>(bytes[9])) << 8);
        header_start = 10;
    } else if (major == 2 || major == 3) {
        MLSTRAT_CHECK(bytes.size() >= 12, path, ": truncated .npy header");
        for (int b = 0; b < 4; ++b) {
            header_len |= static_cast<std::size_t>(static_cast<unsigned char>(bytes[8 + b])) << (8 * b);
        }
        header_start = 12;
    } else {
        throw Error(path + ": unsupported .npy format version " + std::to_string(major));
    }
    MLSTRAT_CHECK(bytes.size() >= header_start + header_len, path, ": truncated .npy header");
    const std::string_view header = bytes.substr(header_start, header_len);

    std::string_view descr = value_of(header, "descr", path);
    std::size_t item = 0;
    if (descr.substr(0, 5) == "'<f8'") {
        item = 8;
    } else if (descr.substr(0, 5) == "'<f4'") {
        item = 4;
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
    const std::size_t count = m.rows * m.classes;
    const std::size_t data_start = header_start + header_len;
    MLSTRAT_CHECK(bytes.size() - data_start == count * item, path, ": the .npy data holds ",
                  bytes.size() - data_start, " bytes but shape (", m.rows, ", ", m.classes,
                  ") of ", item == 8 ? "float64" : "float32", " needs ", count * item);
    const char* data = bytes.data() + data_start;
    if (item == 8 && reinterpret_cast<std::uintptr_t>(data) % alignof(double) == 0) {
        m.mapped = reinterpret_cast<const double*>(data);
        m.mapping = std::move(mapping);
        return m;
    }
    auto values = std::make_shared<detail::PageBlock<double>>(count, /*sequential=*/true);
    double* out = values->data();
    for (std::size_t i = 0; i < count; ++i) {
        if (item == 8) {
            std::memcpy(out + i, data + i * 8, 8);
        } else {
            float f;
            std::memcpy(&f, data + i * 4, 4);
            out[i] = f;
        }
    }
    m.mapped = out;
    m.mapping = std::move(values);
    return m;
}

}  // namespace mlstrat::analysis
