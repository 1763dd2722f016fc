// Image augmentation (flip, shift, crop zoomed back, blur, noise) and input noise.

#include "train/augment.hpp"

#include <algorithm>

#include "mlstrat/support/error.hpp"

namespace mlstrat::train {

namespace {

/// Random augmentation of an image batch [B, C, H, W] with LibTorch's (seeded) generator.
torch::Tensor augment(torch::Tensor x, const AugmentConfig& a) {
    const auto b = x.size(0), h = x.size(2), w = x.size(3);
    const auto fill = x.min().item<float>();  // the background after standardization
    if (a.flip) {
        auto mask = (torch::rand({b}) < 0.5).view({b, 1, 1, 1});
        x = torch::where(mask, x.flip({3}), x);
    }
    if (a.shift > 0 || a.crop > 0) {
        const std::int64_t s = a.shift, c = std::min<std::int64_t>(a.crop, std::min(h, w) / 2 - 1);
        auto offsets = torch::randint(0, 2 * s + 1, {b, 2}, torch::kLong);
        auto corners =
            torch::randint(0, 2 * std::max<std::int64_t>(c, 0) + 1, {b, 2}, torch::kLong);
        auto off = offsets.accessor<std::int64_t, 2>();
        auto cor = corners.accessor<std::int64_t, 2>();
        auto padded = s > 0 ? torch::constant_pad_nd(x, {s, s, s, s}, fill) : x;
        const std::int64_t ch = h - 2 * c, cw = w - 2 * c;
        auto out = torch::empty({b, x.size(1), ch, cw});
        for (std::int64_t i = 0; i < b; ++i) {
            out[i].copy_(padded[i]
                             .narrow(1, off[i][0] + cor[i][0], ch)
                             .narrow(2, off[i][1] + cor[i][1], cw));
        }
        // A crop is zoomed back to the image size.
        x = c > 0 ? torch::upsample_bilinear2d(out, {h, w}, false) : out;
    }
    if (a.blur > 0) {
        auto mask = (torch::rand({b}) < a.blur).view({b, 1, 1, 1});
        auto blurred = torch::avg_pool2d(x, {3, 3}, {1, 1}, {1, 1}, false, false);
        x = torch::where(mask, blurred, x);
    }
    if (a.noise > 0) x = x + torch::randn_like(x) * a.noise;
    return x;
}

}  // namespace

void check_augment(const AugmentConfig& a, const Dataset& data, const std::string& config_path) {
    const bool images = data.shape.size() == 3;
    MLSTRAT_CHECK(data.vocabulary.empty() || a.noise == 0, config_path,
                  ": key 'augment.noise' cannot apply to text (token ids)");
    MLSTRAT_CHECK(images || (!a.flip && a.shift == 0 && a.crop == 0 && a.blur == 0), config_path,
                  ": key 'augment': flip, shift, crop and blur need image "
                  "data; only augment.noise applies to feature vectors");
}

torch::Tensor augment_batch(torch::Tensor x, const AugmentConfig& a, bool images) {
    if (images) return augment(x, a);
    if (a.noise > 0) return x + torch::randn_like(x) * a.noise;
    return x;
}

}  // namespace mlstrat::train
