// IDX arrays (the format of MNIST and Fashion-MNIST): a magic number with the element type and
// the number of dimensions, the dimensions as big-endian 32-bit counts, then the elements in
// big-endian order. Read by training and by synth, written by synth; gzip both ways.

#include <zlib.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "mlstrat/support/error.hpp"
#include "mlstrat/support/io.hpp"

namespace mlstrat::io {

namespace {

std::uint32_t big_endian32(const unsigned char* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           std::uint32_t{p[3]};
}

void put_big_endian32(std::string& out, std::uint32_t v) {
    out.push_back(static_cast<char>(v >> 24));
    out.push_back(static_cast<char>(v >> 16));
    out.push_back(static_cast<char>(v >> 8));
    out.push_back(static_cast<char>(v));
}

template <typename T>
T load_big_endian(const unsigned char* p) {
    unsigned char bytes[sizeof(T)];
    for (std::size_t i = 0; i < sizeof(T); ++i) bytes[i] = p[sizeof(T) - 1 - i];
    T v;
    std::memcpy(&v, bytes, sizeof(T));
    return v;
}

template <typename T>
void store_big_endian(std::string& out, T v) {
    unsigned char bytes[sizeof(T)];
    std::memcpy(bytes, &v, sizeof(T));
    for (std::size_t i = 0; i < sizeof(T); ++i)
        out.push_back(static_cast<char>(bytes[sizeof(T) - 1 - i]));
}

// An integer element: rounded to nearest and clamped to the type's range.
template <typename T>
T to_integer(float v) {
    const double r = std::nearbyint(static_cast<double>(v));
    if (!(r >= static_cast<double>(std::numeric_limits<T>::min())))
        return std::numeric_limits<T>::min();
    if (r > static_cast<double>(std::numeric_limits<T>::max()))
        return std::numeric_limits<T>::max();
    return static_cast<T>(r);
}

}  // namespace

std::size_t idx_element_size(std::uint8_t type) {
    switch (type) {
        case 0x08:
        case 0x09:
            return 1;
        case 0x0B:
            return 2;
        case 0x0C:
        case 0x0D:
            return 4;
        case 0x0E:
            return 8;
        default:
            return 0;
    }
}

std::size_t IdxArray::items() const { return dims.empty() ? 0 : dims[0]; }

std::size_t IdxArray::item_size() const {
    std::size_t n = 1;
    for (std::size_t d = 1; d < dims.size(); ++d) n *= dims[d];
    return n;
}

IdxArray read_idx(const std::string& path) {
    const std::string bytes = read_file(path);
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    MLSTRAT_CHECK(bytes.size() >= 4, path, ": not an IDX file: ", bytes.size(),
                  " bytes, shorter than the 4-byte magic number");
    MLSTRAT_CHECK(p[0] == 0 && p[1] == 0, path,
                  ": not an IDX file: the magic number must start with two zero bytes");
    IdxArray out;
    out.type = p[2];
    const std::size_t elem = idx_element_size(out.type);
    MLSTRAT_CHECK(elem != 0, path, ": unknown IDX type code ", static_cast<int>(out.type),
                  " (expected 8, 9, 11, 12, 13 or 14)");
    const std::size_t ndim = p[3];
    MLSTRAT_CHECK(ndim >= 1, path, ": IDX file with 0 dimensions");
    const std::size_t header = 4 + 4 * ndim;
    MLSTRAT_CHECK(bytes.size() >= header, path, ": truncated IDX header: ", ndim,
                  " dimensions need ", header, " bytes, the file has ", bytes.size());
    std::size_t count = 1;
    for (std::size_t d = 0; d < ndim; ++d) {
        const std::uint32_t n = big_endian32(p + 4 + 4 * d);
        MLSTRAT_CHECK(n > 0, path, ": IDX dimension ", d, " is 0");
        out.dims.push_back(n);
        MLSTRAT_CHECK(count <= (std::size_t{1} << 40) / n, path, ": IDX dimensions too large");
        count *= n;
    }
    const std::size_t want = count * elem;
    const std::size_t have = bytes.size() - header;
    MLSTRAT_CHECK(have >= want, path, ": truncated IDX file: the dimensions need ", want,
                  " bytes of data, the file has ", have);
    MLSTRAT_CHECK(have == want, path, ": ", have - want, " unexpected bytes after the IDX data");
    out.values.resize(count);
    const unsigned char* data = p + header;
    for (std::size_t i = 0; i < count; ++i) {
        const unsigned char* e = data + i * elem;
        switch (out.type) {
            case 0x08:
                out.values[i] = static_cast<float>(e[0]);
                break;
            case 0x09:
                out.values[i] = static_cast<float>(static_cast<std::int8_t>(e[0]));
                break;
            case 0x0B:
                out.values[i] = static_cast<float>(load_big_endian<std::int16_t>(e));
                break;
            case 0x0C:
                out.values[i] = static_cast<float>(load_big_endian<std::int32_t>(e));
                break;
            case 0x0D:
                out.values[i] = load_big_endian<float>(e);
                break;
            default:
                out.values[i] = static_cast<float>(load_big_endian<double>(e));
                break;
        }
    }
    return out;
}

std::string idx_bytes(const IdxArray& a) {
    const std::size_t elem = idx_element_size(a.type);
    MLSTRAT_CHECK(elem != 0, "IDX type code ", static_cast<int>(a.type),
                  " is not one of 8, 9, 11, 12, 13, 14");
    MLSTRAT_CHECK(!a.dims.empty() && a.dims.size() <= 255,
                  "an IDX array needs 1 to 255 dimensions, not ", a.dims.size());
    std::size_t count = 1;
    for (auto d : a.dims) count *= d;
    MLSTRAT_CHECK(count == a.values.size(), "IDX dimensions hold ", count,
                  " elements, the array has ", a.values.size());
    std::string out;
    out.reserve(4 + 4 * a.dims.size() + count * elem);
    out.push_back(0);
    out.push_back(0);
    out.push_back(static_cast<char>(a.type));
    out.push_back(static_cast<char>(a.dims.size()));
    for (auto d : a.dims) put_big_endian32(out, d);
    for (float v : a.values) {
        switch (a.type) {
            case 0x08:
                out.push_back(static_cast<char>(to_integer<std::uint8_t>(v)));
                break;
            case 0x09:
                out.push_back(static_cast<char>(to_integer<std::int8_t>(v)));
                break;
            case 0x0B:
                store_big_endian(out, to_integer<std::int16_t>(v));
                break;
            case 0x0C:
                store_big_endian(out, to_integer<std::int32_t>(v));
                break;
            case 0x0D:
                store_big_endian(out, v);
                break;
            default:
                store_big_endian(out, static_cast<double>(v));
                break;
        }
    }
    return out;
}

std::string gzip_bytes(std::string_view bytes, int level) {
    z_stream z{};
    // 15 + 16: a gzip wrapper; zlib leaves the header's time stamp 0, so equal input gives
    // byte-identical output.
    if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        throw Error(ErrorCode::Internal, "zlib failed to start a gzip stream");
    }
    std::string out(deflateBound(&z, static_cast<uLong>(bytes.size())), '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
    z.avail_in = static_cast<uInt>(bytes.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    if (rc != Z_STREAM_END) throw Error(ErrorCode::Internal, "zlib failed to compress");
    return out;
}

void write_idx(AtomicFile& out, const IdxArray& a) {
    const std::string& path = out.path();
    const bool gz = path.size() >= 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
    out.write(gz ? gzip_bytes(idx_bytes(a)) : idx_bytes(a));
}

}  // namespace mlstrat::io
