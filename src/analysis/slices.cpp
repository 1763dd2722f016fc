// errors slices: a shallow decision tree fitted to the error indicator, one streaming pass per
// level. Pass 0 learns each feature's kind and bins (quantiles of a hashed bottom-k sample for
// numbers, the value list for categories); each later pass routes every row to its leaf and
// fills (rows, errors) histograms per leaf, feature and bin. Memory depends on the number of
// leaves, features and bins, never on the number of rows.

#include <fmt/format.h>
#include <xxhash.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <queue>

#include "common/interner.hpp"
#include "mlstrat/analysis.hpp"
#include "mlstrat/metrics.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/support/parse.hpp"
#include "mlstrat/support/text.hpp"

namespace mlstrat::analysis {

namespace {

// A categorical feature with more values than this is rejected: its cohorts would be too small
// to read, and its value list would grow with the file.
constexpr std::size_t kMaxCategories = 1000;
// Values per numeric feature sampled to place the bin edges.
constexpr std::size_t kEdgeSample = 1 << 16;
// Family-wise significance of the splits tried at one node (Bonferroni over the candidates).
constexpr double kSplitAlpha = 1e-3;

struct Feature {
    std::string name;
    bool numeric = false;
    std::vector<double> edges;    // numeric: bin b holds edges[b-1] < x <= edges[b]
    detail::Interner categories;  // categorical: bin = id
    std::size_t bins() const { return numeric ? edges.size() + 2 : categories.size(); }
    std::size_t missing_bin() const { return edges.size() + 1; }  // numeric only

