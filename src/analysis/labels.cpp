// labels: confident learning (Northcutt, Jiang, Chuang, JAIR 2021) with pruning by noise rate.
// Each step follows cleanlab's find_label_issues with its defaults, including its floating-point
// order where a rounding could flip a count: per-class thresholds are means summed the way numpy
// sums (pairwise), the calibrated joint is rounded half to even with row totals preserved, and
// the prune counts are truncated the way cleanlab casts them. Ties in a ranking go to the lower
// row index.

#include <fnmatch.h>

#include <algorithm>
#include <cfenv>
#include <charconv>
#include <cmath>
#include <numeric>

#include "common/interner.hpp"
#include "mlstrat/analysis.hpp"
#include "mlstrat/error.hpp"
#include "mlstrat/metrics.hpp"
#include "mlstrat/parse.hpp"

namespace mlstrat::analysis {

namespace {

// cleanlab's constants: the fuzz of every probability comparison and the thresholds' floor.
constexpr double kFuzz = 1e-6;
constexpr double kThresholdFloor = 2 * kFuzz;
constexpr double kTiny = 1e-100;

// numpy's pairwise summation of n doubles `stride` apart (add.reduce on float64).
double pairwise_sum(const double* a, std::size_t n, std::size_t stride = 1) {
    if (n < 8) {
        double res = 0.0;
        for (std::size_t i = 0; i < n; ++i) res += a[i * stride];
        return res;
    }
    if (n <= 128) {
        double r[8];
        for (std::size_t j = 0; j < 8; ++j) r[j] = a[j * stride];
        std::size_t i = 8;
        for (; i < n - (n % 8); i += 8) {
            for (std::size_t j = 0; j < 8; ++j) r[j] += a[(i + j) * stride];
        }
        double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; ++i) res += a[i * stride];
        return res;
    }
    std::size_t n2 = n / 2;
    n2 -= n2 % 8;
    return pairwise_sum(a, n2, stride) + pairwise_sum(a + n2 * stride, n - n2, stride);
}

double round_half_even(double x) { return std::nearbyint(x); }

// Rounds a row to whole numbers keeping its (rounded) total: the entries whose rounding lost
// the most are bumped first.
std::vector<std::int64_t> round_preserving_sum(const std::vector<double>& floats) {
    const std::size_t k = floats.size();
    std::vector<double> ints(k);
    for (std::size_t i = 0; i < k; ++i) ints[i] = round_half_even(floats[i]);
    const double orig_sum = round_half_even(pairwise_sum(floats.data(), k));
    double int_sum = round_half_even(pairwise_sum(ints.data(), k));
    while (std::abs(int_sum - orig_sum) > kFuzz) {
        const double diff = round_half_even(orig_sum - int_sum);
        const int increment = diff < 0.0 ? -1 : 1;
        const std::size_t changes = std::min<std::size_t>(static_cast<std::size_t>(std::abs(diff)), k);
        std::vector<std::size_t> order(k);
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            return floats[a] - ints[a] < floats[b] - ints[b];
        });
        if (increment > 0) std::reverse(order.begin(), order.end());
        for (std::size_t c = 0; c < changes; ++c) ints[order[c]] += increment;
        int_sum = round_half_even(pairwise_sum(ints.data(), k));
    }
    std::vector<std::int64_t> out(k);
    for (std::size_t i = 0; i < k; ++i) out[i] = static_cast<std::int64_t>(ints[i]);
    return out;
}

std::size_t argmax(const double* p, std::size_t k) {
    std::size_t best = 0;
    for (std::size_t j = 1; j < k; ++j) {
        if (p[j] > p[best]) best = j;
    }
    return best;
}

}  // namespace

