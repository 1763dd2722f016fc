// Reading a run of find_label_issues: the table's labels and probabilities (from its columns or
// from a .npy file), each row checked, and the steps of the run put together.

#include <fnmatch.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cmath>

#include "analysis/labels/issues.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/support/parse.hpp"

namespace mlstrat::analysis {

namespace detail {

bool row_is_valid(const double* row, std::size_t k, double tolerance, bool multi_label) {
    double sum = 0.0;
    bool ok = true;
    for (std::size_t c = 0; c < k; ++c) {
        ok &= row[c] >= 0.0 && (!multi_label || row[c] <= 1.0);  // false for NaN too
        sum += row[c];
    }
    return ok && (multi_label || std::abs(sum - 1.0) <= tolerance);
}

void check_row(const double* row, std::size_t k, double tolerance, bool multi_label,
               const std::string& place) {
    double sum = 0.0;
    for (std::size_t c = 0; c < k; ++c) {
        MLSTRAT_CHECK(!std::isnan(row[c]), place, ": probability ", c + 1, " of the row is NaN");
        MLSTRAT_CHECK(row[c] >= 0.0, place, ": probability ", c + 1, " of the row is ", row[c],
                      "; probabilities must not be negative");
        MLSTRAT_CHECK(!multi_label || row[c] <= 1.0, place, ": probability ", c + 1,
                      " of the row is ", row[c], "; one-vs-rest probabilities must not exceed 1");
        sum += row[c];
    }
    MLSTRAT_CHECK(multi_label || std::abs(sum - 1.0) <= tolerance, place,
                  ": the row's probabilities sum to ", sum, ", not 1 (tolerance ", tolerance,
                  "); give softmax outputs, not logits (or --multi-label for one-vs-rest ones)");
}

}  // namespace detail

namespace {

using namespace detail;  // the steps of find_label_issues in analysis/labels/

// The most rows whose labels and probabilities fit in this machine's memory: the room reserved
// for them (address space only; pages are used as rows arrive).
std::uint64_t rows_that_fit(std::size_t k) {
    const auto pages = static_cast<std::uint64_t>(std::max(1L, ::sysconf(_SC_PHYS_PAGES)));
    const auto page = static_cast<std::uint64_t>(std::max(1L, ::sysconf(_SC_PAGESIZE)));
    return pages * page / (k * sizeof(double) + sizeof(std::uint64_t));
}

// The columns a run reads: the label, the id when asked, then one per class unless the
// probabilities come from a .npy file.
struct LabelColumns {
    std::vector<std::size_t> columns;
    bool with_ids = false;
    std::size_t first_prob = 0;        // the first probability column in `columns`
    std::vector<std::string> classes;  // the class each probability column names
};

LabelColumns choose_columns(const io::TableReader& table, const std::string& table_path,
                            const LabelOptions& options) {
    LabelColumns out;
    std::vector<std::size_t>& columns = out.columns;
    columns.push_back(table.column(options.label_col));
    out.with_ids = !options.id_col.empty();
    if (out.with_ids) columns.push_back(table.column(options.id_col));
    out.first_prob = columns.size();
    if (!options.npy_path.empty()) return out;
    for (std::size_t c = 0; c < table.header().size(); ++c) {
        const std::string& name = table.header()[c];
        if (fnmatch(options.prob_cols.c_str(), name.c_str(), 0) != 0) continue;
        MLSTRAT_CHECK(c != columns[0], "--prob-cols '", options.prob_cols,
                      "' matches the label column '", name, "'");
        columns.push_back(c);
        out.classes.push_back(class_of_column(options.prob_cols, name));
    }
    MLSTRAT_CHECK(out.classes.size() >= 2, table_path, ": --prob-cols '", options.prob_cols,
                  "' matches ", out.classes.size(),
                  " columns; it must match one column per class (at least 2)");
    return out;
}

// Reads the table's rows in place, each checked: they land at their index in arrays with room for
// as many rows as memory holds, so the workers parse in place and nothing is copied afterwards.
LabelRows read_rows(io::TableReader& table, const LabelColumns& cols, std::size_t k,
                    const LabelOptions& options) {
    const bool from_npy = !options.npy_path.empty();
    const bool multi = options.multi_label;
    const std::uint64_t capacity = rows_that_fit(k);
    LabelRows rows;
    rows.labels = PageBlock<std::uint32_t>(multi ? 0 : capacity, /*sequential=*/true);
    rows.label_sets = PageBlock<std::uint64_t>(multi ? capacity : 0, /*sequential=*/true);
    if (!from_npy) rows.values = std::make_shared<PageBlock<double>>(capacity * k, true);
    rows.workers.resize(table.threads());
    table.scan(cols.columns, [&](unsigned wi, const io::RowBatch& batch) {
        LabelWorker& w = rows.workers[wi];
        const std::uint64_t first = batch.row_index(0);
        MLSTRAT_CHECK(first + batch.size() <= capacity, where(batch.path(), batch.line(0)),
                      ": more rows than this machine's memory holds with ", k,
                      " probabilities each");
        w.spans.emplace_back(first, first + batch.size());
        for (std::size_t r = 0; r < batch.size(); ++r) {
            std::string_view label = batch.cell(r, 0);
            auto intern = [&](std::string_view name) {
                const std::uint32_t id = w.labels.intern(name);
                if (id == w.first_line.size()) w.first_line.push_back(batch.line(r));
                return id;
            };
            if (multi) {
                std::uint64_t set = 0;
                for (std::size_t from = 0; from < label.size();) {
                    std::size_t to =
                        std::min(label.find(options.label_separator, from), label.size());
                    MLSTRAT_CHECK(to > from, where(batch.path(), batch.line(r)), ": column '",
                                  options.label_col, "' holds '", label,
                                  "', an empty label in a set");
                    const std::uint32_t id = intern(label.substr(from, to - from));
                    MLSTRAT_CHECK(
                        id < 64, where(batch.path(), batch.line(r)),
                        ": more than 64 different labels; --multi-label takes at most 64 classes");
                    set |= std::uint64_t{1} << id;
                    from = to + 1;
                }
                rows.label_sets[first + r] = set;
            } else {
                if (label.empty()) {
                    throw Error(where(batch.path(), batch.line(r)) + ": column '" +
                                options.label_col + "' is empty; every row needs its given label");
                }
                rows.labels[first + r] = intern(label);
            }
            if (cols.with_ids) w.ids.emplace_back(first + r, batch.cell(r, 1));
            if (from_npy) continue;
            double* row = rows.values->data() + (first + r) * k;
            for (std::size_t c = 0; c < k; ++c) {
                std::string_view cell = batch.cell(r, cols.first_prob + c);
                auto v = try_parse_number(cell);
                if (!v) {
                    const bool nan = trim(cell) == "nan" || trim(cell) == "NaN";
                    throw Error(where(batch.path(), batch.line(r)) + ": column '" +
                                table.header()[cols.columns[cols.first_prob + c]] + "' holds '" +
                                std::string(cell) + "', " +
                                (nan ? "NaN; probabilities must be numbers" : "not a probability"));
                }
                row[c] = *v;
            }
            if (!row_is_valid(row, k, options.sum_tolerance, multi)) {
                check_row(row, k, options.sum_tolerance, multi, where(batch.path(), batch.line(r)));
            }
        }
    });
    for (const LabelWorker& w : rows.workers) {
        if (!w.spans.empty()) rows.n = std::max(rows.n, w.spans.back().second);
    }
    return rows;
}

// Maps each worker's label ids to classes, each worker's rows on its own thread.
void map_to_classes(LabelRows& rows, const std::vector<std::string>& classes, bool multi,
                    WorkerPool& pool) {
    Interner class_index;
    for (const auto& c : classes) class_index.intern(c);
    pool.run(pool.size(), [&](unsigned wi) {
        const LabelWorker& w = rows.workers[wi];
        std::vector<std::uint32_t> map(w.labels.size());
        for (std::uint32_t id = 0; id < w.labels.size(); ++id) {
            map[id] = static_cast<std::uint32_t>(class_index.find(w.labels.name(id)));
        }
        for (auto [b, e] : w.spans) {
            if (!multi) {
                for (std::uint64_t i = b; i < e; ++i) rows.labels[i] = map[rows.labels[i]];
                continue;
            }
            for (std::uint64_t i = b; i < e; ++i) {
                std::uint64_t set = 0;
                for (std::uint64_t ids = rows.label_sets[i]; ids != 0; ids &= ids - 1) {
                    set |= std::uint64_t{1} << map[std::countr_zero(ids)];
                }
                rows.label_sets[i] = set;
            }
        }
    });
}

// The id of each issue, from the rows the workers read.
std::vector<std::string> issue_ids(const std::vector<LabelIssue>& issues,
                                   const std::vector<LabelWorker>& workers) {
    std::vector<std::string> out;
    out.reserve(issues.size());
    for (const LabelIssue& issue : issues) {
        std::string id;
        for (const LabelWorker& w : workers) {
            auto at = std::lower_bound(w.ids.begin(), w.ids.end(), issue.index,
                                       [](const auto& e, std::uint64_t r) { return e.first < r; });
            if (at != w.ids.end() && at->first == issue.index) id = at->second;
        }
        out.push_back(std::move(id));
    }
    return out;
}

}  // namespace

LabelReport find_label_issues(const std::string& table_path, const LabelOptions& options) {
    const bool from_npy = !options.npy_path.empty();
    MLSTRAT_CHECK(from_npy != !options.prob_cols.empty(),
                  "give the probabilities either as columns (--prob-cols 'p_*') or as a .npy "
                  "file (--probs FILE.npy), not both and not neither");
    io::TableReader table(table_path, options.table);
    const LabelColumns cols = choose_columns(table, table_path, options);
    ProbMatrix probs;
    // A single-label run reads the .npy file piece by piece as it goes; multi-label reads it whole.
    if (from_npy)
        probs = options.multi_label ? read_npy(options.npy_path) : open_npy(options.npy_path);
    const std::size_t k = from_npy ? probs.classes : cols.classes.size();
    const bool multi = options.multi_label;

    LabelRows table_rows = read_rows(table, cols, k, options);
    const std::uint64_t n = table_rows.n;
    MLSTRAT_CHECK(n > 0, where(table_path, 2), ": the file has a header but no data rows");
    const std::vector<std::string> classes =
        resolve_classes(seen_labels(table_rows.workers), cols.classes, k, table_path, options);
    WorkerPool pool(table.threads());
    map_to_classes(table_rows, classes, multi, pool);
    const unsigned parts = pool.size();
    RowCheck check_npy;  // single-label .npy rows are checked as confident learning reads them
    if (from_npy) {
        MLSTRAT_CHECK(probs.rows == n, options.npy_path, " has ", probs.rows, " rows but ",
                      table_path, " has ", n, " data rows; they must be aligned row by row");
        check_npy = [&](std::size_t first, const double* rows, std::size_t count) {
            for (std::size_t r = 0; r < count; ++r) {
                const double* row = rows + r * k;
                if (row_is_valid(row, k, options.sum_tolerance, multi)) continue;
                check_row(row, k, options.sum_tolerance, multi,
                          options.npy_path + ": row " + std::to_string(first + r));
            }
        };
        if (multi) {  // in memory
            pool.run(parts, [&](unsigned part) {
                const std::size_t first = n * part / parts;
                check_npy(first, probs.data() + first * k, n * (part + 1) / parts - first);
            });
        }
    } else {
        probs.rows = n;
        probs.classes = k;
        probs.mapped = table_rows.values->data();
        probs.mapping = table_rows.values;
    }

    LabelReport report;
    report.rows = n;
    report.classes = classes;
    report.multi_label = multi;
    report.ranked_by = options.issues.rank_by;
    report.per_class.resize(k);
    for (std::size_t c = 0; c < k; ++c) report.per_class[c].name = classes[c];
    if (multi) {
        add_multi_label_issues(std::span<const std::uint64_t>(table_rows.label_sets.data(), n),
                               probs, table.threads(), report, options.issues);
    } else {
        const std::span<const std::uint32_t> labels(table_rows.labels.data(), n);
        const ConfidentLearning cl = confident_learning(
            labels, probs,
            {.threads = table.threads(), .check = check_npy, .issues = options.issues});
        add_single_label_issues(cl, labels, pool, report);
    }
    if (cols.with_ids) report.ids = issue_ids(report.issues, table_rows.workers);
    return report;
}

}  // namespace mlstrat::analysis