    // The bin of a cell, or SIZE_MAX when a categorical value was never seen (cannot happen
    // after pass 0, which saw every value).
    std::size_t bin(std::string_view cell) const {
        if (!numeric) {
            std::int64_t id = categories.find(cell);
            return id < 0 ? std::numeric_limits<std::size_t>::max() : static_cast<std::size_t>(id);
        }
        if (trim(cell).empty()) return missing_bin();
        auto v = try_parse_number(cell);
        if (!v) return std::numeric_limits<std::size_t>::max();
        return static_cast<std::size_t>(std::lower_bound(edges.begin(), edges.end(), *v) -
                                        edges.begin());
    }
};

enum class SplitKind { Threshold, Equals, Missing };

// A node's split: rows with the feature's bin in the left set go left.
struct Split {
    std::size_t feature = 0;
    SplitKind kind = SplitKind::Threshold;
    std::size_t bin = 0;  // Threshold: left when bin <= this; Equals: left when bin == this
    bool goes_left(std::size_t b, const Feature& f) const {
        switch (kind) {
            case SplitKind::Threshold:
                return b != f.missing_bin() && b <= bin;
            case SplitKind::Equals:
                return b == bin;
            case SplitKind::Missing:
                return b == f.missing_bin();
        }
        return false;
    }
};

// What is known about one feature on the path to a node, for printing its condition.
struct Constraint {
    bool used = false;
    // numeric
    std::optional<double> above;    // x > above
    std::optional<double> at_most;  // x <= at_most
    bool maybe_missing = true;
    bool only_missing = false;
    // categorical
    std::optional<std::string> equals;
    std::vector<std::string> not_equal;
};

struct Node {
    std::uint64_t rows = 0;
    std::uint64_t errors = 0;
    std::vector<Constraint> constraints;
    std::optional<Split> split;
    std::size_t left = 0, right = 0;
    bool leaf = true;
};

std::string number_text(double v) { return fmt::format("{}", v); }

std::string category_text(const std::string& v) { return v.empty() ? "(empty)" : v; }

std::string describe(const std::vector<Constraint>& constraints,
                     const std::vector<Feature>& features) {
    std::vector<std::string> parts;
    for (std::size_t j = 0; j < constraints.size(); ++j) {
        const Constraint& c = constraints[j];
        if (!c.used) continue;
        const std::string& name = features[j].name;
        if (features[j].numeric) {
            if (c.only_missing) {
                parts.push_back(name + " is empty");
                continue;
            }
            std::string range;
            if (c.above && c.at_most) {
                range = number_text(*c.above) + " < " + name + " <= " + number_text(*c.at_most);
            } else if (c.above) {
                range = name + " > " + number_text(*c.above);
            } else if (c.at_most) {
                range = name + " <= " + number_text(*c.at_most);
            } else {
                range = name + " is not empty";
            }
            if (c.maybe_missing && (c.above || c.at_most)) {
                range = "(" + range + " or " + name + " is empty)";
            }
            parts.push_back(range);
        } else if (c.equals) {
            parts.push_back(name + " = " + category_text(*c.equals));
        } else if (c.not_equal.size() == 1) {
            parts.push_back(name + " != " + category_text(c.not_equal.front()));
        } else if (!c.not_equal.empty()) {
            std::string list;
            for (const auto& v : c.not_equal) list += (list.empty() ? "" : ", ") + category_text(v);
            parts.push_back(name + " not in {" + list + "}");
        }
    }
    return text::join(parts, " AND ");
}

// Pass 0 state of one worker for one feature.
struct FeatureScan {
    bool numeric = true;
    std::uint64_t numbers = 0;
    detail::Interner values;
    bool overflow = false;
    std::priority_queue<std::pair<std::uint64_t, double>> sample;  // bottom-k by key
};

}  // namespace

CohortReport find_error_slices(const std::string& pred_path, const SliceOptions& options) {
    MLSTRAT_CHECK(!options.features.empty(), "errors slices needs at least one feature column");
    MLSTRAT_CHECK(options.min_rows >= 1, "--min-rows must be at least 1");
    MLSTRAT_CHECK(options.max_depth >= 1 && options.max_depth <= 8, "--max-depth must be 1 to 8");
    MLSTRAT_CHECK(options.bins >= 2 && options.bins <= 255, "--bins must be 2 to 255");
    stats::z_for_level(options.ci_level);
    const std::size_t nf = options.features.size();

    auto open = [&](std::vector<std::size_t>& columns) {
        auto table = std::make_unique<io::TableReader>(pred_path, options.table);
        columns = {table->column(options.label_col), table->column(options.pred_col)};
        for (const auto& f : options.features) columns.push_back(table->column(f));
        return table;
    };
    auto is_wrong = [&](const io::RowBatch& batch, std::size_t r) {
        std::string_view label = batch.cell(r, 0), pred = batch.cell(r, 1);
        if (label.empty() || pred.empty()) {
            throw Error(where(batch.path(), batch.line(r)) + ": column '" +
                        (label.empty() ? options.label_col : options.pred_col) +
                        "' is empty; every row needs a label and a prediction");
        }
        return label != pred;
    };

    // Pass 0: kinds, bins, totals.
    std::vector<std::size_t> columns;
    auto table = open(columns);
    struct Pass0 {
        std::uint64_t rows = 0, errors = 0;
        std::vector<FeatureScan> features;
    };
    std::vector<Pass0> pass0(table->threads());
    for (auto& w : pass0) w.features.resize(nf);
    table->scan(columns, [&](unsigned wi, const io::RowBatch& batch) {
        Pass0& w = pass0[wi];
        for (std::size_t r = 0; r < batch.size(); ++r) {
            w.errors += is_wrong(batch, r) ? 1 : 0;
            const std::uint64_t index = batch.row_index(r);
            for (std::size_t j = 0; j < nf; ++j) {
                FeatureScan& f = w.features[j];
                std::string_view cell = batch.cell(r, 2 + j);
                if (!f.overflow) {
                    f.values.intern(cell);
                    if (f.values.size() > kMaxCategories) f.overflow = true;
                }
                if (!f.numeric || trim(cell).empty()) continue;
                auto v = try_parse_number(cell);
                if (!v) {
                    f.numeric = false;
                    continue;
                }
                ++f.numbers;
                const std::uint64_t key = XXH3_64bits_withSeed(&index, sizeof index, j);
                if (f.sample.size() < kEdgeSample) {
                    f.sample.emplace(key, *v);
                } else if (key < f.sample.top().first) {
                    f.sample.pop();
                    f.sample.emplace(key, *v);
                }
            }
        }
        w.rows += batch.size();
    });

    CohortReport report;
    report.min_rows = options.min_rows;
    report.ci_level = options.ci_level;
    report.passes = 1;
    for (const auto& w : pass0) {
        report.rows += w.rows;
        report.errors += w.errors;
    }
    MLSTRAT_CHECK(report.rows > 0, where(pred_path, 2), ": the file has a header but no data rows");
    report.error = static_cast<double>(report.errors) / static_cast<double>(report.rows);
    report.error_ci = stats::wilson_interval(static_cast<double>(report.errors),
                                             static_cast<double>(report.rows), options.ci_level);

    std::vector<Feature> features(nf);
    for (std::size_t j = 0; j < nf; ++j) {
        Feature& f = features[j];
        f.name = options.features[j];
        bool numeric = true, overflow = false;
        std::uint64_t numbers = 0;
        std::vector<std::pair<std::uint64_t, double>> sample;
        for (auto& w : pass0) {
            FeatureScan& s = w.features[j];
            numeric = numeric && s.numeric;
            overflow = overflow || s.overflow;
            numbers += s.numbers;
            while (!s.sample.empty()) {
                sample.push_back(s.sample.top());
                s.sample.pop();
            }
        }
        f.numeric = numeric && numbers > 0;
        if (f.numeric) {
            std::sort(sample.begin(), sample.end());
            if (sample.size() > kEdgeSample) sample.resize(kEdgeSample);
            std::vector<double> values;
            for (const auto& s : sample) values.push_back(s.second);
            std::sort(values.begin(), values.end());
            std::vector<double> distinct = values;
            distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
            if (distinct.size() <= options.bins) {
                f.edges = distinct;
            } else {
                for (unsigned b = 1; b < options.bins; ++b) {
                    f.edges.push_back(values[values.size() * b / options.bins]);
                }
                f.edges.erase(std::unique(f.edges.begin(), f.edges.end()), f.edges.end());
            }
            continue;
        }
        MLSTRAT_CHECK(!overflow, pred_path, ": feature '", f.name, "' has more than ",
                      kMaxCategories,
                      " distinct values and is not numeric; slices need a "
                      "categorical column with few values or a numeric one");
        std::vector<std::string> names;
        for (auto& w : pass0) {
            for (const auto& v : w.features[j].values.names()) names.push_back(v);
        }
        std::sort(names.begin(), names.end());
        names.erase(std::unique(names.begin(), names.end()), names.end());
        for (std::size_t i : metrics::natural_order(names)) f.categories.intern(names[i]);
    }
    pass0.clear();

    std::vector<std::size_t> offset(nf + 1, 0);  // histogram offset of each feature's bins
    for (std::size_t j = 0; j < nf; ++j) offset[j + 1] = offset[j] + features[j].bins();

    std::vector<Node> nodes(1);
    nodes[0].rows = report.rows;
    nodes[0].errors = report.errors;
    nodes[0].constraints.resize(nf);
    std::vector<std::size_t> frontier = {0};

    for (unsigned depth = 0; depth < options.max_depth; ++depth) {
        std::vector<std::size_t> open_nodes;
        for (std::size_t id : frontier) {
            const Node& n = nodes[id];
            if (n.rows >= 2 * options.min_rows && n.errors > 0 && n.errors < n.rows) {
                open_nodes.push_back(id);
            }
        }
        if (open_nodes.empty()) break;
        std::vector<std::int64_t> slot(nodes.size(), -1);
        for (std::size_t s = 0; s < open_nodes.size(); ++s)
            slot[open_nodes[s]] = static_cast<std::int64_t>(s);

        // Histograms[slot][offset[j] + bin] = {rows, errors}.
        const std::size_t cells = open_nodes.size() * offset[nf];
        table = open(columns);
        std::vector<std::vector<std::uint64_t>> hist_rows(table->threads()),
            hist_errors(table->threads());
        for (unsigned w = 0; w < table->threads(); ++w) {
            hist_rows[w].assign(cells, 0);
            hist_errors[w].assign(cells, 0);
        }
        table->scan(columns, [&](unsigned wi, const io::RowBatch& batch) {
            std::vector<std::size_t> bins(nf);
            auto& hr = hist_rows[wi];
            auto& he = hist_errors[wi];
            for (std::size_t r = 0; r < batch.size(); ++r) {
                const bool wrong = is_wrong(batch, r);
                for (std::size_t j = 0; j < nf; ++j) {
                    bins[j] = features[j].bin(batch.cell(r, 2 + j));
                    if (bins[j] == std::numeric_limits<std::size_t>::max()) {
                        throw Error(where(batch.path(), batch.line(r)) + ": column '" +
                                    features[j].name + "' changed while it was read ('" +
                                    std::string(batch.cell(r, 2 + j)) + "' was not there before)");
                    }
                }
                std::size_t id = 0;
                while (!nodes[id].leaf) {
                    const Split& s = *nodes[id].split;
                    id = s.goes_left(bins[s.feature], features[s.feature]) ? nodes[id].left
                                                                           : nodes[id].right;
                }
                if (slot[id] < 0) continue;
                const std::size_t base = static_cast<std::size_t>(slot[id]) * offset[nf];
                for (std::size_t j = 0; j < nf; ++j) {
                    ++hr[base + offset[j] + bins[j]];
                    he[base + offset[j] + bins[j]] += wrong ? 1 : 0;
                }
            }
        });
        ++report.passes;
        for (unsigned w = 1; w < hist_rows.size(); ++w) {
            for (std::size_t c = 0; c < cells; ++c) {
                hist_rows[0][c] += hist_rows[w][c];
                hist_errors[0][c] += hist_errors[w][c];
            }
        }
        const auto& hr = hist_rows[0];
        const auto& he = hist_errors[0];

        std::vector<std::size_t> next;
        for (std::size_t s = 0; s < open_nodes.size(); ++s) {
            const std::size_t id = open_nodes[s];
            const double n = static_cast<double>(nodes[id].rows);
            const double e = static_cast<double>(nodes[id].errors);
            const double p = e / n;
            struct Candidate {
                Split split;
                double score = -1.0;
                std::uint64_t left_rows = 0, left_errors = 0;
            } best;
            std::size_t tried = 0;
            auto consider = [&](const Split& split, std::uint64_t lr, std::uint64_t le) {
                const std::uint64_t rr = nodes[id].rows - lr;
                if (lr < options.min_rows || rr < options.min_rows) return;
                ++tried;
                const double pl = static_cast<double>(le) / static_cast<double>(lr);
                const double pr = (e - static_cast<double>(le)) / static_cast<double>(rr);
                // The between-groups sum of squares of the error indicator.
                const double score =
                    static_cast<double>(lr) * static_cast<double>(rr) / n * (pl - pr) * (pl - pr);
                if (score > best.score) best = {split, score, lr, le};
            };
            const std::size_t base = s * offset[nf];
            for (std::size_t j = 0; j < nf; ++j) {
                const Feature& f = features[j];
                const std::size_t o = base + offset[j];
                if (f.numeric) {
                    std::uint64_t lr = 0, le = 0;
                    for (std::size_t b = 0; b + 1 < f.missing_bin(); ++b) {
                        lr += hr[o + b];
                        le += he[o + b];
                        if (hr[o + b] == 0) continue;  // same partition as the previous bin
                        consider({j, SplitKind::Threshold, b}, lr, le);
                    }
                    const std::size_t m = f.missing_bin();
                    if (hr[o + m] > 0) consider({j, SplitKind::Missing, m}, hr[o + m], he[o + m]);
                } else {
                    for (std::size_t b = 0; b < f.bins(); ++b) {
                        if (hr[o + b] > 0)
                            consider({j, SplitKind::Equals, b}, hr[o + b], he[o + b]);
                    }
                }
            }
            if (best.score <= 0.0) continue;
            // Chi-square test of the 2x2 table: between-groups SS over p(1 - p).
            const double chi2 = best.score / (p * (1.0 - p));
            if (stats::chi_square_sf(chi2, 1.0) > kSplitAlpha / static_cast<double>(tried))
                continue;

            const Split split = best.split;
            const Feature& f = features[split.feature];
            Node left, right;
            left.rows = best.left_rows;
            left.errors = best.left_errors;
            right.rows = nodes[id].rows - left.rows;
            right.errors = nodes[id].errors - left.errors;
            left.constraints = right.constraints = nodes[id].constraints;
            Constraint& lc = left.constraints[split.feature];
            Constraint& rc = right.constraints[split.feature];
            lc.used = rc.used = true;
            const std::size_t o = s * offset[nf] + offset[split.feature];
            switch (split.kind) {
                case SplitKind::Threshold:
                    lc.at_most = f.edges[split.bin];
                    lc.maybe_missing = false;
                    rc.above = f.edges[split.bin];
                    rc.maybe_missing = rc.maybe_missing && hr[o + f.missing_bin()] > 0;
                    break;
                case SplitKind::Missing:
                    lc.only_missing = true;
                    rc.maybe_missing = false;
                    break;
                case SplitKind::Equals:
                    lc.equals = f.categories.name(static_cast<std::uint32_t>(split.bin));
                    rc.not_equal.push_back(*lc.equals);
                    break;
            }
            nodes[id].split = split;
            nodes[id].leaf = false;
            nodes[id].left = nodes.size();
            nodes.push_back(std::move(left));
            nodes[id].right = nodes.size();
            nodes.push_back(std::move(right));
            next.push_back(nodes[id].left);
            next.push_back(nodes[id].right);
        }
        frontier = std::move(next);
        if (frontier.empty()) break;
    }

    if (nodes.size() > 1) {
        for (const Node& n : nodes) {
            if (!n.leaf) continue;
            Cohort c;
            c.condition = describe(n.constraints, features);
            c.rows = n.rows;
            c.errors = n.errors;
            c.error = static_cast<double>(n.errors) / static_cast<double>(n.rows);
            c.error_ci = stats::wilson_interval(static_cast<double>(n.errors),
                                                static_cast<double>(n.rows), options.ci_level);
            c.error_share = report.errors == 0 ? 0.0
                                               : static_cast<double>(n.errors) /
                                                     static_cast<double>(report.errors);
            report.cohorts.push_back(std::move(c));
        }
        std::stable_sort(report.cohorts.begin(), report.cohorts.end(),
                         [](const Cohort& a, const Cohort& b) {
                             if (a.error != b.error) return a.error > b.error;
                             return a.rows > b.rows;
                         });
        if (report.cohorts.size() > options.top) report.cohorts.resize(options.top);
    }
    return report;
}

nlohmann::json CohortReport::to_json() const {
    using nlohmann::json;
    json j;
    j["rows"] = rows;
    j["errors"] = errors;
    j["error"] = error;
    j["error_ci"] = nlohmann::json(error_ci);
    j["min_rows"] = min_rows;
    j["ci_level"] = ci_level;
    j["passes"] = passes;
    j["cohorts"] = json::array();
    for (const auto& c : cohorts) {
        j["cohorts"].push_back({{"condition", c.condition},
                                {"rows", c.rows},
                                {"errors", c.errors},
                                {"error", c.error},
                                {"error_ci", nlohmann::json(c.error_ci)},
                                {"error_share", c.error_share}});
    }
    return j;
}

}  // namespace mlstrat::analysis
