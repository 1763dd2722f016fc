// Image degradations and the specs they are drawn from. Every function works on values in
// [0, 1] and is deterministic given its arguments, so a setting reproduces its image exactly.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "common/random.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/support/parse.hpp"
#include "mlstrat/synth.hpp"

namespace mlstrat::synth {

namespace {

using ::mlstrat::detail::SplitMix64;

constexpr double kPi = 3.141592653589793;

struct KindInfo {
    std::string_view name;
    std::string_view parameter;
    double identity;
    double min;  // the values a spec may ask for
    double max;
    Range fallback;  // the default range
};

const KindInfo& info(Kind k) {
    static const std::array<KindInfo, kKinds> table = {{
        {"rotate", "rotate_degrees", 0.0, -180.0, 180.0, {-15.0, 15.0}},
        {"rescale", "rescale_factor", 1.0, 0.05, 1.0, {0.4, 0.8}},
        {"blur", "blur_sigma", 0.0, 0.0, 20.0, {0.5, 1.5}},
        {"contrast", "contrast_factor", 1.0, 0.0, 5.0, {0.5, 0.9}},
        {"brightness", "brightness_shift", 0.0, -1.0, 1.0, {-0.15, 0.15}},
        {"occlude", "occlude_share", 0.0, 0.0, 0.9, {0.05, 0.2}},
        {"noise", "noise_std", 0.0, 0.0, 1.0, {0.02, 0.08}},
    }};
    return table[static_cast<std::size_t>(k)];
}

float clip01(double v) { return static_cast<float>(std::clamp(v, 0.0, 1.0)); }

// Bilinear sample of channel c at (x, y), which must lie in [0, w-1] x [0, h-1].
float bilinear(const Image& im, double x, double y, int c) {
    const int x0 = static_cast<int>(x), y0 = static_cast<int>(y);
    const int x1 = std::min(x0 + 1, im.width - 1), y1 = std::min(y0 + 1, im.height - 1);
    const double fx = x - x0, fy = y - y0;
    const double top = im.at(x0, y0, c) * (1.0 - fx) + im.at(x1, y0, c) * fx;
    const double bottom = im.at(x0, y1, c) * (1.0 - fx) + im.at(x1, y1, c) * fx;
    return static_cast<float>(top * (1.0 - fy) + bottom * fy);
}

}  // namespace

std::string_view kind_name(Kind k) { return info(k).name; }
std::string_view parameter_name(Kind k) { return info(k).parameter; }
double identity_value(Kind k) { return info(k).identity; }

DegradeSpec DegradeSpec::defaults() {
    DegradeSpec s;
    for (Kind k : kAllKinds) s.ranges[static_cast<std::size_t>(k)] = info(k).fallback;
    return s;
}

DegradeSpec DegradeSpec::parse(std::string_view text, std::string_view what) {
    DegradeSpec s;
    MLSTRAT_CHECK(!trim(text).empty(), what, ": empty spec; give KIND=LO:HI items such as ",
                  defaults().to_string());
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t comma = text.find(',', start);
        if (comma == std::string_view::npos) comma = text.size();
        const std::string_view item = trim(text.substr(start, comma - start));
        start = comma + 1;
        const auto [name, value] = split_assignment(item, what);
        const Kind* kind = nullptr;
        for (const Kind& k : kAllKinds) {
            if (info(k).name == name) kind = &k;
        }
        MLSTRAT_CHECK(kind != nullptr, what, ": unknown degradation '", name,
                      "' (known: rotate, rescale, blur, contrast, brightness, occlude, noise)");
        const KindInfo& ki = info(*kind);
        auto& slot = s.ranges[static_cast<std::size_t>(*kind)];
        MLSTRAT_CHECK(!slot, what, ": '", name, "' is given twice");
        const std::size_t colon = value.find(':');
        Range r;
        const std::string item_what = fmt::format("{} item '{}'", what, item);
        if (colon == std::string::npos) {
            r.lo = r.hi = parse_number(value, item_what);
        } else {
            r.lo = parse_number(std::string_view(value).substr(0, colon), item_what);
            r.hi = parse_number(std::string_view(value).substr(colon + 1), item_what);
        }
        MLSTRAT_CHECK(r.lo <= r.hi, what, " item '", item, "': the range is reversed (", r.lo,
                      " > ", r.hi, ")");
        MLSTRAT_CHECK(r.lo >= ki.min && r.hi <= ki.max, what, " item '", item, "': ", ki.parameter,
                      " must lie in [", ki.min, ", ", ki.max, "]");
        slot = r;
        if (comma == text.size()) break;
    }
    return s;
}