ConfidentLearning confident_learning(const std::vector<std::uint32_t>& labels,
                                     const ProbMatrix& probs) {
    const std::size_t n = probs.rows, k = probs.classes;
    MLSTRAT_CHECK(labels.size() == n, "confident learning: ", labels.size(), " labels for ", n,
                  " rows of probabilities");
    MLSTRAT_CHECK(k >= 2, "confident learning needs at least 2 classes, got ", k);
    MLSTRAT_CHECK(probs.mapped != nullptr || probs.probs.size() == n * k,
                  "confident learning: the probability matrix holds ", probs.probs.size(),
                  " values, not ", n, " x ", k);
    const double* p = probs.data();
    std::fesetround(FE_TONEAREST);

    std::vector<std::uint64_t> label_counts(k, 0);
    for (std::uint32_t l : labels) {
        MLSTRAT_CHECK(l < k, "confident learning: label index ", l, " is not below ", k);
        ++label_counts[l];
    }
    std::vector<std::size_t> start(k + 1, 0);
    for (std::size_t c = 0; c < k; ++c) start[c + 1] = start[c] + label_counts[c];
    // Self-confidences grouped by given label, in row order, for the thresholds.
    std::vector<double> self(n);
    {
        std::vector<std::size_t> fill(start.begin(), start.end() - 1);
        for (std::size_t i = 0; i < n; ++i) self[fill[labels[i]]++] = p[i * k + labels[i]];
    }

    ConfidentLearning out;
    // Per-class thresholds: the mean self-confidence of the examples given that label.
    out.thresholds.assign(k, 2.0);  // no example can reach an absent class
    for (std::size_t c = 0; c < k; ++c) {
        if (label_counts[c] == 0) continue;
        out.thresholds[c] = pairwise_sum(self.data() + start[c], label_counts[c]) /
                            static_cast<double>(label_counts[c]);
    }
    self = {};
    std::vector<double> cut(k);
    for (std::size_t c = 0; c < k; ++c) {
        out.thresholds[c] = std::max(out.thresholds[c], kThresholdFloor);
        cut[c] = out.thresholds[c] - kFuzz;
    }

    // The confident joint: counts[given][true guess] over examples confidently in some class.
    std::vector<std::int64_t> joint(k * k, 0);
    for (std::size_t i = 0; i < n; ++i) {
        const double* row = p + i * k;
        std::size_t confident = 0, first = k;
        for (std::size_t c = 0; c < k; ++c) {
            if (row[c] >= cut[c]) {
                if (confident++ == 0) first = c;
            }
        }
        if (confident == 0) continue;
        const std::size_t guess = confident > 1 ? argmax(row, k) : first;
        ++joint[labels[i] * k + guess];
    }
    for (std::size_t c = 0; c < k; ++c) joint[c * k + c] = std::max<std::int64_t>(joint[c * k + c], 1);

    // Calibrate: each row sums to its label count, the whole to n. `cal` is stored transposed
    // (true-major), the memory order numpy sums it in.
    std::vector<double> cal_t(k * k);
    for (std::size_t g = 0; g < k; ++g) {
        std::int64_t row_sum = 0;
        for (std::size_t t = 0; t < k; ++t) row_sum += joint[g * k + t];
        const double denom = std::max(static_cast<double>(row_sum), kTiny);
        for (std::size_t t = 0; t < k; ++t) {
            cal_t[t * k + g] = static_cast<double>(joint[g * k + t]) / denom *
                               static_cast<double>(label_counts[g]);
        }
    }
    const double total = std::max(pairwise_sum(cal_t.data(), cal_t.size()), kTiny);
    const double n_labels = static_cast<double>(n);
    out.confident_joint.assign(k * k, 0);
    for (std::size_t g = 0; g < k; ++g) {
        std::vector<double> row(k);
        for (std::size_t t = 0; t < k; ++t) row[t] = cal_t[t * k + g] / total * n_labels;
        auto rounded = round_preserving_sum(row);
        for (std::size_t t = 0; t < k; ++t) out.confident_joint[g * k + t] = rounded[t];
    }

    // Prune counts, given label g and true class t: keep at least one example per class by
    // raising the diagonal and taking the difference evenly from the row's nonzero entries.
    std::vector<std::int64_t> prune(k * k, 0);
    for (std::size_t g = 0; g < k; ++g) {
        const std::int64_t* row = &out.confident_joint[g * k];
        const double diag = static_cast<double>(row[g]);
        const double raised = std::max(diag, 1.0);
        std::size_t nonzero = 0;
        for (std::size_t t = 0; t < k; ++t) nonzero += row[t] != 0 ? 1 : 0;
        const double spread = std::max(static_cast<double>(nonzero) - 1.0, 1.0);
        const double take = (raised - diag) / spread;
        for (std::size_t t = 0; t < k; ++t) {
            double v = t == g ? raised : std::max(static_cast<double>(row[t]) - take, 0.0);
            prune[g * k + t] = static_cast<std::int64_t>(v);  // truncates, as cleanlab's cast
        }
    }

    // Flag, within each given class g, the prune[g][t] examples most likely to belong to class t:
    // the largest margins P(t) - P(g), ties to the lower row. Two sequential passes: the first
    // fills a histogram of margins per (g, t) and finds the bin where the cut falls, the second
    // keeps only margins from that bin up, from which the exact selection is made.
    out.is_issue.assign(n, 0);
    constexpr std::size_t kBins = 1024;
    auto bin_of = [](double margin) {
        const double x = (margin + 1.0) * (kBins / 2.0);
        return x <= 0.0 ? std::size_t{0} : std::min(static_cast<std::size_t>(x), kBins - 1);
    };
    std::vector<std::vector<std::size_t>> targets(k);
    std::vector<std::uint8_t> all_flagged(k, 0);
    for (std::size_t g = 0; g < k; ++g) {
        if (label_counts[g] <= 1) continue;
        for (std::size_t t = 0; t < k; ++t) {
            if (t == g || prune[g * k + t] <= 0) continue;
            if (static_cast<std::uint64_t>(prune[g * k + t]) >= label_counts[g]) all_flagged[g] = 1;
            targets[g].push_back(t);
        }
    }
    std::vector<std::uint32_t> histogram(k * k * kBins, 0);
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t g = labels[i];
        if (all_flagged[g]) continue;
        const double* row = p + i * k;
        for (std::size_t t : targets[g]) ++histogram[(g * k + t) * kBins + bin_of(row[t] - row[g])];
    }
    std::vector<std::size_t> cut_bin(k * k, kBins);  // the lowest bin a flagged margin can be in
    for (std::size_t g = 0; g < k; ++g) {
        for (std::size_t t : targets[g]) {
            const std::size_t cell = g * k + t;
            std::uint64_t above = 0;
            std::size_t b = kBins;
            while (b > 0 && above < static_cast<std::uint64_t>(prune[cell])) above += histogram[cell * kBins + --b];
            cut_bin[cell] = b;
        }
    }
    histogram = {};
    using Margin = std::pair<double, std::size_t>;
    std::vector<std::vector<Margin>> candidates(k * k);
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t g = labels[i];
        if (all_flagged[g]) {
            out.is_issue[i] = 1;
            continue;
        }
        const double* row = p + i * k;
        for (std::size_t t : targets[g]) {
            const double margin = row[t] - row[g];
            if (bin_of(margin) >= cut_bin[g * k + t]) candidates[g * k + t].emplace_back(margin, i);
        }
    }
    auto stronger = [](const Margin& a, const Margin& b) {
        return a.first != b.first ? a.first > b.first : a.second < b.second;
    };
    for (std::size_t g = 0; g < k; ++g) {
        for (std::size_t t : targets[g]) {
            auto& c = candidates[g * k + t];
            const auto take = std::min(static_cast<std::size_t>(prune[g * k + t]), c.size());
            if (take < c.size()) std::nth_element(c.begin(), c.begin() + take, c.end(), stronger);
            for (std::size_t r = 0; r < take; ++r) out.is_issue[c[r].second] = 1;
        }
    }

    // An example whose given label is (within the fuzz) the most probable is not an issue.
    for (std::size_t i = 0; i < n; ++i) {
        if (!out.is_issue[i]) continue;
        const double* row = p + i * k;
        const std::size_t l = labels[i];
        std::size_t best = 0;
        double best_p = l == 0 ? row[0] + kFuzz : row[0];
        for (std::size_t c = 1; c < k; ++c) {
            const double v = c == l ? row[c] + kFuzz : row[c];
            if (v > best_p) {
                best_p = v;
                best = c;
            }
        }
        if (best == l) out.is_issue[i] = 0;
    }
    return out;
}

