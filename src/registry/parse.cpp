// The registry's text forms: keys, --where conditions, logged metrics and parameters, and a
// config flattened into typed keys. Pure functions: nothing here touches SQLite.

#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <sstream>

#include "mlstrat/registry.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/support/json_text.hpp"
#include "mlstrat/support/parse.hpp"

namespace mlstrat::registry {

namespace {

constexpr const char* kFields[] = {"name",    "kind",     "status", "group",
                                   "created", "finished", "folder"};

bool is_split_metric(std::string_view name) {
    return std::find(std::begin(kSplitMetrics), std::end(kSplitMetrics), name) !=
           std::end(kSplitMetrics);
}

void check_part(std::string_view part, std::string_view text) {
    MLSTRAT_CHECK(!part.empty(), "'", text,
                  "' is not a key (SPLIT.METRIC, METRIC, param.KEY, "
                  "tag.KEY, name, status, group...)");
    for (char c : part) {
        MLSTRAT_CHECK(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' ||
                          c == '-' || c == '/',
                      "'", text, "': a key holds letters, digits, _ . - / only");
    }
}

// The value of a TOML leaf as JSON: integers stay integers, arrays keep their order.
nlohmann::json json_of(const toml::node& node) {
    if (auto v = node.as_integer()) return v->get();
    if (auto v = node.as_floating_point()) return v->get();
    if (auto v = node.as_boolean()) return v->get();
    if (auto v = node.as_string()) return v->get();
    if (auto a = node.as_array()) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& item : *a) out.push_back(json_of(item));
        return out;
    }
    if (auto t = node.as_table()) {
        nlohmann::json out = nlohmann::json::object();
        for (const auto& [k, v] : *t) out[std::string(k.str())] = json_of(v);
        return out;
    }
    std::ostringstream text;  // dates and times keep their TOML spelling
    if (auto d = node.as_date()) text << *d;
    if (auto t = node.as_time()) text << *t;
    if (auto dt = node.as_date_time()) text << *dt;
    return text.str();
}

// Throws Error when `value` holds a NaN or an infinity, which the registry would store as null.
void check_finite(const nlohmann::json& value, std::string_view text) {
    if (value.is_number_float()) {
        MLSTRAT_CHECK(std::isfinite(value.get<double>()), "--param: '", text,
                      "' is not a finite number (quote it to keep it as text)");
    }
    if (value.is_structured()) {
        for (const auto& item : value) check_finite(item, text);
    }
}

void flatten(const toml::table& table, const std::string& prefix,
             std::map<std::string, nlohmann::json>& out) {
    for (const auto& [k, v] : table) {
        const std::string key = prefix + std::string(k.str());
        if (auto sub = v.as_table()) {
            flatten(*sub, key + ".", out);
        } else {
            out[key] = json_of(v);
        }
    }
}

}  // namespace

const char* status_name(Status status) {
    switch (status) {
        case Status::Running:
            return "running";
        case Status::Finished:
            return "finished";
        case Status::Failed:
            return "failed";
        case Status::Deleted:
            return "deleted";
    }
    return "finished";
}

Status parse_status(std::string_view text) {
    for (Status s : {Status::Running, Status::Finished, Status::Failed, Status::Deleted}) {
        if (text == status_name(s)) return s;
    }
    throw Error(
        detail::concat("'", text, "' is not a status (running, finished, failed, deleted)"));
}

std::string Key::text() const {
    switch (kind) {
        case Kind::SplitMetric:
            return split + "." + name;
        case Kind::Param:
            return "param." + name;
        case Kind::Tag:
            return "tag." + name;
        case Kind::Field:
        case Kind::Metric:
            return name;
    }
    return name;
}