std::string DegradeSpec::to_string() const {
    std::string out;
    for (Kind k : kAllKinds) {
        const auto& r = ranges[static_cast<std::size_t>(k)];
        if (!r) continue;
        if (!out.empty()) out += ',';
        out += r->lo == r->hi ? fmt::format("{}={:g}", kind_name(k), r->lo)
                              : fmt::format("{}={:g}:{:g}", kind_name(k), r->lo, r->hi);
    }
    return out;
}

double DegradeSpec::strength(Kind k, double value) const {
    const auto& r = ranges[static_cast<std::size_t>(k)];
    if (!r) return 0.0;
    const double id = identity_value(k);
    const double far = std::max(std::fabs(r->lo - id), std::fabs(r->hi - id));
    const double near =
        r->lo <= id && id <= r->hi ? 0.0 : std::min(std::fabs(r->lo - id), std::fabs(r->hi - id));
    if (far <= near) return 1.0;
    return std::clamp((std::fabs(value - id) - near) / (far - near), 0.0, 1.0);
}

Kind Setting::main() const {
    Kind best = Kind::Noise;
    double best_strength = -1.0;
    for (Kind k : kAllKinds) {
        const auto i = static_cast<std::size_t>(k);
        if (applied[i] && strength[i] > best_strength) {
            best = k;
            best_strength = strength[i];
        }
    }
    return best;
}

std::string Setting::kinds() const {
    std::string out;
    for (Kind k : kAllKinds) {
        if (!applied[static_cast<std::size_t>(k)]) continue;
        if (!out.empty()) out += '+';
        out += kind_name(k);
    }
    return out;
}

Setting draw_setting(const DegradeSpec& spec, std::uint64_t key) {
    SplitMix64 rng(key);
    Setting s;
    std::vector<Kind> in_spec;
    bool any = false;
    // The same number of draws whatever the outcome, so a kind's value depends only on the key.
    for (Kind k : kAllKinds) {
        const auto i = static_cast<std::size_t>(k);
        s.value[i] = identity_value(k);
        if (!spec.ranges[i]) continue;
        in_spec.push_back(k);
        s.applied[i] = rng.uniform() < spec.probability;
        any = any || s.applied[i];
    }
    assert(!in_spec.empty());
    const std::uint64_t pick = rng.next();
    if (!any) s.applied[static_cast<std::size_t>(in_spec[pick % in_spec.size()])] = true;
    for (Kind k : in_spec) {
        const auto i = static_cast<std::size_t>(k);
        const Range& r = *spec.ranges[i];
        const double v = rng.uniform(r.lo, r.hi);
        if (!s.applied[i]) continue;
        s.value[i] = v;
        s.strength[i] = spec.strength(k, v);
    }
    s.pattern_seed = rng.next();
    return s;
}

