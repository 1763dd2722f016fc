// Fuzzes `runs log` (registry::parse_log, Registry::log) and reads back what it stored: the run
// must hold every metric, parameter and tag as parsed (the last value of a key logged twice),
// the step's curve points, a `--where KEY=VALUE` on each number must find it, and `runs list
// --json` and `runs export` must print it. The first byte gives --step (none, or -8..55); then
// up to three parts split by NUL bytes: --metric values, --param values, --tag values, one a
// line.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "fuzz_input.hpp"
#include "mlstrat/registry.hpp"

namespace {

using namespace mlstrat::registry;

std::vector<std::vector<std::string>> parts_of(const std::string& input) {
    std::vector<std::vector<std::string>> parts(3);
    std::size_t part = 0;
    std::string line;
    for (std::size_t i = 0; i <= input.size(); ++i) {
        const char c = i < input.size() ? input[i] : '\0';
        if (c == '\n' || c == '\0') {
            if (!line.empty() || c == '\n') parts[part].push_back(line);
            line.clear();
            if (c == '\0' && ++part == parts.size()) break;
        } else {
            line += c;
        }
    }
    return parts;
}

/// Finds `run` with `--where TEXT`, else reports a finding.
void found_by(const Registry& registry, const std::string& run, const std::string& text) {
    const auto runs =
        mlstrat::fuzz::expect_no_error([&] { return registry.query(parse_query({text}, "", 0)); });
    for (const auto& r : runs) {
        if (r.name == run) return;
    }
    mlstrat::fuzz::finding("--where '" + text + "' does not find the run logged with it");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    std::optional<std::int64_t> step;
    if (data[0] & 1) step = (data[0] >> 2) - 8;
    const auto parts = parts_of(std::string(reinterpret_cast<const char*>(data) + 1, size - 1));

    LogEntry entry;
    bool parsed = false;
    mlstrat::fuzz::expect_clean([&] {
        entry = parse_log(parts[0], parts[1], parts[2], step);
        parsed = true;
    });
    if (!parsed) return 0;

    // A fresh registry now and then, so that the file stays small.
    static std::uint64_t count = 0;
    static std::optional<Registry> registry;
    const std::string path = mlstrat::fuzz::scratch_dir() + "/log.sqlite";
    if (count++ % 500 == 0) {
        registry.reset();
        std::error_code ec;
        for (const char* end : {"", "-wal", "-shm", "-journal"}) {
            std::filesystem::remove(path + end, ec);
        }
        registry = Registry::open(path);
    }
    const std::string name = "run-" + std::to_string(count);
    bool logged = false;
    mlstrat::fuzz::expect_clean([&] {
        registry->log(name, entry);
        logged = true;
    });
    if (!logged) return 0;

    const Run run =
        mlstrat::fuzz::expect_no_error([&] { return registry->find_run(name); }).value();
    std::map<std::pair<std::string, std::string>, double> last;
    for (const auto& m : entry.metrics) last[{m.split, m.metric}] = m.value;
    for (const auto& [key, value] : last) {
        const auto& [split, metric] = key;
        const auto stored = split.empty()
                                ? (run.metrics.count(metric) ? run.metrics.at(metric) : NAN)
                                : run.split_value(split, metric).value_or(NAN);
        if (!(stored == value)) {
            mlstrat::fuzz::finding(fmt::format("{}.{} = {:.17g} was logged, {:.17g} stored", split,
                                               metric, value, stored));
        }
        found_by(*registry, name,
                 (split.empty() ? metric : split + "." + metric) + fmt::format("={:.17g}", value));
    }
    if (step) {
        const auto steps = mlstrat::fuzz::expect_no_error([&] { return registry->steps(name); });
        if (steps.size() != last.size()) mlstrat::fuzz::finding("the step holds other metrics");
        for (const auto& s : steps) {
            if (s.step != *step || last.at({s.split, s.metric}) != s.value) {
                mlstrat::fuzz::finding("a step point differs from what was logged");
            }
        }
    }
    for (const auto& [key, value] : entry.params) {
        if (!run.params.count(key) || run.params.at(key) != value) {
            mlstrat::fuzz::finding(
                "param." + key + " = " +
                value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
                " was logged, another value stored");
        }
        if (value.is_number()) {
            found_by(*registry, name,
                     "param." + key + fmt::format("={:.17g}", value.get<double>()));
        }
    }
    if (run.tags != entry.tags) mlstrat::fuzz::finding("the tags stored are not those logged");
    // What `runs list --json` and `runs export` print of it.
    mlstrat::fuzz::expect_no_error([&] { return run.to_json().dump(); });
    mlstrat::fuzz::expect_no_error([&] { return runs_csv({run}, all_columns({run})); });
    return 0;
}
