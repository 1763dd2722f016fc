#pragma once
/// Columns held in memory by the caller (a NumPy array, a pandas column): a typed, strided view
/// that the library reads in place, never copying the values. The Python module builds them;
/// the in-memory entry points of metrics and analysis read them.
///
///     std::vector<std::int64_t> y = {0, 1, 1};
///     columns::Column labels = columns::Column::numbers("y_true", y.data(), y.size());

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace mlstrat::columns {

/// How the values of a column are stored.
enum class Kind {
    Int8,
    Int16,
    Int32,
    Int64,
    UInt8,
    UInt16,
    UInt32,
    UInt64,
    Float32,
    Float64,
    Bool,
    Text,
    Categorical
};

/// A view of n values: numbers at `data` + i * `stride` bytes, text as views, or categorical codes
/// (integers, -1 for a missing value) with their category names.
struct Column {
    /// The argument's name, which starts every error message about the column ("y_true[12]").
    std::string name;
    Kind kind = Kind::Int64;
    const void* data = nullptr;
    std::size_t size = 0;
    /// Bytes from one value to the next (may be negative or larger than the value).
    std::ptrdiff_t stride = 0;
    /// The values of a Text column.
    std::vector<std::string_view> text;
    /// The category names of a Categorical column (its codes are `code_kind` at data/stride).
    std::vector<std::string> categories;
    Kind code_kind = Kind::Int8;

    /// A contiguous column of numbers of type T.
    template <typename T>
    static Column numbers(std::string name, const T* values, std::size_t n);

    /// Whether the values are integers (of any width) or booleans.
    bool integral() const;
    /// Whether the values are numbers (integers, floats or booleans).
    bool numeric() const { return kind != Kind::Text && kind != Kind::Categorical; }
    /// The value at `i` as a double (numeric columns; a categorical column's code).
    double number(std::size_t i) const;
    /// The value at `i` as a signed integer (integral columns; a categorical column's code).
    std::int64_t integer(std::size_t i) const;
    /// The value at `i` as the text a CSV file written by pandas holds: 3, 2.5, 1.0, True, cat.
    std::string text_of(std::size_t i) const;
    /// "NAME[i]": where an error message points.
    std::string place(std::size_t i) const;
};

/// The Kind of a C++ number type.
template <typename T>
constexpr Kind kind_of();

/// Size in bytes of one value of a numeric Kind.
std::size_t width(Kind kind);

/// Reads values [first, first + count) of an integral or categorical column as int64 into `out`.
void read_integers(const Column& c, std::size_t first, std::size_t count, std::int64_t* out);

/// Reads values [first, first + count) of a numeric column as double into `out`.
void read_numbers(const Column& c, std::size_t first, std::size_t count, double* out);

// ---------------------------------------------------------------------------------------------

template <typename T>
constexpr Kind kind_of() {
    if constexpr (std::is_same_v<T, bool>)
        return Kind::Bool;
    else if constexpr (std::is_same_v<T, std::int8_t>)
        return Kind::Int8;
    else if constexpr (std::is_same_v<T, std::int16_t>)
        return Kind::Int16;
    else if constexpr (std::is_same_v<T, std::int32_t>)
        return Kind::Int32;
    else if constexpr (std::is_same_v<T, std::int64_t>)
        return Kind::Int64;
    else if constexpr (std::is_same_v<T, std::uint8_t>)
        return Kind::UInt8;
    else if constexpr (std::is_same_v<T, std::uint16_t>)
        return Kind::UInt16;
    else if constexpr (std::is_same_v<T, std::uint32_t>)
        return Kind::UInt32;
    else if constexpr (std::is_same_v<T, std::uint64_t>)
        return Kind::UInt64;
    else if constexpr (std::is_same_v<T, float>)
        return Kind::Float32;
    else
        return Kind::Float64;
}

template <typename T>
Column Column::numbers(std::string name, const T* values, std::size_t n) {
    Column c;
    c.name = std::move(name);
    c.kind = kind_of<T>();
    c.data = values;
    c.size = n;
    c.stride = sizeof(T);
    return c;
}

}  // namespace mlstrat::columns