namespace {

// The class a probability column stands for: the text its glob's single '*' matched.
std::string class_of_column(const std::string& glob, const std::string& column) {
    const auto star = glob.find('*');
    if (star == std::string::npos || glob.find('*', star + 1) != std::string::npos ||
        glob.find_first_of("?[") != std::string::npos) {
        return column;
    }
    const std::size_t prefix = star, suffix = glob.size() - star - 1;
    return column.substr(prefix, column.size() - prefix - suffix);
}

struct Chunk {
    std::uint64_t first_row = 0;
    std::vector<std::uint32_t> labels;  // ids in the worker's interner
    std::vector<double> probs;
    std::vector<std::string> ids;
};

struct LabelWorker {
    detail::Interner labels;
    std::vector<std::uint64_t> first_line;  // per label id, where it was first seen
    std::vector<Chunk> chunks;
};

void check_row(const double* row, std::size_t k, double tolerance, const std::string& place) {
    double sum = 0.0;
    for (std::size_t c = 0; c < k; ++c) {
        MLSTRAT_CHECK(!std::isnan(row[c]), place, ": probability ", c + 1, " of the row is NaN");
        MLSTRAT_CHECK(row[c] >= 0.0, place, ": probability ", c + 1, " of the row is ", row[c],
                      "; probabilities must not be negative");
        sum += row[c];
    }
    MLSTRAT_CHECK(std::abs(sum - 1.0) <= tolerance, place, ": the row's probabilities sum to ", sum,
                  ", not 1 (tolerance ", tolerance, "); give softmax outputs, not logits");
}

}  // namespace

