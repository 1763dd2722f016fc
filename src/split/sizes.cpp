// How big each split is: the notes' rule for the deep-learning era (1.1.2), option 2 for target
// data (1.2.2), and the report's JSON.

#include <algorithm>
#include <cmath>

#include "mlstrat/split.hpp"
#include "mlstrat/support/error.hpp"

namespace mlstrat::split {

namespace {

std::string grouped(std::uint64_t n) {
    std::string digits = std::to_string(n), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
        out.push_back(digits[i]);
    }
    return out;
}

nlohmann::json interval_json(const stats::Interval& i) { return {{"lo", i.lo}, {"hi", i.hi}}; }

nlohmann::json check_json(const DistributionCheck& c) {
    nlohmann::json j = {
        {"test", "chi-square"}, {"column", c.column}, {"tested", c.tested}, {"ok", c.ok}};
    if (c.tested) {
        j["statistic"] = c.statistic;
        j["dof"] = c.dof;
        j["p_value"] = c.p_value;
    } else {
        j["statistic"] = nullptr;
        j["dof"] = nullptr;
        j["p_value"] = nullptr;
    }
    return j;
}

}  // namespace

const char* part_name(Part part) {
    switch (part) {
        case Part::Test:
            return "test";
        case Part::Dev:
            return "dev";
        case Part::TrainDev:
            return "train_dev";
        case Part::Train:
            return "train";
    }
    return "train";
}

SplitSizes resolve_sizes(const SplitOptions& options, std::uint64_t rows,
                         std::uint64_t target_rows) {
    SplitSizes s;
    std::uint64_t dev = 0, test = 0;
    if (options.targets.empty()) {
        MLSTRAT_CHECK(!options.target_in_train, "--target-in-train needs --target");
        if (!options.dev && !options.test) {
            // 60/20/20 while 20% is under 10,000 rows; then 10,000 each; 98/1/1 from 1,000,000.
            const auto fifth = static_cast<std::uint64_t>(std::llround(0.2 * rows));
            const auto percent = static_cast<std::uint64_t>(std::llround(0.01 * rows));
            dev = test = std::max(percent, std::min<std::uint64_t>(fifth, 10000));
            s.rule = rows < 50000     ? "the notes: under 50,000 rows, 60/20/20"
                     : rows < 1000000 ? "the notes: 10,000 rows each for dev and test"
                                      : "the notes: 1,000,000 rows or more, 98/1/1";
        } else {
            dev = (options.dev ? options.dev : options.test)->resolve(rows);
            test = (options.test ? options.test : options.dev)->resolve(rows);
            s.rule = options.dev && options.test ? "--dev and --test as given"
                                                 : "as given; the missing one of dev and test "
                                                   "takes the same size";
        }
        MLSTRAT_CHECK(dev + test <= rows, "dev (", grouped(dev), ") + test (", grouped(test),
                      ") = ", grouped(dev + test), " rows, but the input has ", grouped(rows));
    } else {
        const std::uint64_t T = target_rows;
        std::optional<std::uint64_t> d, t, k;
        if (options.dev) d = options.dev->resolve(T);
        if (options.test) t = options.test->resolve(T);
        if (options.target_in_train) k = options.target_in_train->resolve(T);
        auto fits = [&](std::uint64_t used, const char* what) {
            MLSTRAT_CHECK(used <= T, what, " = ", grouped(used), " rows, but --target matches ",
                          grouped(T), " rows; dev and test are drawn only from the target rows");
        };
        const bool all_shares = options.dev && options.test && options.target_in_train &&
                                options.dev->is_share && options.test->is_share &&
                                options.target_in_train->is_share;
        if (all_shares && *d + *t <= T &&
            std::fabs(options.dev->share + options.test->share + options.target_in_train->share -
                      1.0) < 1e-9) {
            k = T - *d - *t;  // three shares of 100% each round on their own; train takes the rest
        }
        if (d && t && k) {
            MLSTRAT_CHECK(*d + *t + *k == T, "dev (", grouped(*d), ") + test (", grouped(*t),
                          ") + target in train (", grouped(*k), ") = ", grouped(*d + *t + *k),
                          " rows, but --target matches ", grouped(T),
                          " rows; give at most two of --dev, --test and --target-in-train, or "
                          "sizes that add up");
            s.rule = "as given";
        } else if (!d && !t) {
            if (!k) {
                d = t = T / 4;
                k = T - *d - *t;
                s.rule =
                    "option 2 of the notes: half the target rows in train, the rest split "
                    "equally into dev and test";
            } else {
                fits(*k, "target in train");
                d = (T - *k) / 2;
                t = T - *k - *d;
                s.rule = "the target rows not in train, split equally into dev and test";
            }
        } else {
            if (!d) d = k ? std::optional<std::uint64_t>() : t;
            if (!t) t = k ? std::optional<std::uint64_t>() : d;
            if (d && t) {
                fits(*d + *t, "dev + test");
                k = T - *d - *t;
                s.rule = "dev and test as given; the rest of the target rows in train";
            } else {
                const std::uint64_t known = d ? *d : *t;
                fits(known + *k, "the given size + target in train");
                (d ? t : d) = T - known - *k;
                s.rule = "as given; the rest of the target rows to the other of dev and test";
            }
        }
        dev = *d;
        test = *t;
        s.target_in_train = *k;
    }
    const std::uint64_t train_side = rows - dev - test;
    const std::uint64_t train_dev = options.train_dev ? options.train_dev->resolve(train_side) : 0;
    MLSTRAT_CHECK(train_side > train_dev, "no rows are left for train (", grouped(rows),
                  " rows: dev ", grouped(dev), ", test ", grouped(test), ", train-dev ",
                  grouped(train_dev), ")");
    s.rows[static_cast<std::size_t>(Part::Test)] = test;
    s.rows[static_cast<std::size_t>(Part::Dev)] = dev;
    s.rows[static_cast<std::size_t>(Part::TrainDev)] = train_dev;
    s.rows[static_cast<std::size_t>(Part::Train)] = train_side - train_dev;
    return s;
}

