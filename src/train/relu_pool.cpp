#include "train/relu_pool.hpp"

#include <bit>
#include <cstdint>

namespace mlstrat::train {

namespace {

// Where a window's gradient goes: 0..3, the window's positions in row-major order, or kNowhere.
constexpr std::uint8_t kNowhere = 4;

// A value after the ReLU as an integer with the same order: non-negative floats order as their
// bit patterns do, values <= 0 become 0 and a NaN the largest key. Integers compare and select
// without branches (the branch predictor cannot learn these comparisons), in scalar code as in
// vectorized loops.
constexpr std::int32_t kNanKey = 0x7FFFFFFF;  // also a NaN's bit pattern

inline std::int32_t relu_key(float v) {
    const auto bits = std::bit_cast<std::int32_t>(v);
    const std::int32_t nan = -static_cast<std::int32_t>((bits & 0x7FFFFFFF) > 0x7F800000);
    return (bits & ~(bits >> 31)) | (nan & kNanKey);  // bits >> 31: all ones when negative
}

// One window a, b (top row), c, d (bottom row) after the ReLU: its first largest value, picked
// as LibTorch's pooling picks it (`v > max || isnan(v)`). Masks rather than conditionals, which
// the compiler may turn back into branches.
inline void pool_window(float a, float b, float c, float d, float& out, std::uint8_t& where) {
    std::int32_t m = relu_key(a);
    std::int32_t q = 0;
    auto consider = [&](float v, std::int32_t position) {
        const std::int32_t key = relu_key(v);
        const std::int32_t take = -static_cast<std::int32_t>((key > m) | (key == kNanKey));
        m = (key & take) | (m & ~take);
        q = (position & take) | (q & ~take);
    };
    consider(b, 1);
    consider(c, 2);
    consider(d, 3);
    // The ReLU passes a gradient unless its output is 0 (a NaN passes, as in LibTorch).
    const std::int32_t passes = -static_cast<std::int32_t>(m > 0);
    out = std::bit_cast<float>(m);
    where = static_cast<std::uint8_t>((q & passes) | (kNowhere & ~passes));
}

// `g` where `q` is `position`, else 0, by masking its bits.
inline float gradient_if(float g, std::uint8_t q, std::uint8_t position) {
    const std::int32_t mask = -static_cast<std::int32_t>(q == position);
    return std::bit_cast<float>(std::bit_cast<std::int32_t>(g) & mask);
}

// Geometry of one call: the sizes, and which of the two memory orders the tensors are in.
struct Shape {
    std::int64_t n, c, h, w, out_h, out_w;
    bool channels_last;
};

Shape shape_of(const torch::Tensor& x) {
    Shape s{x.size(0), x.size(1), x.size(2), x.size(3), x.size(2) / 2, x.size(3) / 2, false};
    s.channels_last = !x.is_contiguous() && x.is_contiguous(torch::MemoryFormat::ChannelsLast);
    return s;
}

torch::TensorOptions layout_of(const Shape& s, torch::TensorOptions options) {
    return options.memory_format(s.channels_last ? torch::MemoryFormat::ChannelsLast
                                                 : torch::MemoryFormat::Contiguous);
}

// The loops over windows, in the two layouts: in NCHW along a row of `count` windows, whose
// inputs are top[2i], top[2i + 1], bottom[2i], bottom[2i + 1]; in channels-last along the `c`
// channels of one window, whose inputs are then `c` apart. Separate functions with unaliased
// pointers, so that the compiler vectorizes them.
void forward_row(const float* __restrict top, const float* __restrict bottom, std::int64_t count,
                 float* __restrict out, std::uint8_t* __restrict where) {
    for (std::int64_t i = 0; i < count; ++i) {
        pool_window(top[2 * i], top[2 * i + 1], bottom[2 * i], bottom[2 * i + 1], out[i], where[i]);
    }
}

void forward_channels(const float* __restrict top, const float* __restrict bottom, std::int64_t c,
                      float* __restrict out, std::uint8_t* __restrict where) {
    for (std::int64_t k = 0; k < c; ++k) {
        pool_window(top[k], top[c + k], bottom[k], bottom[c + k], out[k], where[k]);
    }
}

void backward_row(const float* __restrict grad, const std::uint8_t* __restrict where,
                  std::int64_t count, float* __restrict top, float* __restrict bottom) {
    for (std::int64_t i = 0; i < count; ++i) {
        top[2 * i] = gradient_if(grad[i], where[i], 0);
        top[2 * i + 1] = gradient_if(grad[i], where[i], 1);
        bottom[2 * i] = gradient_if(grad[i], where[i], 2);
        bottom[2 * i + 1] = gradient_if(grad[i], where[i], 3);
    }
}

void backward_channels(const float* __restrict grad, const std::uint8_t* __restrict where,
                       std::int64_t c, float* __restrict top, float* __restrict bottom) {
    for (std::int64_t k = 0; k < c; ++k) {
        top[k] = gradient_if(grad[k], where[k], 0);
        top[c + k] = gradient_if(grad[k], where[k], 1);
        bottom[k] = gradient_if(grad[k], where[k], 2);
        bottom[c + k] = gradient_if(grad[k], where[k], 3);
    }
}

// Calls window_row(input row offset, output offset, count) for every row of windows in NCHW, or
// window(input offset, output offset) for every window in channels-last, on every core.
template <typename Row, typename Window>
void for_each_window(const Shape& s, Row window_row, Window window) {
    const Shape z = s;  // a local copy: the loops' bounds are then known not to change
    if (!z.channels_last) {
        at::parallel_for(0, z.n * z.c, 8, [&](std::int64_t begin, std::int64_t end) {
            for (std::int64_t plane = begin; plane < end; ++plane) {
                for (std::int64_t oh = 0; oh < z.out_h; ++oh) {
                    window_row((plane * z.h + 2 * oh) * z.w, (plane * z.out_h + oh) * z.out_w,
                               z.out_w);
                }
            }
        });
        return;
    }
    at::parallel_for(0, z.n * z.out_h, 4, [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t row = begin; row < end; ++row) {
            const std::int64_t n = row / z.out_h, oh = row % z.out_h;
            for (std::int64_t ow = 0; ow < z.out_w; ++ow) {
                window(((n * z.h + 2 * oh) * z.w + 2 * ow) * z.c, (row * z.out_w + ow) * z.c);
            }
        }
    });
}

void forward_kernel(const Shape& s, const float* x, float* out, std::uint8_t* where) {
    const std::int64_t w = s.w, c = s.c, below = s.w * s.c;
    for_each_window(
        s,
        [&](std::int64_t in, std::int64_t o, std::int64_t count) {
            forward_row(x + in, x + in + w, count, out + o, where + o);
        },
        [&](std::int64_t in, std::int64_t o) {
            forward_channels(x + in, x + in + below, c, out + o, where + o);
        });
}

void backward_kernel(const Shape& s, const float* grad, const std::uint8_t* where, float* gin) {
    const std::int64_t w = s.w, c = s.c, below = s.w * s.c;
    for_each_window(
        s,
        [&](std::int64_t in, std::int64_t o, std::int64_t count) {
            backward_row(grad + o, where + o, count, gin + in, gin + in + w);
        },
        [&](std::int64_t in, std::int64_t o) {
            backward_channels(grad + o, where + o, c, gin + in, gin + in + below);
        });
}

class ReluMaxPool2 : public torch::autograd::Function<ReluMaxPool2> {
 public:
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x) {
        const Shape s = shape_of(x);
        auto out = torch::empty({s.n, s.c, s.out_h, s.out_w}, layout_of(s, x.options()));
        auto where = torch::empty({s.n, s.c, s.out_h, s.out_w},
                                  layout_of(s, x.options().dtype(torch::kUInt8)));
        forward_kernel(s, x.data_ptr<float>(), out.data_ptr<float>(),
                       where.data_ptr<std::uint8_t>());
        ctx->save_for_backward({where});
        ctx->saved_data["h"] = s.h;
        ctx->saved_data["w"] = s.w;
        ctx->saved_data["channels_last"] = s.channels_last;
        return out;
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list grads) {
        const torch::Tensor where = ctx->get_saved_variables()[0];
        Shape s{where.size(0),
                where.size(1),
                ctx->saved_data["h"].toInt(),
                ctx->saved_data["w"].toInt(),
                where.size(2),
                where.size(3),
                ctx->saved_data["channels_last"].toBool()};
        const auto memory_format =
            s.channels_last ? torch::MemoryFormat::ChannelsLast : torch::MemoryFormat::Contiguous;
        const torch::Tensor grad = grads[0].contiguous(memory_format);
        // Every input inside a window is written; an odd last row or column is in none.
        // (torch::zeros would ignore the memory format the options carry.)
        auto gin = torch::empty({s.n, s.c, s.h, s.w}, layout_of(s, grad.options()));
        if (s.h % 2 != 0 || s.w % 2 != 0) gin.zero_();
        backward_kernel(s, grad.data_ptr<float>(), where.data_ptr<std::uint8_t>(),
                        gin.data_ptr<float>());
        return {gin};
    }
};

}  // namespace

bool relu_max_pool2_applies(const torch::Tensor& x) {
    return x.dim() == 4 && x.device().is_cpu() && x.scalar_type() == torch::kFloat &&
           x.size(2) >= 2 && x.size(3) >= 2 && x.size(1) >= 1 &&
           (x.is_contiguous() || x.is_contiguous(torch::MemoryFormat::ChannelsLast));
}

torch::Tensor relu_max_pool2(const torch::Tensor& x) { return ReluMaxPool2::apply(x); }

}  // namespace mlstrat::train
