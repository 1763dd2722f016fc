// One streaming pass over a predictions file into mergeable counts. Each worker keeps its own
// class and slice dictionaries and a dense confusion matrix; the workers' counts are merged by
// name at the end, so the result does not depend on the number of threads.

#include <cmath>
#include <unordered_map>

#include "common/interner.hpp"
#include "metrics/detail.hpp"
#include "mlstrat/metrics.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/support/parse.hpp"

namespace mlstrat::metrics {

namespace {

// A square matrix of counts that grows as classes appear.
class GrowingMatrix {
 public:
    void add(std::uint32_t t, std::uint32_t p) {
        std::uint32_t need = std::max(t, p) + 1;
        if (need > side_) grow(need);
        ++cells_[static_cast<std::size_t>(t) * side_ + p];
    }
    std::uint64_t at(std::uint32_t t, std::uint32_t p) const {
        if (t >= side_ || p >= side_) return 0;
        return cells_[static_cast<std::size_t>(t) * side_ + p];
    }

 private:
    void grow(std::uint32_t need) {
        std::uint32_t side = std::max<std::uint32_t>(16, side_);
        while (side < need) side *= 2;
        std::vector<std::uint64_t> cells(static_cast<std::size_t>(side) * side, 0);
        for (std::uint32_t t = 0; t < side_; ++t) {
            for (std::uint32_t p = 0; p < side_; ++p) {
                cells[static_cast<std::size_t>(t) * side + p] =
                    cells_[static_cast<std::size_t>(t) * side_ + p];
            }
        }
        cells_.swap(cells);
        side_ = side;
    }
    std::uint32_t side_ = 0;
    std::vector<std::uint64_t> cells_;
};

struct SliceCounter {
    detail::Interner values;
    std::vector<std::uint64_t> rows;
    std::vector<std::uint64_t> errors;
    void add(std::string_view value, bool wrong) {
        std::uint32_t id = values.intern(value);
        if (id >= rows.size()) {
            rows.resize(id + 1, 0);
            errors.resize(id + 1, 0);
        }
        ++rows[id];
        errors[id] += wrong ? 1 : 0;
    }
};

// Weights are relative, and squared for the effective sample size (Σw)² / Σw²: in this range
// neither a square nor a sum of squares over any number of rows leaves the range of a double
// (beyond it, a weight of 1e200 made Σw² infinite, and one of 1e-200 made it 0).
constexpr const char* kWeightRange = "weights must be 0 or between 1e-100 and 1e100";

bool weight_in_range(double w) { return w == 0.0 || (w >= 1e-100 && w <= 1e100); }

struct Worker {
    detail::Interner classes;
    GrowingMatrix matrix;
    std::uint64_t rows = 0;
    double weight_sum = 0.0, weight_error_sum = 0.0, weight_square_sum = 0.0;
    std::vector<SliceCounter> slices;
};

// Adds the counts of `w` into `out`, matching classes and slice values by name.
void fold(const Worker& w, EvalCounts& out) {
    EvalCounts part;
    part.rows = w.rows;
    part.classes = w.classes.names();
    std::size_t k = part.classes.size();
    part.counts.resize(k * k);
    for (std::uint32_t t = 0; t < k; ++t) {
        for (std::uint32_t p = 0; p < k; ++p) part.counts[t * k + p] = w.matrix.at(t, p);
    }
    part.weighted = out.weighted;
    part.weight_sum = w.weight_sum;
    part.weight_error_sum = w.weight_error_sum;
    part.weight_square_sum = w.weight_square_sum;
    for (std::size_t s = 0; s < w.slices.size(); ++s) {
        EvalCounts::Slice slice;
        slice.column = out.slices[s].column;
        slice.values = w.slices[s].values.names();
        slice.rows = w.slices[s].rows;
        slice.errors = w.slices[s].errors;
        part.slices.push_back(std::move(slice));
    }
    out.merge(part);
}

}  // namespace

void EvalCounts::merge(const EvalCounts& other) {
    MLSTRAT_CHECK(other.slices.size() == slices.size(),
                  "cannot merge counts with different slice columns");
    // Map the other's classes to ours, adding new ones.
    std::unordered_map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < classes.size(); ++i) index.emplace(classes[i], i);
    std::vector<std::size_t> map(other.classes.size());
    std::size_t old_k = classes.size();
    for (std::size_t i = 0; i < other.classes.size(); ++i) {
        auto [it, added] = index.emplace(other.classes[i], classes.size());
        if (added) classes.push_back(other.classes[i]);
        map[i] = it->second;
    }
    std::size_t k = classes.size();
    if (k != old_k) {
        std::vector<std::uint64_t> grown(k * k, 0);
        for (std::size_t t = 0; t < old_k; ++t) {
            for (std::size_t p = 0; p < old_k; ++p) grown[t * k + p] = counts[t * old_k + p];
        }
        counts.swap(grown);
    }
    std::size_t ok = other.classes.size();
    for (std::size_t t = 0; t < ok; ++t) {
        for (std::size_t p = 0; p < ok; ++p)
            counts[map[t] * k + map[p]] += other.counts[t * ok + p];
    }
    rows += other.rows;
    weighted = weighted || other.weighted;
    weight_sum += other.weight_sum;
    weight_error_sum += other.weight_error_sum;
    weight_square_sum += other.weight_square_sum;
    for (std::size_t s = 0; s < slices.size(); ++s) {
        Slice& mine = slices[s];
        const Slice& theirs = other.slices[s];
        MLSTRAT_CHECK(mine.column == theirs.column, "cannot merge counts: slice column '",
                      theirs.column, "' where '", mine.column, "' was expected");
        std::unordered_map<std::string, std::size_t> where_value;
        for (std::size_t i = 0; i < mine.values.size(); ++i) where_value.emplace(mine.values[i], i);
        for (std::size_t i = 0; i < theirs.values.size(); ++i) {
            auto [it, added] = where_value.emplace(theirs.values[i], mine.values.size());
            if (added) {
                mine.values.push_back(theirs.values[i]);
                mine.rows.push_back(0);
                mine.errors.push_back(0);
            }
            mine.rows[it->second] += theirs.rows[i];
            mine.errors[it->second] += theirs.errors[i];
        }
    }
}