nlohmann::json SplitReport::to_json() const {
    using nlohmann::json;
    json j;
    if (check_only) {
        j["checked"] = input;
    } else {
        j["input"] = input;
        j["seed"] = seed;
        j["mode"] = stable ? "stable" : "exact";
        json sz = {{"rule", sizes.rule}};
        for (std::size_t p = 0; p < kParts; ++p) {
            sz[part_name(static_cast<Part>(p))] = sizes.rows[p];
        }
        const bool targets = std::any_of(splits.begin(), splits.end(), [](const SplitSet& s) {
            return s.target_rows.has_value();
        });
        if (targets) sz["target_in_train"] = sizes.target_in_train;
        j["sizes"] = sz;
    }
    j["input_rows"] = input_rows;
    j["label_col"] = label_col.empty() ? json(nullptr) : json(label_col);
    j["splits"] = json::object();
    for (const auto& s : splits) {
        json o = {{"file", s.file}, {"rows", s.rows}, {"sha256", s.sha256}};
        if (!label_col.empty()) {
            json counts = json::object();
            for (const auto& [label, n] : s.label_counts) counts[label] = n;
            o["label_counts"] = counts;
        }
        if (s.target_rows) o["target_rows"] = *s.target_rows;
        if (s.error_interval) {
            o["error_interval"] = interval_json(*s.error_interval);
            o["error_interval"]["error"] = expected_error;
            o["error_interval"]["ci_level"] = ci_level;
        }
        j["splits"][part_name(s.part)] = o;
    }
    json dist =
        label_check
            ? check_json(*label_check)
            : json{{"test", "chi-square"}, {"column", nullptr}, {"tested", false},   {"ok", true},
                   {"statistic", nullptr}, {"dof", nullptr},    {"p_value", nullptr}};
    dist["significance"] = significance;
    dist["slices"] = json::array();
    for (const auto& c : slice_checks) dist["slices"].push_back(check_json(c));
    json leak = {{"duplicate_rows_across_splits", leakage.duplicate_rows_across_splits}};
    leak["duplicate_ids_across_splits"] = leakage.duplicate_ids_across_splits
                                              ? json(*leakage.duplicate_ids_across_splits)
                                              : json(nullptr);
    leak["groups_across_splits"] =
        leakage.groups_across_splits ? json(*leakage.groups_across_splits) : json(nullptr);
    j["checks"] = {{"dev_test_same_distribution", dist}, {"leakage", leak}};
    j["warnings"] = warnings;
    if (dev_division) {
        const auto& d = *dev_division;
        j["eyeball"] = {
            {"rule", d.rule},
            {"eyeball_dev",
             {{"file", d.eyeball_file}, {"rows", d.eyeball_rows}, {"sha256", d.eyeball_sha256}}},
            {"blackbox_dev",
             {{"file", d.blackbox_file},
              {"rows", d.blackbox_rows},
              {"sha256", d.blackbox_sha256}}}};
    }
    return j;
}

}  // namespace mlstrat::split
