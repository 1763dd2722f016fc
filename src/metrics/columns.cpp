// The counts of `mlstrat eval` from columns in memory (a NumPy or pandas caller's arrays): the
// same EvalCounts a pass over a predictions file gives for the same rows, read in place. Labels
// become dense codes first: integers by their value (a table over the range seen), categories by
// their names, anything else by its text as a CSV file would hold it. Rows are then counted in
// blocks of codes that each worker reuses, so no array as long as the input is written.

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <unordered_map>

#include "common/interner.hpp"
#include "common/worker_pool.hpp"
#include "mlstrat/metrics.hpp"
#include "mlstrat/support/error.hpp"

namespace mlstrat::metrics {

namespace {

using columns::Column;
using columns::Kind;

constexpr std::size_t kBlock = 4096;
constexpr std::int64_t kMaxRange = std::int64_t{1} << 22;  // value range of a table of codes
constexpr std::size_t kRowsPerWorker = std::size_t{1} << 17;
constexpr std::size_t kDirectValues = 4096;  // slice values coded without a presence pass
constexpr std::size_t kDirectClasses = 64;   // classes so (a confusion matrix of 64 x 64)

// Rows [first, end) of n, for part `part` of `parts`.
std::pair<std::size_t, std::size_t> rows_of(std::size_t n, unsigned part, unsigned parts) {
    return {n * part / parts, n * (part + 1) / parts};
}

// Runs fn(part, first, end) over `parts` contiguous ranges of n rows, on the pool when there is
// one.
template <typename Fn>
void for_parts(detail::WorkerPool* pool, unsigned parts, std::size_t n, Fn&& fn) {
    if (!pool) {
        fn(0u, std::size_t{0}, n);
        return;
    }
    pool->run(parts, [&](unsigned part) {
        auto [first, end] = rows_of(n, part, parts);
        fn(part, first, end);
    });
}

// Turns the values of one or more columns into shared dense codes 0..size()-1 with their names.
class Coder {
 public:
    // Codes for `cols` (one dictionary for all of them); `what` ends the message of an empty value.
    Coder(const std::vector<const Column*>& cols, const std::string& what, detail::WorkerPool* pool,
          unsigned parts)
        : cols_(cols) {
        bool integral = true, categorical = true;
        for (const Column* c : cols) {
            integral = integral && c->integral();
            categorical = categorical && c->kind == Kind::Categorical;
        }
        if (integral && prepare_range(pool, parts)) return;
        if (categorical) {
            prepare_categories();
            return;
        }
        prepare_text(what);
    }

    // Codes of rows [first, first + count) of column `col` into `out` (scratch: room for count).
    void codes(std::size_t col, std::size_t first, std::size_t count, std::uint32_t* out,
               std::int64_t* scratch) const {
        const Column& c = *cols_[col];
        switch (mode_) {
            case Mode::Range:
                columns::read_integers(c, first, count, scratch);
                for (std::size_t i = 0; i < count; ++i) {
                    out[i] = table_[static_cast<std::size_t>(scratch[i] - low_)];
                }
                return;
            case Mode::Categories: {
                columns::read_integers(c, first, count, scratch);
                const std::vector<std::uint32_t>& map = category_map_[col];
                for (std::size_t i = 0; i < count; ++i) {
                    if (scratch[i] < 0 || static_cast<std::size_t>(scratch[i]) >= map.size()) {
                        c.text_of(first + i);  // throws: a missing value
                    }
                    out[i] = map[static_cast<std::size_t>(scratch[i])];
                }
                return;
            }
            case Mode::Text:
                std::copy_n(text_codes_[col].begin() + static_cast<std::ptrdiff_t>(first), count,
                            out);
                return;
        }
    }

    std::size_t size() const { return names_.size(); }
    const std::vector<std::string>& names() const { return names_; }

 private:
    enum class Mode { Range, Categories, Text };

