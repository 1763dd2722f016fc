// Images for training: PNG/JPEG files (stb_image) and images inside IDX files, brought to the
// one shape every example of a run shares.

#include "train/images.hpp"

#include <stb/stb_image.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "io/idx_images.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/support/io.hpp"

namespace mlstrat::train {

Image decode_image_file(const std::string& path, const std::string& at) {
    MLSTRAT_CHECK(std::filesystem::is_regular_file(path), at, ": image file not found: ", path);
    const std::string bytes = io::read_file(path);
    int w = 0, h = 0, n = 0;
    unsigned char* data =
        stbi_load_from_memory(reinterpret_cast<const unsigned char*>(bytes.data()),
                              static_cast<int>(bytes.size()), &w, &h, &n, 0);
    MLSTRAT_CHECK(data != nullptr, at, ": cannot decode image ", path, ": ",
                  stbi_failure_reason() ? stbi_failure_reason() : "unknown format",
                  " (PNG and JPEG are read)");
    Image img;
    // Gray+alpha and RGBA lose their alpha channel.
    img.channels = n >= 3 ? 3 : 1;
    img.height = h;
    img.width = w;
    img.pixels.resize(static_cast<std::size_t>(img.channels * h * w));
    for (std::int64_t c = 0; c < img.channels; ++c) {
        for (std::int64_t i = 0; i < std::int64_t{h} * w; ++i) {
            img.pixels[c * h * w + i] = static_cast<float>(data[i * n + c]) / 255.0f;
        }
    }
    stbi_image_free(data);
    return img;
}

Image resize_bilinear(const Image& image, std::int64_t height, std::int64_t width) {
    if (image.height == height && image.width == width) return image;
    Image out{image.channels, height, width, {}};
    out.pixels.resize(static_cast<std::size_t>(image.channels * height * width));
    // Source coordinate of an output pixel centre; clamped so edge pixels repeat.
    auto source = [](std::int64_t i, std::int64_t in, std::int64_t out_size, std::int64_t& lo,
                     std::int64_t& hi, float& t) {
        const double scale = static_cast<double>(in) / static_cast<double>(out_size);
        const double s = std::clamp((static_cast<double>(i) + 0.5) * scale - 0.5, 0.0,
                                    static_cast<double>(in - 1));
        lo = static_cast<std::int64_t>(std::floor(s));
        hi = std::min(lo + 1, in - 1);
        t = static_cast<float>(s - static_cast<double>(lo));
    };
    for (std::int64_t y = 0; y < height; ++y) {
        std::int64_t y0, y1;
        float ty;
        source(y, image.height, height, y0, y1, ty);
        for (std::int64_t x = 0; x < width; ++x) {
            std::int64_t x0, x1;
            float tx;
            source(x, image.width, width, x0, x1, tx);
            for (std::int64_t c = 0; c < image.channels; ++c) {
                const float* p = image.pixels.data() + c * image.height * image.width;
                const float top =
                    p[y0 * image.width + x0] * (1 - tx) + p[y0 * image.width + x1] * tx;
                const float bottom =
                    p[y1 * image.width + x0] * (1 - tx) + p[y1 * image.width + x1] * tx;
                out.pixels[(c * height + y) * width + x] = top * (1 - ty) + bottom * ty;
            }
        }
    }
    return out;
}

Image convert_channels(const Image& image, std::int64_t channels) {
    if (image.channels == channels) return image;
    const std::int64_t plane = image.height * image.width;
    Image out{channels, image.height, image.width, {}};
    out.pixels.resize(static_cast<std::size_t>(channels * plane));
    if (channels == 1) {
        for (std::int64_t i = 0; i < plane; ++i) {
            out.pixels[i] = 0.299f * image.pixels[i] + 0.587f * image.pixels[plane + i] +
                            0.114f * image.pixels[2 * plane + i];
        }
    } else {
        for (std::int64_t c = 0; c < channels; ++c) {
            std::copy(image.pixels.begin(), image.pixels.begin() + plane,
                      out.pixels.begin() + c * plane);
        }
    }
    return out;
}

Image ImageLoader::idx_image(const std::string& path, const std::string& index,
                             const std::string& at) {
    auto it = idx_files_.find(path);
    if (it == idx_files_.end()) {
        MLSTRAT_CHECK(std::filesystem::is_regular_file(path), at, ": IDX file not found: ", path);
        IdxArray a = read_idx(path);
        io::check_idx_images(a, path, at);
        it = idx_files_.emplace(path, std::move(a)).first;
    }
    const IdxArray& a = it->second;
    const std::uint64_t n = io::idx_image_number(a, path, index, at);
    Image img;
    img.height = a.dims[1];
    img.width = a.dims[2];
    img.channels = a.dims.size() == 4 ? a.dims[3] : 1;
    const std::int64_t plane = img.height * img.width;
    const std::size_t start = n * static_cast<std::size_t>(plane * img.channels);
    img.pixels.resize(static_cast<std::size_t>(plane * img.channels));
    const float scale = a.type == 0x08 ? 1.0f / 255.0f : 1.0f;  // bytes are intensities
    for (std::int64_t i = 0; i < plane; ++i) {
        for (std::int64_t c = 0; c < img.channels; ++c) {
            img.pixels[c * plane + i] = a.values[start + i * img.channels + c] * scale;
        }
    }
    return img;
}

void ImageLoader::load(const std::string& ref, const std::string& root, const std::string& at,
                       std::vector<float>& out) {
    MLSTRAT_CHECK(!ref.empty(), at, ": the image reference is empty");
    auto resolve = [&](const std::string& p) {
        const std::filesystem::path path(p);
        return path.is_absolute() || root.empty() ? p
                                                  : (std::filesystem::path(root) / path).string();
    };
    Image img;
    const auto hash = ref.rfind('#');
    const std::string file = hash == std::string::npos ? ref : ref.substr(0, hash);
    const bool idx = file.ends_with(".idx") || file.ends_with(".idx.gz") ||
                     file.ends_with("-ubyte") || file.ends_with("-ubyte.gz");
    if (hash != std::string::npos && idx) {
        img = idx_image(resolve(file), ref.substr(hash + 1), at);
    } else {
        MLSTRAT_CHECK(!idx, at, ": bad image reference '", ref,
                      "': an IDX file needs '#N', the 0-based image number");
        img = decode_image_file(resolve(ref), at);
    }
    if (size_.empty()) size_ = {img.height, img.width};
    if (channels_ == 0) channels_ = img.channels;
    img = convert_channels(resize_bilinear(img, size_[0], size_[1]), channels_);
    out.insert(out.end(), img.pixels.begin(), img.pixels.end());
}

}  // namespace mlstrat::train