Key parse_key(std::string_view raw, std::string_view on) {
    const std::string_view text = trim(raw);
    check_part(text, raw);
    Key key;
    for (std::string_view prefix : {"param.", "tag."}) {
        if (text.substr(0, prefix.size()) == prefix) {
            key.kind = prefix == "tag." ? Key::Kind::Tag : Key::Kind::Param;
            key.name = std::string(text.substr(prefix.size()));
            check_part(key.name, raw);
            return key;
        }
    }
    if (std::find(std::begin(kFields), std::end(kFields), text) != std::end(kFields)) {
        key.kind = Key::Kind::Field;
        key.name = std::string(text);
        return key;
    }
    const auto dot = text.find('.');
    if (dot != std::string_view::npos) {
        key.kind = Key::Kind::SplitMetric;
        key.split = std::string(text.substr(0, dot));
        key.name = std::string(text.substr(dot + 1));
        MLSTRAT_CHECK(
            !key.split.empty() && !key.name.empty() && key.name.find('.') == std::string::npos, "'",
            raw, "' is not SPLIT.METRIC (dev.error, test.accuracy)");
        return key;
    }
    key.name = std::string(text);
    if (is_split_metric(text)) {
        key.kind = Key::Kind::SplitMetric;
        key.split = std::string(on);
        key.split_given = false;
    } else {
        key.kind = Key::Kind::Metric;
    }
    return key;
}

Condition parse_condition(std::string_view text, std::string_view on) {
    const auto pos = text.find_first_of("<>=!~");
    MLSTRAT_CHECK(pos != std::string_view::npos && pos > 0, "--where: '", text,
                  "' is not KEY OP VALUE (OP: < <= = != >= > ~)");
    Condition c;
    std::string_view rest = text.substr(pos);
    std::size_t op_len = 2;
    if (rest.substr(0, 2) == "<=") {
        c.op = Condition::Op::LessEqual;
    } else if (rest.substr(0, 2) == ">=") {
        c.op = Condition::Op::GreaterEqual;
    } else if (rest.substr(0, 2) == "!=") {
        c.op = Condition::Op::NotEqual;
    } else if (rest.substr(0, 2) == "==") {
        c.op = Condition::Op::Equal;
    } else {
        op_len = 1;
        switch (rest[0]) {
            case '<':
                c.op = Condition::Op::Less;
                break;
            case '>':
                c.op = Condition::Op::Greater;
                break;
            case '=':
                c.op = Condition::Op::Equal;
                break;
            case '~':
                c.op = Condition::Op::Glob;
                break;
            default:
                throw Error(
                    detail::concat("--where: '", text, "' has no operator (< <= = != >= > ~)"));
        }
    }
    c.key = parse_key(text.substr(0, pos), on);
    const std::string_view value = trim(rest.substr(op_len));
    MLSTRAT_CHECK(!value.empty(), "--where: '", text, "' has no value after the operator");
    MLSTRAT_CHECK(value.find_first_of("<>=!") == std::string_view::npos, "--where: '", text,
                  "' holds two operators");
    c.value = std::string(value);
    const bool percent = value.back() == '%';
    if (auto n = try_parse_number(percent ? value.substr(0, value.size() - 1) : value)) {
        if (std::isfinite(*n)) c.number = percent ? *n / 100.0 : *n;
    }
    const bool numeric_key =
        c.key.kind == Key::Kind::SplitMetric || c.key.kind == Key::Kind::Metric;
    MLSTRAT_CHECK(!numeric_key || c.op == Condition::Op::Glob || c.number.has_value(), "--where: '",
                  text, "': ", c.key.text(), " is a number, and '", value, "' is not one");
    MLSTRAT_CHECK(c.op != Condition::Op::Glob || !numeric_key, "--where: '", text,
                  "': ~ matches text, and ", c.key.text(), " is a number");
    return c;
}

MetricValue parse_metric_value(std::string_view text) {
    auto [name, value] = split_assignment(text, "--metric");
    MetricValue m;
    const Key key = parse_key(name);
    MLSTRAT_CHECK(key.kind == Key::Kind::SplitMetric || key.kind == Key::Kind::Metric,
                  "--metric: '", text, "' names ", key.text(),
                  ", which is not a metric (SPLIT.METRIC=VALUE or METRIC=VALUE)");
    MLSTRAT_CHECK(key.split_given, "--metric: '", text, "': say which split ", key.name,
                  " was measured on (", kChooseSplit, ".", key.name, "=", value, ")");
    m.split = key.kind == Key::Kind::SplitMetric ? key.split : "";
    m.metric = key.name;
    m.value = parse_number(value, "--metric " + std::string(name));
    MLSTRAT_CHECK(std::isfinite(m.value), "--metric ", name, ": ", value,
                  " is not a finite number");
    return m;
}

