// JSON files other commands read back: their text, or an error when a string is not UTF-8;
// and JSON printed for a reader, with its numbers rid of arithmetic noise.

#include <charconv>
#include <cmath>

#include <nlohmann/json.hpp>

#include "mlstrat/support/error.hpp"
#include "mlstrat/support/json_text.hpp"

namespace mlstrat::io {

std::string json_text(const nlohmann::json& j, const std::string& source, int indent) {
    try {
        return j.dump(indent);
    } catch (const nlohmann::json::type_error&) {
        throw Error(source +
                    ": holds text that is not UTF-8 (a label, a value or a "
                    "column name), which a JSON file cannot hold; "
                    "re-encode it as UTF-8");
    }
}

namespace {

// The significant digits of `text`, a number in scientific notation ("1.25e-02" has 3).
int significant_digits(std::string_view text) {
    int digits = 0;
    for (char ch : text.substr(0, text.find('e'))) digits += ch >= '0' && ch <= '9';
    return digits;
}

double clean_number(double x) {
    if (!std::isfinite(x) || x == 0.0) return x;
    char exact[32], rounded[32];
    const auto e = std::to_chars(exact, exact + sizeof exact, x, std::chars_format::scientific);
    const auto r =
        std::to_chars(rounded, rounded + sizeof rounded, x, std::chars_format::scientific, 11);
    std::string_view shortest(rounded, static_cast<std::size_t>(r.ptr - rounded));
    shortest = shortest.substr(0, shortest.find('e'));
    // 16 or 17 digits whose first 12 end in at least three zeros: the digits past them were the
    // noise of a sum or difference (0.049 - 7e-17), a few units in the last place.
    if (significant_digits(std::string_view(exact, static_cast<std::size_t>(e.ptr - exact))) < 16 ||
        shortest.size() < 4 || shortest.substr(shortest.size() - 3) != "000") {
        return x;
    }
    double y = x;
    std::from_chars(rounded, r.ptr, y, std::chars_format::scientific);
    return y;
}

}  // namespace

nlohmann::json clean_numbers(nlohmann::json j) {
    if (j.is_number_float()) return clean_number(j.get<double>());
    if (j.is_structured()) {
        for (auto& v : j) v = clean_numbers(std::move(v));
    }
    return j;
}

}  // namespace mlstrat::io
