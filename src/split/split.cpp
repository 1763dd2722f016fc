// mlstrat split: two streaming passes over the input. The first hashes each row's key (its id,
// its group, or its bytes) with the seed into a place in one fixed random order and notes its
// stratum (target or not, and its --stratify class). Sizes are then allocated to strata by
// controlled rounding, and each stratum's hash order is cut at its exact counts; the cuts are
// found with a histogram of the hashes, so no per-row sort is needed and memory stays at about
// 10 bytes per row. The second pass copies each record's bytes to its split's file.

#include <fmt/format.h>
#include <xxhash.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <filesystem>
#include <memory>
#include <unordered_map>

#include "common/interner.hpp"
#include "mlstrat/metrics.hpp"
#include "mlstrat/split.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/support/json_text.hpp"
#include "split/assign.hpp"
#include "split/detail.hpp"

namespace mlstrat::split {

namespace {

namespace fs = std::filesystem;
using detail::CrossPartCounter;

constexpr std::size_t kTest = static_cast<std::size_t>(Part::Test);
constexpr std::size_t kDev = static_cast<std::size_t>(Part::Dev);
constexpr std::size_t kTrainDev = static_cast<std::size_t>(Part::TrainDev);
constexpr std::size_t kTrain = static_cast<std::size_t>(Part::Train);

struct Selection {
    std::vector<std::size_t> columns;
    std::size_t add(std::size_t column) {
        columns.push_back(column);
        return columns.size() - 1;
    }
};

}  // namespace

SplitReport split_table(const std::string& path, const std::string& out_dir,
                        const SplitOptions& options) {
    detail::Assigner assigner(options);

    // ---- pass 1: keys, strata, groups --------------------------------------------------------
    io::TableReader first(path, options.table);
    Selection sel;
    const bool by_group = !options.group_col.empty();
    const bool by_id = !options.id_col.empty();
    const bool stratified = !options.stratify_col.empty();
    const std::size_t s_id = by_id ? sel.add(first.column(options.id_col)) : 0;
    const std::size_t s_group = by_group ? sel.add(first.column(options.group_col)) : 0;
    const std::size_t s_strat = stratified ? sel.add(first.column(options.stratify_col)) : 0;
    std::vector<std::pair<std::size_t, std::string>> target_slots;
    for (const auto& [column, value] : options.targets) {
        target_slots.emplace_back(sel.add(first.column(column)), value);
    }
    auto is_target = [&](const io::RowBatch& b, std::size_t r) {
        for (const auto& [slot, value] : target_slots) {
            if (b.cell(r, slot) == value) return true;
        }
        return false;
    };

    const std::uint64_t rows = first.scan(
        sel.columns,
        [&](unsigned, const io::RowBatch& b) {
            for (std::size_t r = 0; r < b.size(); ++r) {
                const bool target = !target_slots.empty() && is_target(b, r);
                const std::string_view stratum_class = stratified ? b.cell(r, s_strat) : "";
                if (by_group) {
                    std::string_view g = b.cell(r, s_group);
                    MLSTRAT_CHECK(!g.empty(), where(b.path(), b.line(r)), ": column '",
                                  options.group_col, "' is empty; every row needs a group");
                    MLSTRAT_CHECK(assigner.add(g, stratum_class, target),
                                  where(b.path(), b.line(r)), ": group '", g, "' (column '",
                                  options.group_col,
                                  "') has rows both matching and not matching --target; a group "
                                  "must land in one split, and dev and test hold target rows only");
                } else {
                    std::string_view key = by_id ? b.cell(r, s_id) : b.raw(r);
                    MLSTRAT_CHECK(!by_id || !key.empty(), where(b.path(), b.line(r)), ": column '",
                                  options.id_col, "' is empty; every row needs an id");
                    assigner.add(key, stratum_class, target);
                }
            }
        },
        io::ScanOrder::File, /*keep_raw=*/!by_id && !by_group);
    MLSTRAT_CHECK(rows > 0, where(path, 2), ": the file has a header but no data rows");

    SplitReport report;
    report.input = options.input_name.empty() ? path : options.input_name;
    report.seed = options.seed;
    report.input_rows = rows;
    report.stable = options.stable;
    report.expected_error = options.expected_error;
    report.ci_level = options.ci_level;
    report.significance = options.significance;
    detail::Assignment placed = assigner.finish(path);
    report.sizes = placed.sizes;
    const detail::Chunked<std::uint8_t>& parts = placed.parts;
    const detail::Chunked<std::uint32_t>& row_group = placed.row_group;
    if (placed.keys_in_several_parts) {
        if (by_id) {
            report.leakage.duplicate_ids_across_splits = placed.keys_in_several_parts;
        } else {
            report.leakage.duplicate_rows_across_splits = *placed.keys_in_several_parts;
        }
    }

    // --eyeball: which dev rows (counted in file order) the team will look at; a size that
    // leaves no blackbox set fails here, before any file exists.
    std::vector<std::uint64_t> eyeball;
    if (options.eyeball) {
        std::uint64_t dev_rows = 0;
        for (std::uint64_t i = 0; i < rows; ++i) dev_rows += parts[i] == kDev ? 1 : 0;
        std::uint64_t count = 0;
        try {
            count = resolve_eyeball(*options.eyeball, dev_rows, options.expected_error);
        } catch (const Error& e) {
            throw Error(e.code(), path + ": " + e.what());
        }
        eyeball = eyeball_rows(dev_rows, count, options.seed);
    }

    // ---- pass 2: copy every record to its split's file -----------------------------------------
    io::TableReader second(path, options.table);
    Selection sel2;
    const std::string label_col = !options.label_col.empty()    ? options.label_col
                                  : stratified                  ? options.stratify_col
                                  : second.find_column("label") ? std::string("label")
                                                                : std::string();
    report.label_col = label_col;
    const bool with_label = !label_col.empty();
    const std::size_t s_label = with_label ? sel2.add(second.column(label_col)) : 0;
    std::vector<std::size_t> s_slices;
    for (const auto& c : options.slice_cols) s_slices.push_back(sel2.add(second.column(c)));
    const std::size_t s_id2 = by_id && by_group ? sel2.add(second.column(options.id_col)) : 0;
    target_slots.clear();
    for (const auto& [column, value] : options.targets) {
        target_slots.emplace_back(sel2.add(second.column(column)), value);
    }

    std::error_code ec;
    const bool out_dir_existed = fs::exists(out_dir, ec);
    fs::create_directories(out_dir, ec);
    if (ec || !fs::is_directory(out_dir)) {
        throw Error(ErrorCode::Io, out_dir + ": cannot create the output folder (" +
                                       (ec ? ec.message() : std::string("not a folder")) + ")");
    }
    const std::string ext = second.delimiter() == '\t' ? ".tsv" : ".csv";
    const std::string header = detail::read_header_line(path, options.table.max_record_bytes);
    const bool crlf = header.size() >= 2 && header.compare(header.size() - 2, 2, "\r\n") == 0;
    const std::string_view eol = crlf ? "\r\n" : "\n";
    const bool present[kParts] = {true, true, options.train_dev.has_value(), true};

    struct Output {
        std::unique_ptr<io::AtomicFile> file;
        detail::Sha256 sha;
        std::string buffer;
        std::uint64_t rows = 0;
        std::uint64_t target_rows = 0;
        std::vector<std::uint64_t> labels;
        void flush() {
            sha.update(buffer);
            file->write(buffer);
            buffer.clear();
        }
    };
    std::array<Output, kParts> out;
    std::array<Output, 2> divided;  // eyeball_dev, blackbox_dev
    std::uint64_t dev_seen = 0;
    if (options.eyeball) {
        for (std::size_t k = 0; k < 2; ++k) {
            divided[k].file = std::make_unique<io::AtomicFile>(
                out_dir + (k == 0 ? "/eyeball_dev" : "/blackbox_dev") + ext);
            divided[k].buffer.append(header);
            if (header.empty() || header.back() != '\n') divided[k].buffer.append(eol);
        }
    }
    for (std::size_t p = 0; p < kParts; ++p) {
        if (!present[p]) continue;
        out[p].file =
            std::make_unique<io::AtomicFile>(out_dir + "/" + part_name(static_cast<Part>(p)) + ext);
        out[p].buffer.reserve(std::size_t{1} << 20);
        out[p].buffer.append(header);
        if (header.empty() || header.back() != '\n') out[p].buffer.append(eol);
    }
    ::mlstrat::detail::Interner labels;
    std::vector<::mlstrat::detail::Interner> slice_values(s_slices.size());
    std::vector<std::array<std::vector<std::uint64_t>, 2>> slice_counts(s_slices.size());
    CrossPartCounter content_parts, id_parts;
    std::vector<std::uint8_t> group_mask(by_group ? placed.groups : 0, 0);
    auto bump = [](std::vector<std::uint64_t>& v, std::uint32_t id) {
        if (id >= v.size()) v.resize(id + 1, 0);
        ++v[id];
    };

    const std::uint64_t rows2 = second.scan(
        sel2.columns,
        [&](unsigned, const io::RowBatch& b) {
            for (std::size_t r = 0; r < b.size(); ++r) {
                const std::uint64_t i = b.row_index(r);
                if (i >= rows) {
                    throw Error(ErrorCode::Io, path + ": the file changed while it was split");
                }
                const std::size_t p = parts[i];
                Output& o = out[p];
                const std::string_view raw = b.raw(r);
                o.buffer.append(raw);
                o.buffer.append(eol);
                if (o.buffer.size() >= (std::size_t{1} << 20)) o.flush();
                ++o.rows;
                if (with_label) bump(o.labels, labels.intern(b.cell(r, s_label)));
                if (!target_slots.empty() && is_target(b, r)) ++o.target_rows;
                if (p == kDev && options.eyeball) {
                    Output& d =
                        divided[std::binary_search(eyeball.begin(), eyeball.end(), dev_seen++) ? 0
                                                                                               : 1];
                    d.buffer.append(raw);
                    d.buffer.append(eol);
                    if (d.buffer.size() >= (std::size_t{1} << 20)) d.flush();
                    ++d.rows;
                }
                if (p == kDev || p == kTest) {
                    for (std::size_t k = 0; k < s_slices.size(); ++k) {
                        bump(slice_counts[k][p == kDev ? 0 : 1],
                             slice_values[k].intern(b.cell(r, s_slices[k])));
                    }
                }
                if (by_id || by_group) {
                    content_parts.add(XXH3_64bits(raw.data(), raw.size()), static_cast<Part>(p));
                }
                if (by_group) {
                    group_mask[row_group[i]] |= static_cast<std::uint8_t>(1u << p);
                    if (by_id) {
                        std::string_view id = b.cell(r, s_id2);
                        id_parts.add(XXH3_64bits(id.data(), id.size()), static_cast<Part>(p));
                    }
                }
            }
        },
        io::ScanOrder::File, /*keep_raw=*/true);
    if (rows2 != rows) throw Error(ErrorCode::Io, path + ": the file changed while it was split");

    if (by_id || by_group) {
        report.leakage.duplicate_rows_across_splits =
            content_parts.count_keys_in_several_parts(second.threads());
    }
    if (by_group) {
        report.leakage.groups_across_splits = static_cast<std::uint64_t>(
            std::count_if(group_mask.begin(), group_mask.end(),
                          [](std::uint8_t m) { return std::popcount(m) > 1; }));
        if (by_id) {
            report.leakage.duplicate_ids_across_splits =
                id_parts.count_keys_in_several_parts(second.threads());
        }
    }

    // ---- all files are complete: put them in place ----------------------------------------------
    const std::vector<std::string> label_names = labels.names();
    const std::vector<std::size_t> label_order = metrics::natural_order(label_names);
    for (std::size_t p : {kTrain, kTrainDev, kDev, kTest}) {
        if (!present[p]) continue;
        Output& o = out[p];
        o.flush();
        SplitSet set;
        set.part = static_cast<Part>(p);
        set.file = part_name(set.part) + ext;
        set.rows = o.rows;
        set.sha256 = o.sha.hex_digest();
        for (std::size_t k : label_order) {
            set.label_counts.emplace_back(label_names[k], k < o.labels.size() ? o.labels[k] : 0);
        }
        if (!options.targets.empty()) set.target_rows = o.target_rows;
        if (p == kDev || p == kTest) {
            set.error_interval =
                stats::wilson_interval(options.expected_error * static_cast<double>(o.rows),
                                       static_cast<double>(o.rows), options.ci_level);
        }
        report.splits.push_back(std::move(set));
    }
    detail::finish_checks(report, out[kDev].labels, out[kTest].labels, options.slice_cols,
                          slice_counts, options.significance);
    if (options.eyeball) {
        DevDivision d;
        for (auto& o : divided) o.flush();
        d.eyeball_rows = divided[0].rows;
        d.blackbox_rows = divided[1].rows;
        d.eyeball_file = "eyeball_dev" + ext;
        d.blackbox_file = "blackbox_dev" + ext;
        d.eyeball_sha256 = divided[0].sha.hex_digest();
        d.blackbox_sha256 = divided[1].sha.hex_digest();
        d.rule = options.eyeball->automatic
                     ? fmt::format("auto: about 100 errors at an expected error of {:g}%",
                                   options.expected_error * 100)
                     : "--eyeball";
        report.dev_division = d;
    }
    // The manifest's text before any file is put in place: a label that is not UTF-8 fails here,
    // and leaves no folder it created.
    std::string manifest;
    try {
        manifest = io::json_text(report.to_json(), path, 2) + "\n";
    } catch (const Error&) {
        if (!out_dir_existed) fs::remove(out_dir, ec);
        throw;
    }
    for (std::size_t p = 0; p < kParts; ++p) {
        if (present[p]) out[p].file->commit();
    }
    if (options.eyeball) {
        for (auto& o : divided) o.file->commit();
    }
    if (!present[kTrainDev]) fs::remove(out_dir + "/train_dev" + ext, ec);
    io::write_file_atomically(out_dir + "/manifest.json", manifest);
    return report;
}

}  // namespace mlstrat::split
