// labels apply: the corrections a person made on the label review page, applied to the data.
// Two passes over DATA: the first finds every corrected row and the labels DATA uses (so each
// correction is checked before anything is written), the second copies the file, replacing the
// label field of the corrected rows only.

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "mlstrat/analysis.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/support/parse.hpp"

namespace mlstrat::analysis {

namespace {

struct Correction {
    std::uint64_t line = 0;
    std::string key, decision, given, label;
    // Filled by the first pass over DATA.
    bool found = false;
    std::uint64_t data_line = 0;
    std::string data_label, split;
};

// The header record as it stands at the start of the file (a byte order mark included), and the
// line terminator it ends with (none when the header is the whole file).
std::pair<std::string, std::string> raw_header(const std::string& path) {
    auto source = io::open_bytes(path);
    std::string bytes;
    char buffer[1 << 16];
    std::size_t quotes = 0, scanned = 0;
    for (;;) {
        for (; scanned < bytes.size(); ++scanned) {
            if (bytes[scanned] == '"') ++quotes;
            if (bytes[scanned] == '\n' && quotes % 2 == 0) {
                const bool crlf = scanned > 0 && bytes[scanned - 1] == '\r';
                return {bytes.substr(0, scanned - (crlf ? 1 : 0)), crlf ? "\r\n" : "\n"};
            }
        }
        const std::size_t n = source->read(buffer, sizeof buffer);
        // No line break: the header is the whole file, and is copied as it stands (a line
        // break added after a trailing CR would make it a CRLF and change the last name).
        if (n == 0) return {bytes, ""};
        bytes.append(buffer, n);
    }
}

std::map<std::string, Correction> read_corrections(const std::string& path, bool& by_id) {
    io::TableReader table(path);
    const std::size_t decision = table.column("decision"), label = table.column("label"),
                      given = table.column("given"), index = table.column("index");
    const auto id = table.find_column("id");
    struct Row {
        std::uint64_t line;
        std::string index, id, decision, given, label;
    };
    std::vector<Row> rows;
    std::vector<std::size_t> columns = {index, decision, given, label};
    if (id) columns.push_back(*id);
    table.scan(
        columns,
        [&](unsigned, const io::RowBatch& b) {
            for (std::size_t r = 0; r < b.size(); ++r) {
                rows.push_back({b.line(r), std::string(b.cell(r, 0)),
                                id ? std::string(b.cell(r, 4)) : std::string(),
                                std::string(b.cell(r, 1)), std::string(b.cell(r, 2)),
                                std::string(b.cell(r, 3))});
            }
        },
        io::ScanOrder::File);
    by_id = id.has_value() && !rows.empty() &&
            std::all_of(rows.begin(), rows.end(), [](const Row& r) { return !r.id.empty(); });
    std::map<std::string, Correction> out;
    for (const auto& r : rows) {
        const std::string at = where(path, r.line);
        MLSTRAT_CHECK(r.decision == "wrong" || r.decision == "right" || r.decision == "unsure", at,
                      ": decision '", r.decision, "' is not wrong, right or unsure");
        MLSTRAT_CHECK(!r.label.empty(), at, ": the label column is empty");
        std::string key = by_id ? r.id : r.index;
        if (!by_id) {
            const auto n = try_parse_number(r.index);
            // In range before the cast: converting 1e300 to an integer is undefined.
            MLSTRAT_CHECK(n && *n >= 0 && *n < 0x1p64 &&
                              *n == static_cast<double>(static_cast<std::uint64_t>(*n)),
                          at, ": index '", r.index, "' is not a row number (0, 1, 2...)");
            key = std::to_string(static_cast<std::uint64_t>(*n));
        }
        Correction c;
        c.line = r.line;
        c.key = key;
        c.decision = r.decision;
        c.given = r.given;
        c.label = r.label;
        auto [it, added] = out.emplace(key, c);
        MLSTRAT_CHECK(added, at, ": ", by_id ? "id '" : "index '", key,
                      "' is corrected twice (first on line ", it->second.line, ")");
    }
    return out;
}

}  // namespace

CorrectionReport apply_corrections(const std::string& data_path,
                                   const std::string& corrections_path, const std::string& out_path,
                                   const CorrectionOptions& options) {
    CorrectionReport report;
    report.data = data_path;
    report.corrections = corrections_path;
    report.out = out_path;
    bool by_id = false;
    std::map<std::string, Correction> corrections = read_corrections(corrections_path, by_id);
    const std::string id_col = !options.id_col.empty() ? options.id_col : (by_id ? "id" : "");
    report.matched_by = id_col.empty() ? "index" : id_col;

    // Pass 1: where each corrected row is, and every label DATA uses.
    std::set<std::string> labels;
    std::map<std::string, std::uint64_t> split_rows;
    {
        io::TableReader table(data_path, options.table);
        std::vector<std::size_t> columns = {table.column(options.label_col)};
        if (!id_col.empty()) columns.push_back(table.column(id_col));
        const std::size_t split = columns.size();
        if (!options.split_col.empty()) columns.push_back(table.column(options.split_col));
        report.rows = table.scan(
            columns,
            [&](unsigned, const io::RowBatch& b) {
                for (std::size_t r = 0; r < b.size(); ++r) {
                    const std::string label(b.cell(r, 0));
                    labels.insert(label);
                    const std::string split_name =
                        options.split_col.empty() ? "" : std::string(b.cell(r, split));
                    ++split_rows[split_name];
                    const std::string key =
                        id_col.empty() ? std::to_string(b.row_index(r)) : std::string(b.cell(r, 1));
                    auto it = corrections.find(key);
                    if (it == corrections.end()) continue;
                    MLSTRAT_CHECK(!it->second.found, where(data_path, b.line(r)), ": id '", key,
                                  "' appears twice (first on line ", it->second.data_line,
                                  "), so a correction cannot tell which row it means");
                    it->second.found = true;
                    it->second.data_line = b.line(r);
                    it->second.data_label = label;
                    it->second.split = split_name;
                }
            },
            io::ScanOrder::File);
    }

    // Every correction checked, in the corrections file's order.
    std::vector<const Correction*> by_line;
    for (const auto& [key, c] : corrections) by_line.push_back(&c);
    std::sort(by_line.begin(), by_line.end(),
              [](const Correction* a, const Correction* b) { return a->line < b->line; });
    std::map<std::uint64_t, std::string> new_label;  // by DATA line
    std::map<std::string, std::uint64_t> split_changed;
    for (const Correction* c : by_line) {
        const std::string at = where(corrections_path, c->line);
        const std::string& key = c->key;
        MLSTRAT_CHECK(c->found, at, ": ", id_col.empty() ? "index " : id_col + " '", key,
                      id_col.empty() ? "" : "'", " is not in ", data_path,
                      id_col.empty() ? fmt::format(" ({} rows)", report.rows) : "");
        MLSTRAT_CHECK(c->given == c->data_label, at, ": the reviewed label was '", c->given,
                      "' but ", data_path, ":", c->data_line, " has '", c->data_label,
                      "'; were the corrections made for another file?");
        MLSTRAT_CHECK(labels.contains(c->label), at, ": label '", c->label, "' is not a label of ",
                      data_path, " (", labels.size(), " labels, e.g. '", *labels.begin(), "')");
        report.wrong += c->decision == "wrong" ? 1 : 0;
        report.right += c->decision == "right" ? 1 : 0;
        report.unsure += c->decision == "unsure" ? 1 : 0;
        if (c->decision == "wrong" && c->label != c->data_label) {
            new_label[c->data_line] = c->label;
            ++split_changed[c->split];
        }
    }
    report.changed = new_label.size();
    for (const auto& [split, rows] : split_rows) {
        report.splits.push_back({split.empty() ? data_path : split, rows, split_changed[split]});
    }

    // Pass 2: the copy.
    // Not a structured binding: clang before 16 (the fuzz build) cannot capture one in a lambda.
    const auto raw = raw_header(data_path);
    const std::string& header = raw.first;
    const std::string& terminator = raw.second;
    io::TableReader table(data_path, options.table);
    const std::size_t label_col = table.column(options.label_col);
    const char delimiter = table.delimiter();
    const bool gz = out_path.ends_with(".gz");
    io::AtomicFile file(out_path);
    std::string whole;
    auto emit = [&](std::string_view bytes) {
        if (gz) {
            whole.append(bytes);
        } else {
            file.write(bytes);
        }
    };
    emit(header);
    emit(terminator);
    table.scan(
        {label_col},
        [&](unsigned, const io::RowBatch& b) {
            for (std::size_t r = 0; r < b.size(); ++r) {
                auto it = new_label.find(b.line(r));
                if (it == new_label.end()) {
                    emit(b.raw(r));
                } else {
                    std::vector<std::string> fields =
                        io::split_record(b.raw(r), delimiter, where(data_path, b.line(r)));
                    fields[label_col] = it->second;
                    std::string record;
                    for (std::size_t f = 0; f < fields.size(); ++f) {
                        if (f > 0) record += delimiter;
                        record += io::quote_field(fields[f], delimiter);
                    }
                    emit(record);
                }
                emit(terminator);
            }
        },
        io::ScanOrder::File, true);
    if (gz) file.write(io::gzip_bytes(whole));
    file.commit();
    return report;
}

nlohmann::json CorrectionReport::to_json() const {
    nlohmann::json splits_json = nlohmann::json::array();
    for (const auto& s : splits) {
        splits_json.push_back({{"split", s.split}, {"rows", s.rows}, {"changed", s.changed}});
    }
    return {{"data", data},       {"corrections", corrections},
            {"out", out},         {"matched_by", matched_by},
            {"rows", rows},       {"wrong", wrong},
            {"right", right},     {"unsure", unsure},
            {"changed", changed}, {"splits", splits_json}};
}

}  // namespace mlstrat::analysis
