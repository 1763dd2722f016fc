// errors sample: a reproducible random sample of misclassified (and optionally correct) rows,
// written as a review sheet. Each row gets a key hashed from the seed and its row index; the
// sample is the rows with the smallest keys, so it does not depend on how the file was split
// among threads.

#include <xxhash.h>

#include <algorithm>
#include <queue>
#include <set>
#include <unordered_set>

#include "mlstrat/analysis.hpp"
#include "mlstrat/support/error.hpp"

namespace mlstrat::analysis {

namespace {

struct Picked {
    std::uint64_t key = 0;
    std::uint64_t index = 0;
    std::vector<std::string> cells;  // the selected columns, as in the file
    bool operator<(const Picked& other) const {
        return key != other.key ? key < other.key : index < other.index;
    }
};

// Keeps the `limit` entries with the smallest keys.
class BottomK {
 public:
    explicit BottomK(std::uint64_t limit) : limit_(limit) {}
    bool wants(std::uint64_t key, std::uint64_t index) const {
        if (limit_ == 0) return false;
        if (heap_.size() < limit_) return true;
        const Picked& top = heap_.top();
        return key != top.key ? key < top.key : index < top.index;
    }
    void add(Picked p) {
        heap_.push(std::move(p));
        if (heap_.size() > limit_) heap_.pop();
    }
    std::vector<Picked> take() {
        std::vector<Picked> out;
        while (!heap_.empty()) {
            out.push_back(heap_.top());
            heap_.pop();
        }
        return out;
    }

