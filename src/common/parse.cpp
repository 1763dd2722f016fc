#include "mlstrat/support/parse.hpp"

#include <fast_float/fast_float.h>

#include <cmath>

#include "mlstrat/support/error.hpp"

namespace mlstrat {

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

std::optional<double> try_parse_number(std::string_view text) {
    text = trim(text);
    if (!text.empty() && text.front() == '+') text.remove_prefix(1);
    if (text.empty()) return std::nullopt;
    double value = 0.0;
    auto [end, ec] = fast_float::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
        return std::nullopt;
    }
    return value;
}

double parse_number(std::string_view text, std::string_view what) {
    auto value = try_parse_number(text);
    MLSTRAT_CHECK(value.has_value(), what, ": '", text, "' is not a finite number");
    return *value;
}

double parse_rate(std::string_view text, std::string_view what) {
    std::string_view body = trim(text);
    bool percent = !body.empty() && body.back() == '%';
    if (percent) body.remove_suffix(1);
    auto value = try_parse_number(body);
    MLSTRAT_CHECK(value.has_value(), what, ": '", text, "' is not a rate (write it as 8% or 0.08)");
    double rate = percent ? *value / 100.0 : *value;
    MLSTRAT_CHECK(rate >= 0.0 && rate <= 1.0, what, ": '", text, "' is not a rate in [0%, 100%]");
    return rate;
}

std::uint64_t CountOrShare::resolve(std::uint64_t total) const {
    if (!is_share) return count;
    return static_cast<std::uint64_t>(std::llround(share * static_cast<double>(total)));
}

CountOrShare parse_count_or_share(std::string_view text, std::string_view what) {
    std::string_view body = trim(text);
    CountOrShare out;
    if (!body.empty() && body.back() == '%') {
        out.is_share = true;
        out.share = parse_rate(body, what);
        return out;
    }
    auto value = try_parse_number(body);
    MLSTRAT_CHECK(value.has_value() && *value >= 0.0, what, ": '", text,
                  "' is neither a count of rows (2500) nor a share (1%)");
    if (*value < 1.0 && *value > 0.0) {
        out.is_share = true;
        out.share = *value;
        return out;
    }
    MLSTRAT_CHECK(std::floor(*value) == *value && *value < 9.0e18, what, ": '", text,
                  "' is not a whole number of rows");
    out.count = static_cast<std::uint64_t>(*value);
    return out;
}

std::uint64_t parse_rows(std::string_view text, std::string_view what) {
    auto n = parse_count_or_share(text, what);
    MLSTRAT_CHECK(!n.is_share && n.count > 0, what, ": '", text,
                  "' is not a number of rows (e.g. 2500)");
    return n.count;
}

std::pair<std::string, std::string> split_assignment(std::string_view text, std::string_view what) {
    auto eq = text.find('=');
    MLSTRAT_CHECK(eq != std::string_view::npos && eq > 0, what, ": '", text,
                  "' is not of the form NAME=VALUE");
    return {std::string(text.substr(0, eq)), std::string(text.substr(eq + 1))};
}

}  // namespace mlstrat
