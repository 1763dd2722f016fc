// Fuzzes `runs list --where ... --sort ...` (registry::parse_query) and runs the query on a small
// registry. The first byte picks the split a bare metric means (dev, test, train_dev) and the
// limit; then lines: the sort key, then one condition a line. A condition must read back to
// itself from its text form (KEY OP VALUE, as `runs list` would echo it), and every run the
// query returns must meet the conditions on numbers and come in the order asked.

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_input.hpp"
#include "mlstrat/registry.hpp"

namespace {

using namespace mlstrat::registry;

const char* op_text(Condition::Op op) {
    switch (op) {
        case Condition::Op::Less:
            return "<";
        case Condition::Op::LessEqual:
            return "<=";
        case Condition::Op::Equal:
            return "=";
        case Condition::Op::NotEqual:
            return "!=";
        case Condition::Op::GreaterEqual:
            return ">=";
        case Condition::Op::Greater:
            return ">";
        case Condition::Op::Glob:
            return "~";
    }
    return "=";
}

/// The same key (a bare metric written back names its split: `error` on test is `test.error`).
bool same_key(const Key& a, const Key& b) {
    return a.kind == b.kind && a.split == b.split && a.name == b.name;
}

bool holds(double v, Condition::Op op, double n) {
    switch (op) {
        case Condition::Op::Less:
            return v < n;
        case Condition::Op::LessEqual:
            return v <= n;
        case Condition::Op::Equal:
            return v == n;
        case Condition::Op::NotEqual:
            return v != n;
        case Condition::Op::GreaterEqual:
            return v >= n;
        case Condition::Op::Greater:
            return v > n;
        case Condition::Op::Glob:
            return true;
    }
    return true;
}

/// A registry of a few runs with errors on three splits, other metrics, parameters and tags.
const Registry& registry() {
    static Registry r = [] {
        Registry reg = Registry::open(mlstrat::fuzz::scratch_dir() + "/where.sqlite");
        for (int i = 0; i < 6; ++i) {
            Run run;
            run.name = "run-" + std::to_string(i);
            run.kind = i % 2 ? "train" : "manual";
            run.group = i < 3 ? "a" : "";
            run.errors = {{"dev", 0.05 * i}, {"test", 0.3 - 0.04 * i}};
            if (i != 2) run.errors["train_dev"] = 0.1;
            run.split_metrics["dev"]["accuracy"] = 1.0 - 0.05 * i;
            run.metrics["latency_ms"] = 3.0 * i - 4.0;
            run.params["optim.lr"] = i == 4 ? nlohmann::json("adam") : nlohmann::json(0.001 * i);
            run.params["model.widths"] = nlohmann::json::array({32, 64 * i});
            run.tags["owner"] = i % 3 ? "ana" : "ben*";
            reg.add_run(run);
        }
        reg.remove_run("run-5");
        return reg;
    }();
    return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    static const char* const splits[] = {"dev", "test", "train_dev", "dev"};
    const std::string on = splits[data[0] & 3];
    const std::size_t limit = data[0] >> 2 & 7;
    const std::string input(reinterpret_cast<const char*>(data) + 1, size - 1);
    std::vector<std::string> lines;
    for (std::size_t at = 0; at <= input.size();) {
        const auto end = std::min(input.find('\n', at), input.size());
        lines.push_back(input.substr(at, end - at));
        at = end + 1;
    }
    const std::string sort = lines.front();
    const std::vector<std::string> where(lines.begin() + 1, lines.end());

    Query query;
    bool parsed = false;
    mlstrat::fuzz::expect_clean([&] {
        query = parse_query(where, sort, limit, on);
        parsed = true;
    });
    if (!parsed) return 0;
    for (const Condition& c : query.where) {
        const std::string text = c.key.text() + op_text(c.op) + c.value;
        const Condition again =
            mlstrat::fuzz::expect_no_error([&] { return parse_condition(text, on); });
        const bool same_number = again.number.has_value() == c.number.has_value() &&
                                 (!c.number || *again.number == *c.number);
        if (!same_key(again.key, c.key) || again.op != c.op || again.value != c.value ||
            !same_number) {
            mlstrat::fuzz::finding("the condition '" + text + "' reads back differently");
        }
    }

    std::vector<Run> runs;
    bool ran = false;
    mlstrat::fuzz::expect_clean([&] {
        runs = registry().query(query);
        ran = true;
    });
    if (!ran) return 0;
    if (limit > 0 && runs.size() > limit) mlstrat::fuzz::finding("more runs than the limit");
    for (const Run& run : runs) {
        for (const Condition& c : query.where) {
            if (c.key.kind != Key::Kind::SplitMetric && c.key.kind != Key::Kind::Metric) continue;
            const auto v = value_of(run, c.key);
            if (!v.is_number() || !c.number || !holds(v.get<double>(), c.op, *c.number)) {
                mlstrat::fuzz::finding(run.name + " does not meet '" + c.key.text() +
                                       op_text(c.op) + c.value + "'");
            }
        }
    }
    if (query.sort &&
        (query.sort->kind == Key::Kind::SplitMetric || query.sort->kind == Key::Kind::Metric)) {
        // Runs with the key first, in order; those without it last.
        bool missing = false;
        double last = query.descending ? INFINITY : -INFINITY;
        for (const Run& run : runs) {
            const auto v = value_of(run, *query.sort);
            if (!v.is_number()) {
                missing = true;
                continue;
            }
            const double x = v.get<double>();
            if (missing || (query.descending ? x > last : x < last)) {
                mlstrat::fuzz::finding("the runs are not sorted by " + query.sort->text());
            }
            last = x;
        }
    }
    return 0;
}