    // Integers: a table from value - low to the code of each value present, when the range is
    // small.
    bool prepare_range(detail::WorkerPool* pool, unsigned parts) {
        std::vector<std::int64_t> lows(parts, INT64_MAX), highs(parts, INT64_MIN);
        bool big = false;
        for (const Column* c : cols_) {
            big = big || (c->kind == Kind::UInt64 && c->size > 0);
        }
        if (big) return false;  // may not fit in int64; counted by text
        for (const Column* c : cols_) {
            for_parts(pool, parts, c->size, [&](unsigned part, std::size_t first, std::size_t end) {
                std::int64_t buffer[kBlock];
                for (std::size_t at = first; at < end; at += kBlock) {
                    const std::size_t count = std::min(kBlock, end - at);
                    columns::read_integers(*c, at, count, buffer);
                    const auto [lo, hi] = std::minmax_element(buffer, buffer + count);
                    lows[part] = std::min(lows[part], *lo);
                    highs[part] = std::max(highs[part], *hi);
                }
            });
        }
        low_ = *std::min_element(lows.begin(), lows.end());
        const std::int64_t high = *std::max_element(highs.begin(), highs.end());
        if (low_ > high) return false;  // no rows
        // Unsigned: high - low overflows int64 for values far apart.
        const std::uint64_t span =
            static_cast<std::uint64_t>(high) - static_cast<std::uint64_t>(low_);
        if (span >= static_cast<std::uint64_t>(kMaxRange)) return false;
        const auto range = static_cast<std::size_t>(span + 1);
        // A small range needs no pass to find the values present: every value gets a code, and
        // those no row holds are dropped with the counts (count_columns keeps seen ones only).
        const std::size_t direct = cols_.size() == 1 ? kDirectValues : kDirectClasses;
        std::vector<std::uint8_t> present(range, range <= direct ? 1 : 0);
        for (const Column* c : range <= direct ? std::vector<const Column*>{} : cols_) {
            // Workers write only 1s into the shared table: the result does not depend on order.
            for_parts(pool, parts, c->size, [&](unsigned, std::size_t first, std::size_t end) {
                std::int64_t buffer[kBlock];
                for (std::size_t at = first; at < end; at += kBlock) {
                    const std::size_t count = std::min(kBlock, end - at);
                    columns::read_integers(*c, at, count, buffer);
                    for (std::size_t i = 0; i < count; ++i) {
                        reinterpret_cast<volatile std::uint8_t&>(
                            present[static_cast<std::size_t>(buffer[i] - low_)]) = 1;
                    }
                }
            });
        }
        table_.assign(range, 0);
        const bool booleans = cols_[0]->kind == Kind::Bool;
        for (std::size_t v = 0; v < range; ++v) {
            if (!present[v]) continue;
            table_[v] = static_cast<std::uint32_t>(names_.size());
            const std::int64_t value = low_ + static_cast<std::int64_t>(v);
            names_.push_back(booleans ? (value ? "True" : "False") : std::to_string(value));
        }
        mode_ = Mode::Range;
        return true;
    }

    // Categoricals: each column's categories mapped to shared codes by name.
    void prepare_categories() {
        detail::Interner names;
        for (const Column* c : cols_) {
            std::vector<std::uint32_t> map;
            for (const auto& name : c->categories) {
                const std::uint32_t id = names.intern(name);
                if (id == names_.size()) names_.push_back(name);
                map.push_back(id);
            }
            category_map_.push_back(std::move(map));
        }
        mode_ = Mode::Categories;
    }

    // Anything else: every value's text, interned row by row.
    void prepare_text(const std::string& what) {
        detail::Interner names;
        for (const Column* c : cols_) {
            std::vector<std::uint32_t> codes(c->size);
            std::string text;
            for (std::size_t i = 0; i < c->size; ++i) {
                std::string_view value;
                if (c->kind == Kind::Text) {
                    value = c->text[i];
                } else {
                    text = c->text_of(i);
                    MLSTRAT_CHECK(text != "nan", c->place(i), " is NaN; ", what);
                    value = text;
                }
                MLSTRAT_CHECK(!value.empty(), c->place(i), " is empty; ", what);
                const std::uint32_t id = names.intern(value);
                if (id == names_.size()) names_.emplace_back(value);
                codes[i] = id;
            }
            text_codes_.push_back(std::move(codes));
        }
        mode_ = Mode::Text;
    }