nlohmann::json EvalCounts::to_json() const {
    nlohmann::json j;
    j["rows"] = rows;
    j["classes"] = classes;
    j["counts"] = counts;
    j["weighted"] = weighted;
    j["weight_sum"] = weight_sum;
    j["weight_error_sum"] = weight_error_sum;
    j["weight_square_sum"] = weight_square_sum;
    j["slices"] = nlohmann::json::array();
    for (const auto& s : slices) {
        j["slices"].push_back(
            {{"column", s.column}, {"values", s.values}, {"rows", s.rows}, {"errors", s.errors}});
    }
    return j;
}

EvalCounts EvalCounts::from_json(const nlohmann::json& j) {
    EvalCounts c;
    try {
        c.rows = j.at("rows").get<std::uint64_t>();
        c.classes = j.at("classes").get<std::vector<std::string>>();
        c.counts = j.at("counts").get<std::vector<std::uint64_t>>();
        c.weighted = j.at("weighted").get<bool>();
        c.weight_sum = j.at("weight_sum").get<double>();
        c.weight_error_sum = j.at("weight_error_sum").get<double>();
        c.weight_square_sum = j.at("weight_square_sum").get<double>();
        for (const auto& s : j.at("slices")) {
            Slice slice;
            slice.column = s.at("column").get<std::string>();
            slice.values = s.at("values").get<std::vector<std::string>>();
            slice.rows = s.at("rows").get<std::vector<std::uint64_t>>();
            slice.errors = s.at("errors").get<std::vector<std::uint64_t>>();
            MLSTRAT_CHECK(slice.rows.size() == slice.values.size() &&
                              slice.errors.size() == slice.values.size(),
                          "slice '", slice.column, "' has mismatched lengths");
            c.slices.push_back(std::move(slice));
        }
    } catch (const nlohmann::json::exception& e) {
        throw Error(std::string("not a statistics document: ") + e.what());
    }
    MLSTRAT_CHECK(c.counts.size() == c.classes.size() * c.classes.size(),
                  "the confusion counts do not match the number of classes");
    return c;
}

EvalCounts count_predictions(const std::string& path, const EvalOptions& options) {
    EvalCounts counts = count_rows(path, options);
    if (counts.rows == 0) {
        throw Error(where(path, 2) + ": the file has a header but no data rows");
    }
    return counts;
}

