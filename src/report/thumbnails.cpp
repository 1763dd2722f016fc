// Thumbnails for the review pages: decode, shrink to fit a square of a few tens of pixels (a
// person recognises a garment or a face at that size, and a page of a thousand cards stays a few
// MB), and encode as PNG (grayscale and small images, exact) or JPEG (large colour images).

#include "report/thumbnails.hpp"

#include <stb_image.h>
#include <stb_image_write.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "io/idx_images.hpp"
#include "mlstrat/support/error.hpp"

namespace mlstrat::report::detail {

namespace fs = std::filesystem;

namespace {

bool ends_with_any(std::string_view text, std::initializer_list<std::string_view> suffixes) {
    std::string lower(text);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (auto s : suffixes) {
        if (lower.size() >= s.size() && lower.compare(lower.size() - s.size(), s.size(), s) == 0) {
            return true;
        }
    }
    return false;
}

bool is_idx_file(std::string_view file) {
    return ends_with_any(file, {".idx", ".idx.gz", "-ubyte", "-ubyte.gz"});
}

void append_bytes(void* context, void* data, int size) {
    static_cast<std::string*>(context)->append(static_cast<const char*>(data),
                                               static_cast<std::size_t>(size));
}

}  // namespace

bool looks_like_image(std::string_view cell) {
    const auto hash = cell.rfind('#');
    if (hash != std::string_view::npos && is_idx_file(cell.substr(0, hash))) return true;
    return ends_with_any(cell, {".png", ".jpg", ".jpeg", ".bmp", ".gif"});
}

std::string base64(std::string_view bytes) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) |
                           (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                           static_cast<unsigned char>(bytes[i + 2]);
        out += kAlphabet[v >> 18];
        out += kAlphabet[(v >> 12) & 63];
        out += kAlphabet[(v >> 6) & 63];
        out += kAlphabet[v & 63];
    }
    if (i < bytes.size()) {
        unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
        if (i + 1 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
        out += kAlphabet[v >> 18];
        out += kAlphabet[(v >> 12) & 63];
        out += i + 1 < bytes.size() ? kAlphabet[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

std::string Thumbnailer::resolve(const std::string& path, const std::string& at,
                                 const char* what) const {
    std::error_code ec;
    if (fs::path(path).is_absolute() || roots_.empty()) {
        MLSTRAT_CHECK(fs::is_regular_file(path, ec), at, ": ", what, " not found: ", path);
        return path;
    }
    for (const auto& root : roots_) {
        const std::string candidate = (fs::path(root) / path).string();
        if (fs::is_regular_file(candidate, ec)) return candidate;
    }
    std::string tried;
    for (const auto& root : roots_) tried += (tried.empty() ? "" : ", ") + root;
    throw Error(at + ": " + what + " not found: " + path + " (looked in " + tried +
                "; give --image-root)");
}

Thumbnailer::Pixels Thumbnailer::idx_image(const std::string& file, const std::string& index,
                                           const std::string& at) {
    const std::string path = resolve(file, at, "IDX file");
    auto it = idx_files_.find(path);
    if (it == idx_files_.end()) {
        io::IdxArray a = io::read_idx(path);
        io::check_idx_images(a, path, at);
        it = idx_files_.emplace(path, std::move(a)).first;
    }
    const io::IdxArray& a = it->second;
    const std::uint64_t n = io::idx_image_number(a, path, index, at);
    Pixels p;
    p.height = static_cast<int>(a.dims[1]);
    p.width = static_cast<int>(a.dims[2]);
    p.channels = a.dims.size() == 4 ? static_cast<int>(a.dims[3]) : 1;
    const std::size_t size = a.item_size();
    const float scale = a.type == 0x08 ? 1.0f : 255.0f;  // bytes are intensities, floats in [0, 1]
    p.bytes.resize(size);
    for (std::size_t i = 0; i < size; ++i) {
        const float v = std::clamp(a.values[n * size + i] * scale, 0.0f, 255.0f);
        p.bytes[i] = static_cast<unsigned char>(std::lround(v));
    }
    return p;
}

Thumbnailer::Pixels Thumbnailer::decode_file(const std::string& path, const std::string& at) const {
    const std::string found = resolve(path, at, "image file");
    const std::string bytes = io::read_file(found);
    int w = 0, h = 0, n = 0;
    unsigned char* data = stbi_load_from_memory(reinterpret_cast<const stbi_uc*>(bytes.data()),
                                                static_cast<int>(bytes.size()), &w, &h, &n, 0);
    MLSTRAT_CHECK(data != nullptr, at, ": cannot decode image ", found, ": ",
                  stbi_failure_reason() ? stbi_failure_reason() : "unknown format",
                  " (PNG and JPEG are read)");
    Pixels p;
    p.width = w;
    p.height = h;
    p.channels = n >= 3 ? 3 : 1;  // alpha is dropped
    p.bytes.resize(static_cast<std::size_t>(w) * h * p.channels);
    for (std::size_t i = 0; i < static_cast<std::size_t>(w) * h; ++i) {
        for (int c = 0; c < p.channels; ++c) p.bytes[i * p.channels + c] = data[i * n + c];
    }
    stbi_image_free(data);
    return p;
}

Thumbnailer::Pixels Thumbnailer::shrink(const Pixels& p) const {
    const int side = std::max(p.width, p.height);
    if (side <= static_cast<int>(max_side_)) return p;
    const double factor = static_cast<double>(side) / max_side_;
    Pixels out;
    out.channels = p.channels;
    out.width = std::max(1, static_cast<int>(std::lround(p.width / factor)));
    out.height = std::max(1, static_cast<int>(std::lround(p.height / factor)));
    out.bytes.resize(static_cast<std::size_t>(out.width) * out.height * out.channels);
    // Each output pixel averages the source pixels its area covers.
    for (int y = 0; y < out.height; ++y) {
        const int y0 = y * p.height / out.height,
                  y1 = std::max(y0 + 1, (y + 1) * p.height / out.height);
        for (int x = 0; x < out.width; ++x) {
            const int x0 = x * p.width / out.width,
                      x1 = std::max(x0 + 1, (x + 1) * p.width / out.width);
            for (int c = 0; c < p.channels; ++c) {
                unsigned sum = 0;
                for (int sy = y0; sy < y1; ++sy) {
                    for (int sx = x0; sx < x1; ++sx) {
                        sum +=
                            p.bytes[(static_cast<std::size_t>(sy) * p.width + sx) * p.channels + c];
                    }
                }
                const unsigned count = static_cast<unsigned>((y1 - y0) * (x1 - x0));
                out.bytes[(static_cast<std::size_t>(y) * out.width + x) * out.channels + c] =
                    static_cast<unsigned char>((sum + count / 2) / count);
            }
        }
    }
    return out;
}

std::string Thumbnailer::encode(const Pixels& p) {
    std::string out;
    // Photographs compress far better as JPEG; grayscale and tiny images stay exact.
    const bool jpeg = p.channels == 3 && std::max(p.width, p.height) > 48;
    if (jpeg) {
        stbi_write_jpg_to_func(append_bytes, &out, p.width, p.height, p.channels, p.bytes.data(),
                               85);
    } else {
        stbi_write_png_to_func(append_bytes, &out, p.width, p.height, p.channels, p.bytes.data(),
                               p.width * p.channels);
    }
    MLSTRAT_CHECK(!out.empty(), "cannot encode a ", p.width, "x", p.height, " thumbnail");
    return std::string(jpeg ? "data:image/jpeg;base64," : "data:image/png;base64,") + base64(out);
}

std::string Thumbnailer::data_uri(const std::string& ref, const std::string& at) {
    MLSTRAT_CHECK(!ref.empty(), at, ": the image reference is empty");
    const auto hash = ref.rfind('#');
    const std::string file = hash == std::string::npos ? ref : ref.substr(0, hash);
    Pixels p;
    if (is_idx_file(file)) {
        MLSTRAT_CHECK(hash != std::string::npos, at, ": bad image reference '", ref,
                      "': an IDX file needs '#N', the 0-based image number");
        p = idx_image(file, ref.substr(hash + 1), at);
    } else {
        p = decode_file(ref, at);
    }
    return encode(shrink(p));
}

}  // namespace mlstrat::report::detail
