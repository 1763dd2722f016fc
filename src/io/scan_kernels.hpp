#pragma once
// The byte-scanning kernels of the table reader, by hand with SSE2 where it is there: counting
// quotes, finding the line feeds that end a record (a line feed ends a record exactly when an
// even number of quotes precedes it), and finding the bytes that end an unquoted field.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace mlstrat::io::detail {

constexpr std::size_t npos = static_cast<std::size_t>(-1);

// Record boundaries hang on this count, taken over every block on the reading thread alone, so
// it is vectorised by hand: matches are summed in byte lanes (at most 255 rounds, so no lane
// overflows), which std::count's generic code does with far more work per byte.
inline std::size_t count_quotes(const char* b, const char* e) {
    std::size_t n = 0;
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    while (e - b >= 16) {
        const char* stop = b + std::min<std::ptrdiff_t>((e - b) / 16, 255) * 16;
        __m128i lanes = _mm_setzero_si128();
        for (; b < stop; b += 16) {
            const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b));
            lanes = _mm_sub_epi8(lanes, _mm_cmpeq_epi8(x, quote));  // a match is -1
        }
        const __m128i sums = _mm_sad_epu8(lanes, _mm_setzero_si128());
        n += static_cast<std::size_t>(_mm_cvtsi128_si64(sums)) +
             static_cast<std::size_t>(_mm_cvtsi128_si64(_mm_unpackhi_epi64(sums, sums)));
    }
#endif
    return n + static_cast<std::size_t>(std::count(b, e, '"'));
}

// Offset just past the first line feed of [b, b+n) that ends a record, or npos.
inline std::size_t first_boundary(const char* b, std::size_t n) {
    std::size_t quotes = 0;
    std::size_t from = 0;
    while (from < n) {
        const void* nl = std::memchr(b + from, '\n', n - from);
        if (nl == nullptr) return npos;
        std::size_t pos = static_cast<const char*>(nl) - b;
        quotes += count_quotes(b + from, b + pos);
        if (quotes % 2 == 0) return pos + 1;
        from = pos + 1;
    }
    return npos;
}

// Offset just past the last line feed of [b, b+n) that ends a record, or npos.
inline std::size_t last_boundary(const char* b, std::size_t n) {
    std::size_t quotes = count_quotes(b, b + n);
    std::size_t end = n;
    while (end > 0) {
        const void* nl = memrchr(b, '\n', end);
        if (nl == nullptr) return npos;
        std::size_t pos = static_cast<const char*>(nl) - b;
        quotes -= count_quotes(b + pos + 1, b + end);
        if (quotes % 2 == 0) return pos + 1;
        end = pos;
    }
    return npos;
}

// Finds the bytes that end an unquoted field: the delimiter, '\n', '\r' and '"'. It keeps a bit
// mask of where they are in a window of 64 bytes, so a short field (a row of one digit, say)
// costs a shift and a count of trailing zeros, not a vector compare of its own. The bytes must
// not change while the scanner is in use; a position before the window reloads it.
class FieldScanner {
 public:
    FieldScanner(char delimiter, const char* begin, const char* end) : end_(end) {
        stop_[static_cast<unsigned char>(delimiter)] = true;
        stop_['\n'] = stop_['\r'] = stop_['"'] = true;
#if defined(__SSE2__)
        delimiter_ = _mm_set1_epi8(delimiter);
        newline_ = _mm_set1_epi8('\n');
        carriage_ = _mm_set1_epi8('\r');
        quote_ = _mm_set1_epi8('"');
#endif
        load(begin);
    }

    // The first stop byte in [p, end), or end.
    const char* next_stop(const char* p) {
        for (;;) {
            const auto off = static_cast<std::size_t>(p - window_);
            if (off < 64) {
                const std::uint64_t rest = stops_ >> off;
                if (rest != 0) return p + __builtin_ctzll(rest);
                if (end_ - window_ <= 64) return end_;
                p = window_ + 64;  // none in the rest of this window: go on from the next
                load(p);
            } else {
                // A quoted field moved p past the window.
                if (p >= end_) return end_;
                load(p);
            }
        }
    }

 private:
    // Bit i of stops_: window_[i] is a stop byte (only bytes before end_ count).
    void load(const char* w) {
        window_ = w;
        stops_ = 0;
        if (end_ - w >= 64) {
#if defined(__SSE2__)
            for (int i = 0; i < 4; ++i) {
                __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w + 16 * i));
                __m128i hit = _mm_or_si128(
                    _mm_or_si128(_mm_cmpeq_epi8(x, delimiter_), _mm_cmpeq_epi8(x, newline_)),
                    _mm_or_si128(_mm_cmpeq_epi8(x, carriage_), _mm_cmpeq_epi8(x, quote_)));
                stops_ |= static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(hit)))
                          << (16 * i);
            }
            return;
#endif
        }
        const std::ptrdiff_t n = std::min<std::ptrdiff_t>(end_ - w, 64);
        for (std::ptrdiff_t i = 0; i < n; ++i) {
            if (stop_[static_cast<unsigned char>(w[i])]) stops_ |= std::uint64_t{1} << i;
        }
    }

    std::array<bool, 256> stop_{};
    const char* end_;
    const char* window_ = nullptr;
    std::uint64_t stops_ = 0;
#if defined(__SSE2__)
    __m128i delimiter_, newline_, carriage_, quote_;
#endif
};

}  // namespace mlstrat::io::detail
