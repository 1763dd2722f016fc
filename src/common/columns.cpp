// Reading the caller's columns in place: each kind is read by one loop, chosen once per block.

#include "mlstrat/support/columns.hpp"

#include <fmt/format.h>

#include <cmath>

#include "mlstrat/support/error.hpp"

namespace mlstrat::columns {

namespace {

template <typename T>
const T& at(const Column& c, std::size_t i) {
    return *reinterpret_cast<const T*>(static_cast<const char*>(c.data) +
                                       static_cast<std::ptrdiff_t>(i) * c.stride);
}

// Calls fn with a value of the C++ type of `kind` (a null pointer of it), for dispatch.
template <typename Fn>
decltype(auto) with_type(Kind kind, Fn&& fn) {
    switch (kind) {
        case Kind::Int8:
            return fn(static_cast<const std::int8_t*>(nullptr));
        case Kind::Int16:
            return fn(static_cast<const std::int16_t*>(nullptr));
        case Kind::Int32:
            return fn(static_cast<const std::int32_t*>(nullptr));
        case Kind::Int64:
            return fn(static_cast<const std::int64_t*>(nullptr));
        case Kind::UInt8:
            return fn(static_cast<const std::uint8_t*>(nullptr));
        case Kind::UInt16:
            return fn(static_cast<const std::uint16_t*>(nullptr));
        case Kind::UInt32:
            return fn(static_cast<const std::uint32_t*>(nullptr));
        case Kind::UInt64:
            return fn(static_cast<const std::uint64_t*>(nullptr));
        case Kind::Float32:
            return fn(static_cast<const float*>(nullptr));
        case Kind::Float64:
            return fn(static_cast<const double*>(nullptr));
        case Kind::Bool:
            return fn(static_cast<const bool*>(nullptr));
        case Kind::Text:
        case Kind::Categorical:
            break;
    }
    throw Error(ErrorCode::Internal, "a text column read as numbers");
}

Kind stored_kind(const Column& c) { return c.kind == Kind::Categorical ? c.code_kind : c.kind; }

}  // namespace

bool Column::integral() const {
    return kind != Kind::Float32 && kind != Kind::Float64 && kind != Kind::Text &&
           kind != Kind::Categorical;
}

std::size_t width(Kind kind) {
    return with_type(kind, [](auto* p) { return sizeof(*p); });
}

double Column::number(std::size_t i) const {
    return with_type(stored_kind(*this), [&](auto* p) {
        return static_cast<double>(at<std::remove_cvref_t<decltype(*p)>>(*this, i));
    });
}

std::int64_t Column::integer(std::size_t i) const {
    return with_type(stored_kind(*this), [&](auto* p) {
        return static_cast<std::int64_t>(at<std::remove_cvref_t<decltype(*p)>>(*this, i));
    });
}

std::string Column::text_of(std::size_t i) const {
    switch (kind) {
        case Kind::Text:
            return std::string(text[i]);
        case Kind::Categorical: {
            const std::int64_t code = integer(i);
            MLSTRAT_CHECK(code >= 0 && static_cast<std::size_t>(code) < categories.size(), place(i),
                          " is missing (a categorical code of ", code, ")");
            return categories[static_cast<std::size_t>(code)];
        }
        case Kind::Bool:
            return at<bool>(*this, i) ? "True" : "False";
        case Kind::Float32:
        case Kind::Float64: {
            const double v = number(i);
            // Python's repr, as pandas writes a float column: 1.0, 2.5, 1e-05, nan.
            if (std::isnan(v)) return "nan";
            if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
            std::string s = kind == Kind::Float32 ? fmt::format("{}", static_cast<float>(v))
                                                  : fmt::format("{}", v);
            if (s.find_first_of(".e") == std::string::npos) s += ".0";
            return s;
        }
        case Kind::UInt64:
            return std::to_string(at<std::uint64_t>(*this, i));
        default:
            return std::to_string(integer(i));
    }
}

std::string Column::place(std::size_t i) const { return fmt::format("{}[{}]", name, i); }

void read_integers(const Column& c, std::size_t first, std::size_t count, std::int64_t* out) {
    with_type(stored_kind(c), [&](auto* p) {
        using T = std::remove_cvref_t<decltype(*p)>;
        if constexpr (std::is_floating_point_v<T>) {
            throw Error(ErrorCode::Internal, "a float column read as integers");
        } else {
            const char* base =
                static_cast<const char*>(c.data) + static_cast<std::ptrdiff_t>(first) * c.stride;
            if (c.stride == sizeof(T)) {
                const T* v = reinterpret_cast<const T*>(base);
                for (std::size_t i = 0; i < count; ++i) out[i] = static_cast<std::int64_t>(v[i]);
            } else {
                for (std::size_t i = 0; i < count; ++i) {
                    out[i] = static_cast<std::int64_t>(*reinterpret_cast<const T*>(
                        base + static_cast<std::ptrdiff_t>(i) * c.stride));
                }
            }
        }
    });
}

void read_numbers(const Column& c, std::size_t first, std::size_t count, double* out) {
    with_type(stored_kind(c), [&](auto* p) {
        using T = std::remove_cvref_t<decltype(*p)>;
        const char* base =
            static_cast<const char*>(c.data) + static_cast<std::ptrdiff_t>(first) * c.stride;
        if (c.stride == sizeof(T)) {
            const T* v = reinterpret_cast<const T*>(base);
            for (std::size_t i = 0; i < count; ++i) out[i] = static_cast<double>(v[i]);
        } else {
            for (std::size_t i = 0; i < count; ++i) {
                out[i] = static_cast<double>(
                    *reinterpret_cast<const T*>(base + static_cast<std::ptrdiff_t>(i) * c.stride));
            }
        }
    });
}

}  // namespace mlstrat::columns