void gaussian_blur(Image& im, double sigma) {
    if (!(sigma > 0.0)) return;
    const int radius = std::max(1, static_cast<int>(std::ceil(3.0 * sigma)));
    std::vector<double> kernel(2 * radius + 1);
    double sum = 0.0;
    for (int i = -radius; i <= radius; ++i) {
        kernel[i + radius] = std::exp(-0.5 * i * i / (sigma * sigma));
        sum += kernel[i + radius];
    }
    for (double& k : kernel) k /= sum;
    const int w = im.width, h = im.height, ch = im.channels;
    Image tmp = im;
    for (int y = 0; y < h; ++y) {
        for (int x = 0; x < w; ++x) {
            for (int c = 0; c < ch; ++c) {
                double acc = 0.0;
                for (int i = -radius; i <= radius; ++i) {
                    acc += kernel[i + radius] * im.at(std::clamp(x + i, 0, w - 1), y, c);
                }
                tmp.at(x, y, c) = static_cast<float>(acc);
            }
        }
    }
    for (int y = 0; y < h; ++y) {
        for (int x = 0; x < w; ++x) {
            for (int c = 0; c < ch; ++c) {
                double acc = 0.0;
                for (int i = -radius; i <= radius; ++i) {
                    acc += kernel[i + radius] * tmp.at(x, std::clamp(y + i, 0, h - 1), c);
                }
                im.at(x, y, c) = static_cast<float>(acc);
            }
        }
    }
}

void add_noise(Image& im, double std, std::uint64_t seed) {
    SplitMix64 rng(seed);
    for (float& v : im.pixels) v = clip01(v + std * rng.normal());
}

void scale_contrast(Image& im, double factor) {
    const std::size_t n = static_cast<std::size_t>(im.width) * im.height;
    if (n == 0) return;
    for (int c = 0; c < im.channels; ++c) {
        double mean = 0.0;
        for (std::size_t i = 0; i < n; ++i) mean += im.pixels[i * im.channels + c];
        mean /= static_cast<double>(n);
        for (std::size_t i = 0; i < n; ++i) {
            float& v = im.pixels[i * im.channels + c];
            v = clip01(mean + factor * (v - mean));
        }
    }
}

void shift_brightness(Image& im, double shift) {
    for (float& v : im.pixels) v = clip01(v + shift);
}

void rotate(Image& im, double degrees) {
    const int w = im.width, h = im.height, ch = im.channels;
    if (w == 0 || h == 0) return;
    // Fill for corners that come from outside: the mean of the border pixels.
    std::vector<double> fill(ch, 0.0);
    int border = 0;
    for (int y = 0; y < h; ++y) {
        for (int x = 0; x < w; ++x) {
            if (x != 0 && y != 0 && x != w - 1 && y != h - 1) continue;
            for (int c = 0; c < ch; ++c) fill[c] += im.at(x, y, c);
            ++border;
        }
    }
    for (double& f : fill) f /= border;
    const double a = degrees * kPi / 180.0, cs = std::cos(a), sn = std::sin(a);
    const double cx = (w - 1) / 2.0, cy = (h - 1) / 2.0;
    Image out = im;
    for (int y = 0; y < h; ++y) {
        for (int x = 0; x < w; ++x) {
            // Inverse map: the source point that lands on (x, y). With rows growing downward,
            // this turns the content counterclockwise as displayed.
            const double dx = x - cx, dy = y - cy;
            const double sx = cx + cs * dx - sn * dy;
            const double sy = cy + sn * dx + cs * dy;
            const bool inside = sx > -0.5 && sx < w - 0.5 && sy > -0.5 && sy < h - 0.5;
            for (int c = 0; c < ch; ++c) {
                out.at(x, y, c) = inside ? bilinear(im, std::clamp(sx, 0.0, w - 1.0),
                                                    std::clamp(sy, 0.0, h - 1.0), c)
                                         : static_cast<float>(fill[c]);
            }
        }
    }
    im.pixels = std::move(out.pixels);
}

Rect occlusion_rect(int width, int height, double share, std::uint64_t seed) {
    SplitMix64 rng(seed ^ 0x6f63636c75646521ull);  // its own stream, apart from the noise's
    const double area = share * width * height;
    const double aspect = std::exp(rng.uniform(std::log(0.5), std::log(2.0)));  // w / h
    Rect r;
    r.w = std::clamp(static_cast<int>(std::lround(std::sqrt(area * aspect))), 1, width);
    r.h = std::clamp(static_cast<int>(std::lround(area / r.w)), 1, height);
    r.x = static_cast<int>(rng.next() % static_cast<std::uint64_t>(width - r.w + 1));
    r.y = static_cast<int>(rng.next() % static_cast<std::uint64_t>(height - r.h + 1));
    return r;
}

