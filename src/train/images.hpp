#pragma once
// Images referenced from a table or found in class folders (private to src/train/): PNG/JPEG
// files decoded with stb_image and images of IDX files, resized and converted to one shape.
// No LibTorch here.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "mlstrat/train/data.hpp"

namespace mlstrat::train {

/// One image as floats in [0, 1], channels first: pixels[(c * height + y) * width + x].
struct Image {
    std::int64_t channels = 0, height = 0, width = 0;
    std::vector<float> pixels;
};

/// Decodes a PNG or JPEG file; throws Error naming `at` (and the file) when it is missing or
/// cannot be decoded.
Image decode_image_file(const std::string& path, const std::string& at);

/// Resizes with bilinear interpolation (pixel centres aligned, edge pixels repeated).
Image resize_bilinear(const Image& image, std::int64_t height, std::int64_t width);

/// Converts to 1 channel (luma 0.299 R + 0.587 G + 0.114 B) or 3 (gray repeated).
Image convert_channels(const Image& image, std::int64_t channels);

/// Turns image references into examples of one shape {C, H, W}: the configured
/// data.image_size and data.channels, else those of the first image loaded.
class ImageLoader {
 public:
    ImageLoader(std::vector<std::int64_t> size, std::int64_t channels)
        : size_(std::move(size)), channels_(channels) {}

    /// Appends the pixels of `ref` (a PNG/JPEG path, or FILE.idx#N / FILE.idx.gz#N for image N
    /// of an IDX file) to `out`; relative paths resolve against `root`. Errors name `at`.
    void load(const std::string& ref, const std::string& root, const std::string& at,
              std::vector<float>& out);

    /// {C, H, W}; valid once an image was loaded.
    std::vector<std::int64_t> shape() const { return {channels_, size_[0], size_[1]}; }

 private:
    Image idx_image(const std::string& path, const std::string& index, const std::string& at);

    std::vector<std::int64_t> size_;
    std::int64_t channels_ = 0;
    /// Each IDX file is read once.
    std::map<std::string, IdxArray> idx_files_;
};

}  // namespace mlstrat::train