EvalCounts count_rows(const std::string& path, const EvalOptions& options) {
    MLSTRAT_CHECK(options.weight_col.empty() || options.class_weights.empty(),
                  "give either a weight column or class weights, not both");
    io::TableReader table(path, options.table);
    std::vector<std::size_t> columns = {table.column(options.label_col),
                                        table.column(options.pred_col)};
    const bool row_weights = !options.weight_col.empty();
    if (row_weights) columns.push_back(table.column(options.weight_col));
    const std::size_t first_slice = columns.size();
    for (const auto& name : options.slice_cols) columns.push_back(table.column(name));

    // Class weights are looked up by the true label's per-worker id.
    detail::Interner weighted_classes;
    std::vector<double> class_weight;
    for (const auto& [name, w] : options.class_weights) {
        MLSTRAT_CHECK(weight_in_range(w), "class weight for '", name, "' is ", w, "; ",
                      kWeightRange);
        std::uint32_t id = weighted_classes.intern(name);
        class_weight.resize(weighted_classes.size(), 1.0);
        class_weight[id] = w;
    }
    const bool any_weights = row_weights || !options.class_weights.empty();

    std::vector<Worker> workers(table.threads());
    for (auto& w : workers) w.slices.resize(options.slice_cols.size());
    std::vector<std::vector<double>> worker_class_weight(table.threads());

    const std::string& label_name = options.label_col;
    const std::string& pred_name = options.pred_col;
    table.scan(columns, [&](unsigned wi, const io::RowBatch& batch) {
        Worker& w = workers[wi];
        std::vector<double>& cw = worker_class_weight[wi];
        for (std::size_t r = 0; r < batch.size(); ++r) {
            std::string_view label = batch.cell(r, 0);
            std::string_view pred = batch.cell(r, 1);
            if (label.empty()) {
                throw Error(where(batch.path(), batch.line(r)) + ": column '" + label_name +
                            "' is empty; every row needs a label");
            }
            if (pred.empty()) {
                throw Error(where(batch.path(), batch.line(r)) + ": column '" + pred_name +
                            "' is empty; every row needs a prediction");
            }
            std::uint32_t t = w.classes.intern(label);
            std::uint32_t p = w.classes.intern(pred);
            w.matrix.add(t, p);
            const bool wrong = t != p;
            if (any_weights) {
                double weight = 1.0;
                if (row_weights) {
                    std::string_view cell = batch.cell(r, 2);
                    auto value = try_parse_number(cell);
                    if (!value) {
                        throw Error(where(batch.path(), batch.line(r)) + ": column '" +
                                    options.weight_col + "' holds '" + std::string(cell) +
                                    "', not a finite number");
                    }
                    if (*value < 0.0) {
                        throw Error(where(batch.path(), batch.line(r)) + ": column '" +
                                    options.weight_col + "' holds " + std::string(cell) +
                                    "; weights must be >= 0");
                    }
                    if (!weight_in_range(*value)) {
                        throw Error(where(batch.path(), batch.line(r)) + ": column '" +
                                    options.weight_col + "' holds " + std::string(cell) + "; " +
                                    kWeightRange);
                    }
                    weight = *value;
                } else {
                    if (t >= cw.size()) {
                        std::size_t old = cw.size();
                        cw.resize(w.classes.size());
                        for (std::size_t id = old; id < cw.size(); ++id) {
                            std::int64_t g = weighted_classes.find(
                                w.classes.name(static_cast<std::uint32_t>(id)));
                            cw[id] = g < 0 ? 1.0 : class_weight[static_cast<std::size_t>(g)];
                        }
                    }
                    weight = cw[t];
                }
                w.weight_sum += weight;
                w.weight_square_sum += weight * weight;
                if (wrong) w.weight_error_sum += weight;
            }
            for (std::size_t s = 0; s < w.slices.size(); ++s) {
                w.slices[s].add(batch.cell(r, first_slice + s), wrong);
            }
        }
        w.rows += batch.size();
    });

    EvalCounts counts;
    counts.weighted = any_weights;
    for (const auto& name : options.slice_cols) counts.slices.push_back({name, {}, {}, {}});
    for (const auto& w : workers) fold(w, counts);
    return counts;
}

}  // namespace mlstrat::metrics