 private:
    std::uint64_t limit_;
    std::priority_queue<Picked> heap_;
};

std::vector<Picked> smallest(std::vector<BottomK>& parts, std::uint64_t limit) {
    std::vector<Picked> all;
    for (auto& p : parts) {
        auto taken = p.take();
        std::move(taken.begin(), taken.end(), std::back_inserter(all));
    }
    std::sort(all.begin(), all.end());
    if (all.size() > limit) all.resize(limit);
    return all;
}

bool ends_with(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

}  // namespace

SampleReport sample_errors(const std::string& pred_path, const std::string& sheet_path,
                           const SampleOptions& options) {
    MLSTRAT_CHECK(options.errors > 0 || options.correct > 0,
                  "--n: sample at least one misclassified row");
    std::set<std::string> names;
    auto reserve = [&](const std::string& name, const char* what) {
        MLSTRAT_CHECK(!name.empty(), what, ": a column name is empty");
        MLSTRAT_CHECK(names.insert(name).second, what, ": column '", name,
                      "' would appear twice on the sheet");
    };
    reserve("index", "the sheet");
    if (!options.path_col.empty()) reserve(options.path_col, "--path-col");
    for (const auto& c : options.keep_cols) reserve(c, "--keep-cols");
    reserve("label", "the sheet");
    reserve("pred", "the sheet");
    for (const auto& t : options.tags) reserve(t, "--tags");
    reserve("mislabeled", "--tags");
    reserve("comments", "--tags");

    io::TableReader table(pred_path, options.table);
    std::vector<std::size_t> columns = {table.column(options.label_col),
                                        table.column(options.pred_col)};
    if (!options.path_col.empty()) columns.push_back(table.column(options.path_col));
    for (const auto& c : options.keep_cols) columns.push_back(table.column(c));
    // The eyeball filter reads one more column, kept off the sheet.
    const std::size_t sheet_columns = columns.size();
    std::unordered_set<std::string> eyeball;
    if (options.eyeball_ids) {
        eyeball.insert(options.eyeball_ids->begin(), options.eyeball_ids->end());
        columns.push_back(table.column(options.id_col));
    }

    struct Worker {
        BottomK errors, correct;
        std::uint64_t wrong = 0;
        std::uint64_t outside = 0;  // rows left out as not in the eyeball set
    };
    std::vector<Worker> workers;
    for (unsigned i = 0; i < table.threads(); ++i) {
        workers.push_back({BottomK(options.errors), BottomK(options.correct), 0, 0});
    }
    const std::uint64_t seed = options.seed;
    const std::uint64_t rows = table.scan(columns, [&](unsigned wi, const io::RowBatch& batch) {
        Worker& w = workers[wi];
        for (std::size_t r = 0; r < batch.size(); ++r) {
            std::string_view label = batch.cell(r, 0), pred = batch.cell(r, 1);
            if (label.empty() || pred.empty()) {
                throw Error(where(batch.path(), batch.line(r)) + ": column '" +
                            (label.empty() ? options.label_col : options.pred_col) +
                            "' is empty; every row needs a label and a prediction");
            }
            if (options.eyeball_ids && !eyeball.count(std::string(batch.cell(r, sheet_columns)))) {
                ++w.outside;
                continue;
            }
            const bool wrong = label != pred;
            w.wrong += wrong ? 1 : 0;
            const std::uint64_t index = batch.row_index(r);
            const std::uint64_t key = XXH3_64bits_withSeed(&index, sizeof index, seed);
            BottomK& into = wrong ? w.errors : w.correct;
            if (!into.wants(key, index)) continue;
            Picked p{key, index, {}};
            for (std::size_t c = 0; c < sheet_columns; ++c) p.cells.emplace_back(batch.cell(r, c));
            into.add(std::move(p));
        }
    });
    MLSTRAT_CHECK(rows > 0, where(pred_path, 2), ": the file has a header but no data rows");

    std::uint64_t wrong = 0, outside = 0;
    std::vector<BottomK> error_parts, correct_parts;
    for (auto& w : workers) {
        wrong += w.wrong;
        outside += w.outside;
        error_parts.push_back(std::move(w.errors));
        correct_parts.push_back(std::move(w.correct));
    }
    MLSTRAT_CHECK(!options.eyeball_ids || outside < rows, pred_path, ": no row's '", options.id_col,
                  "' is in the eyeball dev set; are these the dev predictions "
                  "of that split?");
    MLSTRAT_CHECK(wrong > 0 || options.errors == 0, pred_path,
                  ": every row has label = pred; there are no misclassified rows to review");
    std::vector<Picked> picked = smallest(error_parts, options.errors);
    const std::size_t n_errors = picked.size();
    for (auto& p : smallest(correct_parts, options.correct)) picked.push_back(std::move(p));
    std::sort(picked.begin(), picked.end(),
              [](const Picked& a, const Picked& b) { return a.index < b.index; });

    const char delim = ends_with(sheet_path, ".tsv") ? '\t' : ',';
    SampleReport report;
    report.sheet = sheet_path;
    report.rows = rows - outside;
    if (options.eyeball_ids) report.file_rows = rows;
    report.errors = wrong;
    report.sampled_errors = n_errors;
    report.sampled_correct = picked.size() - n_errors;
    report.seed = seed;
    report.columns.push_back("index");
    if (!options.path_col.empty()) report.columns.push_back(options.path_col);
    for (const auto& c : options.keep_cols) report.columns.push_back(c);
    report.columns.insert(report.columns.end(), {"label", "pred"});
    for (const auto& t : options.tags) report.columns.push_back(t);
    report.columns.insert(report.columns.end(), {"mislabeled", "comments"});

    std::string out;
    auto line = [&](const std::vector<std::string>& fields) {
        for (std::size_t i = 0; i < fields.size(); ++i) {
            if (i > 0) out += delim;
            out += io::quote_field(fields[i], delim);
        }
        out += '\n';
    };
    line(report.columns);
    const std::size_t empty_cols = options.tags.size() + 2;
    for (const auto& p : picked) {
        std::vector<std::string> fields = {std::to_string(p.index)};
        for (std::size_t c = 2; c < p.cells.size(); ++c) fields.push_back(p.cells[c]);
        fields.push_back(p.cells[0]);
        fields.push_back(p.cells[1]);
        fields.resize(fields.size() + empty_cols);
        line(fields);
    }
    io::write_file_atomically(sheet_path, out);
    return report;
}

nlohmann::json SampleReport::to_json() const {
    return {{"sheet", sheet},
            {"rows", rows},
            {"errors", errors},
            {"sampled_errors", sampled_errors},
            {"sampled_correct", sampled_correct},
            {"columns", columns},
            {"seed", seed},
            {"drawn_from", file_rows ? "eyeball_dev" : "all"},
            {"file_rows", file_rows ? nlohmann::json(*file_rows) : nlohmann::json(nullptr)}};
}

}  // namespace mlstrat::analysis