void occlude(Image& im, double share, std::uint64_t seed) {
    if (!(share > 0.0) || im.width == 0 || im.height == 0) return;
    const Rect r = occlusion_rect(im.width, im.height, share, seed);
    SplitMix64 rng(seed ^ 0x7368616465ull);
    const float shade = static_cast<float>(rng.uniform());
    for (int y = r.y; y < r.y + r.h; ++y) {
        for (int x = r.x; x < r.x + r.w; ++x) {
            for (int c = 0; c < im.channels; ++c) im.at(x, y, c) = shade;
        }
    }
}

void rescale(Image& im, double factor) {
    const int w = im.width, h = im.height, ch = im.channels;
    if (w == 0 || h == 0) return;
    const int dw = std::clamp(static_cast<int>(std::lround(w * factor)), 1, w);
    const int dh = std::clamp(static_cast<int>(std::lround(h * factor)), 1, h);
    // Down: each small pixel averages the source pixels whose centres fall in its footprint
    // (the nearest one when none does).
    Image small{dw, dh, ch, std::vector<float>(static_cast<std::size_t>(dw) * dh * ch)};
    auto span = [](int i, int n, int size) {
        int lo = static_cast<int>(std::ceil(static_cast<double>(i) * size / n - 0.5));
        int hi = static_cast<int>(std::ceil(static_cast<double>(i + 1) * size / n - 0.5));
        lo = std::clamp(lo, 0, size - 1);
        hi = std::clamp(hi, lo + 1, size);
        return std::pair{lo, hi};
    };
    for (int y = 0; y < dh; ++y) {
        const auto [y0, y1] = span(y, dh, h);
        for (int x = 0; x < dw; ++x) {
            const auto [x0, x1] = span(x, dw, w);
            for (int c = 0; c < ch; ++c) {
                double acc = 0.0;
                for (int sy = y0; sy < y1; ++sy) {
                    for (int sx = x0; sx < x1; ++sx) acc += im.at(sx, sy, c);
                }
                small.at(x, y, c) = static_cast<float>(acc / ((y1 - y0) * (x1 - x0)));
            }
        }
    }
    // Up: pixel centres aligned, bilinear.
    for (int y = 0; y < h; ++y) {
        const double sy = std::clamp((y + 0.5) * dh / h - 0.5, 0.0, dh - 1.0);
        for (int x = 0; x < w; ++x) {
            const double sx = std::clamp((x + 0.5) * dw / w - 0.5, 0.0, dw - 1.0);
            for (int c = 0; c < ch; ++c) im.at(x, y, c) = bilinear(small, sx, sy, c);
        }
    }
}

void apply(const Setting& s, Image& im) {
    auto on = [&](Kind k) { return s.applied[static_cast<std::size_t>(k)]; };
    auto value = [&](Kind k) { return s.value[static_cast<std::size_t>(k)]; };
    if (on(Kind::Rotate)) rotate(im, value(Kind::Rotate));
    if (on(Kind::Rescale)) rescale(im, value(Kind::Rescale));
    if (on(Kind::Blur)) gaussian_blur(im, value(Kind::Blur));
    if (on(Kind::Contrast)) scale_contrast(im, value(Kind::Contrast));
    if (on(Kind::Brightness)) shift_brightness(im, value(Kind::Brightness));
    if (on(Kind::Occlude)) occlude(im, value(Kind::Occlude), s.pattern_seed);
    if (on(Kind::Noise)) add_noise(im, value(Kind::Noise), s.pattern_seed);
}

}  // namespace mlstrat::synth