    std::vector<const Column*> cols_;
    Mode mode_ = Mode::Text;
    std::vector<std::string> names_;
    std::int64_t low_ = 0;
    std::vector<std::uint32_t> table_;
    std::vector<std::vector<std::uint32_t>> category_map_;
    std::vector<std::vector<std::uint32_t>> text_codes_;
};

// What one worker counts over its rows.
struct Tally {
    std::vector<std::uint64_t> confusion;  // [true * K + pred]
    double weight_sum = 0.0, weight_error_sum = 0.0, weight_square_sum = 0.0;
    std::vector<std::vector<std::uint64_t>> slice_rows, slice_errors;  // per slice, per code
};

void check_weight(const Column& c, std::size_t i, double w) {
    MLSTRAT_CHECK(std::isfinite(w), c.place(i), " holds '", c.text_of(i), "', not a finite number");
    MLSTRAT_CHECK(w >= 0.0, c.place(i), " holds ", c.text_of(i), "; weights must be >= 0");
}

}  // namespace

EvalCounts count_columns(const Column& y_true, const Column& y_pred,
                         const std::vector<Column>& slices, const Column* weights,
                         const EvalOptions& options, unsigned threads) {
    const std::size_t n = y_true.size;
    MLSTRAT_CHECK(y_pred.size == n, y_true.name, " has ", n, " rows but ", y_pred.name, " has ",
                  y_pred.size, "; they must be aligned row by row");
    for (const Column& s : slices) {
        MLSTRAT_CHECK(s.size == n, y_true.name, " has ", n, " rows but slice '", s.name, "' has ",
                      s.size);
    }
    MLSTRAT_CHECK(!weights || options.class_weights.empty(),
                  "give either a weight column or class weights, not both");
    if (weights) {
        MLSTRAT_CHECK(weights->numeric(), weights->name, " must hold numbers");
        MLSTRAT_CHECK(weights->size == n, y_true.name, " has ", n, " rows but ", weights->name,
                      " has ", weights->size);
    }
    MLSTRAT_CHECK(n > 0, y_true.name, " is empty: no rows to evaluate");

    if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
    const auto parts =
        static_cast<unsigned>(std::clamp<std::size_t>(n / kRowsPerWorker, 1, threads));
    std::unique_ptr<detail::WorkerPool> pool;
    if (parts > 1) pool = std::make_unique<detail::WorkerPool>(parts);

    const Coder labels({&y_true, &y_pred}, "every row needs a label", pool.get(), parts);
    std::vector<Coder> slice_coders;
    for (const Column& s : slices)
        slice_coders.emplace_back(std::vector<const Column*>{&s}, "every row needs a slice value",
                                  pool.get(), parts);
    const std::size_t k = labels.size();

    std::vector<double> class_weight;  // by true code; empty: none
    for (const auto& [name, w] : options.class_weights) {
        MLSTRAT_CHECK(std::isfinite(w) && w >= 0.0, "class weight for '", name, "' is ", w,
                      "; weights must be finite and >= 0");
    }
    if (!options.class_weights.empty()) {
        class_weight.assign(k, 1.0);
        for (std::size_t c = 0; c < k; ++c) {
            for (const auto& [name, w] : options.class_weights) {
                if (name == labels.names()[c]) class_weight[c] = w;
            }
        }
    }
    const bool weighted = weights || !class_weight.empty();

    std::vector<Tally> tallies(parts);
    for_parts(pool.get(), parts, n, [&](unsigned part, std::size_t first, std::size_t end) {
        Tally& t = tallies[part];
        t.confusion.assign(k * k, 0);
        for (const Coder& s : slice_coders) {
            t.slice_rows.emplace_back(s.size(), 0);
            t.slice_errors.emplace_back(s.size(), 0);
        }
        std::vector<std::uint32_t> truth(kBlock), pred(kBlock), slice(kBlock);
        std::vector<std::int64_t> scratch(kBlock);
        std::vector<double> w(weights ? kBlock : 0);
        for (std::size_t at = first; at < end; at += kBlock) {
            const std::size_t count = std::min(kBlock, end - at);
            labels.codes(0, at, count, truth.data(), scratch.data());
            labels.codes(1, at, count, pred.data(), scratch.data());
            for (std::size_t i = 0; i < count; ++i) ++t.confusion[truth[i] * k + pred[i]];
            if (weights) {
                columns::read_numbers(*weights, at, count, w.data());
                for (std::size_t i = 0; i < count; ++i) {
                    if (!(w[i] >= 0.0) || !std::isfinite(w[i]))
                        check_weight(*weights, at + i, w[i]);
                    t.weight_sum += w[i];
                    t.weight_square_sum += w[i] * w[i];
                    if (truth[i] != pred[i]) t.weight_error_sum += w[i];
                }
            } else if (weighted) {
                for (std::size_t i = 0; i < count; ++i) {
                    const double cw = class_weight[truth[i]];
                    t.weight_sum += cw;
                    t.weight_square_sum += cw * cw;
                    if (truth[i] != pred[i]) t.weight_error_sum += cw;
                }
            }
            for (std::size_t s = 0; s < slice_coders.size(); ++s) {
                slice_coders[s].codes(0, at, count, slice.data(), scratch.data());
                std::uint64_t* rows = t.slice_rows[s].data();
                std::uint64_t* errors = t.slice_errors[s].data();
                for (std::size_t i = 0; i < count; ++i) {
                    ++rows[slice[i]];
                    errors[slice[i]] += truth[i] != pred[i];
                }
            }
        }
    });

    EvalCounts counts;
    counts.rows = n;
    counts.classes = labels.names();
    counts.counts.assign(k * k, 0);
    counts.weighted = weighted;
    for (const Tally& t : tallies) {
        for (std::size_t c = 0; c < k * k; ++c) counts.counts[c] += t.confusion[c];
        counts.weight_sum += t.weight_sum;
        counts.weight_error_sum += t.weight_error_sum;
        counts.weight_square_sum += t.weight_square_sum;
    }
    for (std::size_t s = 0; s < slices.size(); ++s) {
        EvalCounts::Slice slice{slices[s].name, {}, {}, {}};
        for (std::size_t v = 0; v < slice_coders[s].size(); ++v) {
            std::uint64_t rows = 0, errors = 0;
            for (const Tally& t : tallies) {
                rows += t.slice_rows[s][v];
                errors += t.slice_errors[s][v];
            }
            if (rows == 0) continue;  // a category no row holds
            slice.values.push_back(slice_coders[s].names()[v]);
            slice.rows.push_back(rows);
            slice.errors.push_back(errors);
        }
        counts.slices.push_back(std::move(slice));
    }
    // Classes no row holds (unused categories) are not classes of the file's rows either.
    std::vector<std::size_t> kept;
    for (std::size_t c = 0; c < k; ++c) {
        std::uint64_t seen = 0;
        for (std::size_t o = 0; o < k; ++o)
            seen += counts.counts[c * k + o] + counts.counts[o * k + c];
        if (seen > 0) kept.push_back(c);
    }
    if (kept.size() != k) {
        EvalCounts compact = counts;
        compact.classes.clear();
        compact.counts.assign(kept.size() * kept.size(), 0);
        for (std::size_t a = 0; a < kept.size(); ++a) {
            compact.classes.push_back(counts.classes[kept[a]]);
            for (std::size_t b = 0; b < kept.size(); ++b) {
                compact.counts[a * kept.size() + b] = counts.counts[kept[a] * k + kept[b]];
            }
        }
        counts = std::move(compact);
    }
    return counts;
}

EvalReport evaluate_columns(const Column& y_true, const Column& y_pred,
                            const std::vector<Column>& slices, const Column* weights,
                            const EvalOptions& options, unsigned threads) {
    return make_report(count_columns(y_true, y_pred, slices, weights, options, threads), options,
                       y_true.name);
}

}  // namespace mlstrat::metrics
