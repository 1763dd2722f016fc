#pragma once
// Thumbnails for the review pages (private to src/report/): an image reference as a table holds
// it — a PNG/JPEG file (stb_image), or FILE.idx#N / FILE.idx.gz#N / FILE-ubyte.gz#N for image N of
// an IDX file — turned into a small PNG or JPEG embedded as a data: URI.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "mlstrat/support/io.hpp"

namespace mlstrat::report::detail {

/// Whether `cell` reads as an image reference: a path ending in an image extension, or an IDX
/// file with '#N'.
bool looks_like_image(std::string_view cell);

/// `bytes` in base64 (RFC 4648, with padding).
std::string base64(std::string_view bytes);

/// Turns image references into data: URIs, reading each IDX file once.
class Thumbnailer {
 public:
    /// Relative references resolve against the first of `roots` where the file exists; images
    /// larger than `max_side` pixels are shrunk (area average) to fit.
    Thumbnailer(std::vector<std::string> roots, unsigned max_side)
        : roots_(std::move(roots)), max_side_(max_side) {}

    /// The thumbnail of `ref` as a data: URI. Throws Error starting with `at` ("sheet.csv:7")
    /// when the file is missing, cannot be decoded, or the IDX index is out of range.
    std::string data_uri(const std::string& ref, const std::string& at);

 private:
    struct Pixels {
        int width = 0, height = 0, channels = 0;
        std::vector<unsigned char> bytes;  // row-major, interleaved channels
    };
    std::string resolve(const std::string& path, const std::string& at, const char* what) const;
    Pixels idx_image(const std::string& file, const std::string& index, const std::string& at);
    Pixels decode_file(const std::string& path, const std::string& at) const;
    Pixels shrink(const Pixels& p) const;
    static std::string encode(const Pixels& p);

    std::vector<std::string> roots_;
    unsigned max_side_;
    std::map<std::string, io::IdxArray> idx_files_;
};

}  // namespace mlstrat::report::detail