LabelReport find_label_issues(const std::string& table_path, const LabelOptions& options) {
    const bool from_npy = !options.npy_path.empty();
    MLSTRAT_CHECK(from_npy != !options.prob_cols.empty(),
                  "give the probabilities either as columns (--prob-cols 'p_*') or as a .npy "
                  "file (--probs FILE.npy), not both and not neither");
    io::TableReader table(table_path, options.table);
    std::vector<std::size_t> columns = {table.column(options.label_col)};
    const bool with_ids = !options.id_col.empty();
    if (with_ids) columns.push_back(table.column(options.id_col));
    const std::size_t first_prob = columns.size();
    std::vector<std::string> column_classes;
    if (!from_npy) {
        for (std::size_t c = 0; c < table.header().size(); ++c) {
            const std::string& name = table.header()[c];
            if (fnmatch(options.prob_cols.c_str(), name.c_str(), 0) != 0) continue;
            MLSTRAT_CHECK(c != columns[0], "--prob-cols '", options.prob_cols,
                          "' matches the label column '", name, "'");
            columns.push_back(c);
            column_classes.push_back(class_of_column(options.prob_cols, name));
        }
        MLSTRAT_CHECK(column_classes.size() >= 2, table_path, ": --prob-cols '", options.prob_cols,
                      "' matches ", column_classes.size(),
                      " columns; it must match one column per class (at least 2)");
    }
    ProbMatrix probs;
    if (from_npy) probs = read_npy(options.npy_path);
    const std::size_t k = from_npy ? probs.classes : column_classes.size();

    std::vector<LabelWorker> workers(table.threads());
    table.scan(columns, [&](unsigned wi, const io::RowBatch& batch) {
        LabelWorker& w = workers[wi];
        Chunk chunk;
        chunk.first_row = batch.size() > 0 ? batch.row_index(0) : 0;
        chunk.labels.reserve(batch.size());
        if (!from_npy) chunk.probs.resize(batch.size() * k);
        for (std::size_t r = 0; r < batch.size(); ++r) {
            std::string_view label = batch.cell(r, 0);
            if (label.empty()) {
                throw Error(where(batch.path(), batch.line(r)) + ": column '" + options.label_col +
                            "' is empty; every row needs its given label");
            }
            const std::uint32_t id = w.labels.intern(label);
            if (id == w.first_line.size()) w.first_line.push_back(batch.line(r));
            chunk.labels.push_back(id);
            if (with_ids) chunk.ids.emplace_back(batch.cell(r, 1));
            if (from_npy) continue;
            double* row = &chunk.probs[r * k];
            for (std::size_t c = 0; c < k; ++c) {
                std::string_view cell = batch.cell(r, first_prob + c);
                auto v = try_parse_number(cell);
                if (!v) {
                    const bool nan = trim(cell) == "nan" || trim(cell) == "NaN";
                    throw Error(where(batch.path(), batch.line(r)) + ": column '" +
                                table.header()[columns[first_prob + c]] + "' holds '" +
                                std::string(cell) + "', " +
                                (nan ? "NaN; probabilities must be numbers"
                                     : "not a probability"));
                }
                row[c] = *v;
            }
            check_row(row, k, options.sum_tolerance, where(batch.path(), batch.line(r)));
        }
        if (batch.size() > 0) w.chunks.push_back(std::move(chunk));
    });

    // Classes: given, matched by the columns' names, integer indices, or sorted label names.
    std::vector<std::string> seen;
    std::vector<std::uint64_t> seen_line;
    {
        detail::Interner all;
        for (const auto& w : workers) {
            for (std::uint32_t id = 0; id < w.labels.size(); ++id) {
                if (all.intern(w.labels.name(id)) == seen.size()) {
                    seen.push_back(w.labels.name(id));
                    seen_line.push_back(w.first_line[id]);
                } else {
                    auto at = static_cast<std::size_t>(all.find(w.labels.name(id)));
                    seen_line[at] = std::min(seen_line[at], w.first_line[id]);
                }
            }
        }
    }
    MLSTRAT_CHECK(!seen.empty(), where(table_path, 2), ": the file has a header but no data rows");
    std::vector<std::string> classes = options.classes;
    auto all_in = [&](const std::vector<std::string>& names) {
        detail::Interner index;
        for (const auto& c : names) index.intern(c);
        for (const auto& s : seen) {
            if (index.find(s) < 0) return false;
        }
        return true;
    };
    if (classes.empty() && !column_classes.empty() && all_in(column_classes)) {
        classes = column_classes;
    }
    if (classes.empty()) {
        bool indices = true;
        for (const auto& s : seen) {
            auto v = try_parse_number(s);
            indices = indices && v && *v >= 0 && *v < static_cast<double>(k) && std::floor(*v) == *v &&
                      s.find_first_not_of("0123456789") == std::string::npos;
        }
        if (indices) {
            for (std::size_t c = 0; c < k; ++c) classes.push_back(std::to_string(c));
        }
    }
    if (classes.empty() && from_npy) {
        MLSTRAT_CHECK(seen.size() == k, table_path, ": the labels hold ", seen.size(),
                      " classes but ", options.npy_path, " has ", k,
                      " columns; give --classes in the order of the columns");
        for (std::size_t i : metrics::natural_order(seen)) classes.push_back(seen[i]);
    }
    if (classes.empty()) {
        std::string first_unknown;
        std::uint64_t line = 0;
        detail::Interner index;
        for (const auto& c : column_classes) index.intern(c);
        for (std::size_t s = 0; s < seen.size(); ++s) {
            if (index.find(seen[s]) < 0 && (line == 0 || seen_line[s] < line)) {
                first_unknown = seen[s];
                line = seen_line[s];
            }
        }
        std::string names;
        for (const auto& c : column_classes) names += (names.empty() ? "" : ", ") + c;
        throw Error(where(table_path, line) + ": label '" + first_unknown +
                    "' matches none of the " + std::to_string(k) +
                    " probability columns' classes (" + names +
                    "); name the columns after the classes, or give --classes");
    }
    MLSTRAT_CHECK(classes.size() == k, "--classes names ", classes.size(), " classes but there are ",
                  k, " probability columns");
    detail::Interner class_index;
    for (const auto& c : classes) {
        MLSTRAT_CHECK(class_index.find(c) < 0, "class '", c, "' is named twice");
        class_index.intern(c);
    }
    for (std::size_t s = 0; s < seen.size(); ++s) {
        MLSTRAT_CHECK(class_index.find(seen[s]) >= 0, where(table_path, seen_line[s]), ": label '",
                      seen[s], "' is not one of the ", k, " classes of the probabilities");
    }

    // Assemble rows in file order.
    std::vector<std::pair<std::uint64_t, std::pair<std::size_t, std::size_t>>> order;
    for (std::size_t w = 0; w < workers.size(); ++w) {
        for (std::size_t c = 0; c < workers[w].chunks.size(); ++c) {
            order.push_back({workers[w].chunks[c].first_row, {w, c}});
        }
    }
    std::sort(order.begin(), order.end());
    std::uint64_t n = 0;
    for (const auto& [first, at] : order) n += workers[at.first].chunks[at.second].labels.size();
    if (from_npy) {
        MLSTRAT_CHECK(probs.rows == n, options.npy_path, " has ", probs.rows, " rows but ",
                      table_path, " has ", n, " data rows; they must be aligned row by row");
        for (std::size_t i = 0; i < n; ++i) {
            check_row(probs.data() + i * k, k, options.sum_tolerance,
                      options.npy_path + ": row " + std::to_string(i));
        }
    } else {
        probs.rows = n;
        probs.classes = k;
        probs.probs.reserve(n * k);
    }
    std::vector<std::uint32_t> labels;
    labels.reserve(n);
    std::vector<std::string> ids;
    for (const auto& [first, at] : order) {
        LabelWorker& w = workers[at.first];
        Chunk& chunk = w.chunks[at.second];
        std::vector<std::uint32_t> map(w.labels.size());
        for (std::uint32_t id = 0; id < w.labels.size(); ++id) {
            map[id] = static_cast<std::uint32_t>(class_index.find(w.labels.name(id)));
        }
        for (std::uint32_t l : chunk.labels) labels.push_back(map[l]);
        if (!from_npy) probs.probs.insert(probs.probs.end(), chunk.probs.begin(), chunk.probs.end());
        for (auto& id : chunk.ids) ids.push_back(std::move(id));
        chunk = Chunk{};
    }

    ConfidentLearning cl = confident_learning(labels, probs);

    LabelReport report;
    report.rows = n;
    report.classes = classes;
    report.per_class.resize(k);
    report.confident_joint.assign(k, std::vector<std::int64_t>(k, 0));
    for (std::size_t g = 0; g < k; ++g) {
        report.per_class[g].name = classes[g];
        for (std::size_t t = 0; t < k; ++t) {
            report.confident_joint[g][t] = cl.confident_joint[g * k + t];
            if (t != g) report.per_class[g].estimated += static_cast<std::uint64_t>(cl.confident_joint[g * k + t]);
        }
    }
    const double* p = probs.data();
    struct Ranked {
        double confidence;
        std::size_t row;
        std::size_t suggested;
        bool operator<(const Ranked& o) const {
            return confidence != o.confidence ? confidence < o.confidence : row < o.row;
        }
    };
    std::vector<Ranked> ranked;  // built in row order, which keeps the reads sequential
    for (std::size_t i = 0; i < n; ++i) {
        ++report.per_class[labels[i]].rows;
        if (!cl.is_issue[i]) continue;
        ++report.per_class[labels[i]].flagged;
        ranked.push_back({p[i * k + labels[i]], i, argmax(p + i * k, k)});
    }
    std::sort(ranked.begin(), ranked.end());
    report.issues.reserve(ranked.size());
    for (const Ranked& r : ranked) {
        LabelIssue issue;
        issue.index = r.row;
        if (with_ids) issue.id = ids[r.row];
        issue.given = classes[labels[r.row]];
        issue.suggested = classes[r.suggested];
        issue.self_confidence = r.confidence;
        report.issues.push_back(std::move(issue));
    }
    return report;
}