std::pair<std::string, nlohmann::json> parse_param(std::string_view text) {
    auto [name, value] = split_assignment(text, "--param");
    check_part(trim(name), text);
    const std::string_view v = trim(value);
    nlohmann::json typed = std::string(v);
    try {
        toml::table parsed = toml::parse("v = " + std::string(v));
        if (const toml::node* node = parsed.get("v")) typed = json_of(*node);
    } catch (const toml::parse_error&) {
        // Not a TOML value: the text itself ("adam", "resnet-50").
    }
    check_finite(typed, text);
    io::json_text(typed, "--param " + std::string(trim(name)));  // the registry stores it as JSON
    return {std::string(trim(name)), typed};
}

LogEntry parse_log(const std::vector<std::string>& metrics, const std::vector<std::string>& params,
                   const std::vector<std::string>& tags, std::optional<std::int64_t> step) {
    LogEntry entry;
    entry.step = step;
    for (const auto& m : metrics) entry.metrics.push_back(parse_metric_value(m));
    for (const auto& p : params) entry.params.insert(parse_param(p));
    for (const auto& t : tags) {
        auto [k, v] = split_assignment(t, "--tag");
        check_part(trim(k), t);
        io::json_text(nlohmann::json(v), "--tag " + std::string(trim(k)));  // runs list --json
        entry.tags[std::string(trim(k))] = v;
    }
    MLSTRAT_CHECK(!step || *step >= 0, "--step must be 0 or more, got ", *step);
    MLSTRAT_CHECK(!step || !entry.metrics.empty(), "--step ", step.value_or(0),
                  " logs no metric (add --metric SPLIT.METRIC=VALUE)");
    return entry;
}

std::map<std::string, nlohmann::json> flatten_config(std::string_view text,
                                                     const std::string& source) {
    toml::table table;
    try {
        table = toml::parse(text, source);
    } catch (const toml::parse_error& e) {
        throw Error(ErrorCode::Config,
                    where(source, e.source().begin.line) + ": " + std::string(e.description()));
    }
    std::map<std::string, nlohmann::json> out;
    flatten(table, "", out);
    return out;
}

Query parse_query(const std::vector<std::string>& where, std::string_view sort, std::size_t limit,
                  std::string_view on) {
    Query q;
    for (const auto& w : where) q.where.push_back(parse_condition(w, on));
    sort = trim(sort);
    if (!sort.empty()) {
        q.descending = sort.front() == '-';
        q.sort = parse_key(q.descending ? sort.substr(1) : sort, on);
    }
    q.limit = limit;
    for (const auto& c : q.where) {
        if (c.key.kind == Key::Kind::Field && c.key.name == "status") q.include_deleted = true;
    }
    return q;
}

MetricValue keyword_metric(std::string_view keyword, double value) {
    // dev_error -> dev.error: the longest per-split metric the keyword ends with, after '_'.
    std::string name(keyword);
    if (name.find('.') == std::string::npos) {
        std::string_view best;
        for (std::string_view metric : kSplitMetrics) {
            const bool ends = name.size() > metric.size() + 1 && name.ends_with(metric) &&
                              name[name.size() - metric.size() - 1] == '_';
            if (ends && metric.size() > best.size()) best = metric;
        }
        if (!best.empty()) {
            name = name.substr(0, name.size() - best.size() - 1) + "." + std::string(best);
        }
    }
    const Key key = parse_key(name);
    MLSTRAT_CHECK(key.kind == Key::Kind::SplitMetric || key.kind == Key::Kind::Metric, "'", keyword,
                  "' names ", key.text(),
                  ", which is not a metric (SPLIT_METRIC such as dev_error, or METRIC such as lr)");
    MLSTRAT_CHECK(key.split_given, "'", keyword, "': say which split ", key.name,
                  " was measured on (", kChooseSplit, "_", key.name, ")");
    MLSTRAT_CHECK(std::isfinite(value), "'", keyword, "': ", value, " is not a finite number");
    return {key.kind == Key::Kind::SplitMetric ? key.split : "", key.name, value};
}

}  // namespace mlstrat::registry
