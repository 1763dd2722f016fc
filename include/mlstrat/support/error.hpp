#pragma once
/// Errors that reach the user: one class, a small code, and a message that says where, which
/// rule was broken and the value seen ("labels.csv:1204: column 'pred' is empty").

#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace mlstrat {

/// What kind of failure an Error reports; the CLI maps every code to exit status 2 except
/// `Internal`, which maps to 1.
enum class ErrorCode { InvalidInput, Io, Config, Training, Internal };

/// The one exception type for user-facing failures.
class Error : public std::runtime_error {
 public:
    Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
    explicit Error(const std::string& message) : Error(ErrorCode::InvalidInput, message) {}

    /// The kind of failure.
    ErrorCode code() const noexcept { return code_; }

 private:
    ErrorCode code_;
};

namespace detail {
template <typename... Parts>
std::string concat(const Parts&... parts) {
    std::ostringstream out;
    (out << ... << parts);
    return out.str();
}
}  // namespace detail

/// "FILE:LINE" as it starts an error message about a place in an input file.
inline std::string where(std::string_view file, unsigned long long line) {
    return detail::concat(file, ':', line);
}

}  // namespace mlstrat

/// Throws mlstrat::Error(InvalidInput) with the parts streamed together when `cond` is false.
#define MLSTRAT_CHECK(cond, ...)                                            \
    do {                                                                    \
        if (!(cond)) {                                                      \
            throw ::mlstrat::Error(::mlstrat::ErrorCode::InvalidInput,      \
                                   ::mlstrat::detail::concat(__VA_ARGS__)); \
        }                                                                   \
    } while (false)