nlohmann::json LabelReport::to_json() const {
    using nlohmann::json;
    json j;
    j["rows"] = rows;
    j["classes"] = classes;
    j["flagged"] = issues.size();
    j["per_class"] = json::array();
    for (const auto& c : per_class) {
        j["per_class"].push_back({{"class", c.name},
                                  {"rows", c.rows},
                                  {"flagged", c.flagged},
                                  {"estimated", c.estimated}});
    }
    j["confident_joint"] = confident_joint;
    j["issues"] = json::array();
    for (const auto& i : issues) {
        json row = {{"index", i.index},
                    {"given", i.given},
                    {"suggested", i.suggested},
                    {"self_confidence", i.self_confidence}};
        if (!i.id.empty()) row["id"] = i.id;
        j["issues"].push_back(std::move(row));
    }
    return j;
}

std::string LabelReport::issues_csv() const {
    const bool with_ids = std::any_of(issues.begin(), issues.end(),
                                      [](const LabelIssue& i) { return !i.id.empty(); });
    std::string out = with_ids ? "index,id,given,suggested,self_confidence\n"
                               : "index,given,suggested,self_confidence\n";
    out.reserve(out.size() + issues.size() * 48);
    char number[32];
    for (const auto& i : issues) {
        auto end = std::to_chars(number, number + sizeof number, i.index).ptr;
        out.append(number, end);
        out += ',';
        if (with_ids) {
            out += io::quote_field(i.id);
            out += ',';
        }
        out += io::quote_field(i.given);
        out += ',';
        out += io::quote_field(i.suggested);
        out += ',';
        end = std::to_chars(number, number + sizeof number, i.self_confidence).ptr;  // shortest exact
        out.append(number, end);
        out += '\n';
    }
    return out;
}

}  // namespace mlstrat::analysis
