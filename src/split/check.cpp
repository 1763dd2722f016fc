// mlstrat split --check: the same distribution and leakage checks on splits made elsewhere.

#include <xxhash.h>

#include <filesystem>

#include "common/interner.hpp"
#include "mlstrat/metrics.hpp"
#include "mlstrat/split.hpp"
#include "mlstrat/support/error.hpp"
#include "split/detail.hpp"

namespace mlstrat::split {

namespace {

namespace fs = std::filesystem;

// The file of `part` in `dir`, trying .csv, .tsv and their .gz forms; empty when none exists.
std::string find_part(const std::string& dir, Part part) {
    return detail::find_table(dir, part_name(part));
}

}  // namespace

SplitReport check_splits(const std::string& dir, const SplitOptions& options) {
    MLSTRAT_CHECK(fs::is_directory(dir), dir,
                  ": no such folder; --check expects a folder with "
                  "train, dev and test files");
    SplitReport report;
    report.check_only = true;
    report.input = dir;
    report.expected_error = options.expected_error;
    report.ci_level = options.ci_level;
    report.significance = options.significance;

    ::mlstrat::detail::Interner labels;
    std::vector<::mlstrat::detail::Interner> slice_values(options.slice_cols.size());
    std::vector<std::array<std::vector<std::uint64_t>, 2>> slice_counts(options.slice_cols.size());
    std::array<std::vector<std::uint64_t>, kParts> label_counts;
    detail::CrossPartCounter content_parts, id_parts, group_parts;
    std::vector<std::string> header;
    std::string first_file;
    unsigned threads = 1;
    auto bump = [](std::vector<std::uint64_t>& v, std::uint32_t id) {
        if (id >= v.size()) v.resize(id + 1, 0);
        ++v[id];
    };

    for (Part part : {Part::Train, Part::TrainDev, Part::Dev, Part::Test}) {
        const std::string path = find_part(dir, part);
        if (path.empty()) {
            MLSTRAT_CHECK(part == Part::TrainDev, dir, ": no ", part_name(part),
                          ".csv (or .tsv, .csv.gz, .tsv.gz); --check expects train, dev and test "
                          "files and an optional train_dev file");
            continue;
        }
        io::TableReader table(path, options.table);
        threads = table.threads();
        if (header.empty()) {
            header = table.header();
            first_file = path;
            report.label_col = !options.label_col.empty()      ? options.label_col
                               : !options.stratify_col.empty() ? options.stratify_col
                               : table.find_column("label")    ? std::string("label")
                                                               : std::string();
        } else {
            MLSTRAT_CHECK(table.header() == header, where(path, 1), ": the header differs from ",
                          first_file, "'s; every split must have the same columns");
        }
        std::vector<std::size_t> columns;
        auto add = [&](const std::string& name) {
            columns.push_back(table.column(name));
            return columns.size() - 1;
        };
        const bool with_label = !report.label_col.empty();
        const std::size_t s_label = with_label ? add(report.label_col) : 0;
        const std::size_t s_id = options.id_col.empty() ? 0 : add(options.id_col);
        const std::size_t s_group = options.group_col.empty() ? 0 : add(options.group_col);
        std::vector<std::size_t> s_slices;
        for (const auto& c : options.slice_cols) s_slices.push_back(add(c));
        std::vector<std::pair<std::size_t, std::string>> targets;
        for (const auto& [column, value] : options.targets)
            targets.emplace_back(add(column), value);

        const auto p = static_cast<std::size_t>(part);
        std::uint64_t target_rows = 0;
        const std::uint64_t rows = table.scan(
            columns,
            [&](unsigned, const io::RowBatch& b) {
                for (std::size_t r = 0; r < b.size(); ++r) {
                    const std::string_view raw = b.raw(r);
                    content_parts.add(XXH3_64bits(raw.data(), raw.size()), part);
                    if (with_label) bump(label_counts[p], labels.intern(b.cell(r, s_label)));
                    if (!options.id_col.empty()) {
                        std::string_view id = b.cell(r, s_id);
                        id_parts.add(XXH3_64bits(id.data(), id.size()), part);
                    }
                    if (!options.group_col.empty()) {
                        std::string_view g = b.cell(r, s_group);
                        group_parts.add(XXH3_64bits(g.data(), g.size()), part);
                    }
                    for (const auto& [slot, value] : targets) {
                        if (b.cell(r, slot) == value) {
                            ++target_rows;
                            break;
                        }
                    }
                    if (part == Part::Dev || part == Part::Test) {
                        for (std::size_t k = 0; k < s_slices.size(); ++k) {
                            bump(slice_counts[k][part == Part::Dev ? 0 : 1],
                                 slice_values[k].intern(b.cell(r, s_slices[k])));
                        }
                    }
                }
            },
            io::ScanOrder::File, /*keep_raw=*/true);

        SplitSet set;
        set.part = part;
        set.file = fs::path(path).filename().string();
        set.rows = rows;
        set.sha256 = detail::sha256_file(path);
        if (!options.targets.empty()) set.target_rows = target_rows;
        if (part == Part::Dev || part == Part::Test) {
            set.error_interval =
                stats::wilson_interval(options.expected_error * static_cast<double>(rows),
                                       static_cast<double>(rows), options.ci_level);
        }
        report.input_rows += rows;
        report.sizes.rows[p] = rows;
        report.splits.push_back(std::move(set));
    }
    report.sizes.rule = "as found in " + dir;

    const std::vector<std::string> names = labels.names();
    const std::vector<std::size_t> order = metrics::natural_order(names);
    for (auto& set : report.splits) {
        const auto& counts = label_counts[static_cast<std::size_t>(set.part)];
        for (std::size_t k : order) {
            set.label_counts.emplace_back(names[k], k < counts.size() ? counts[k] : 0);
        }
    }
    report.leakage.duplicate_rows_across_splits =
        content_parts.count_keys_in_several_parts(threads);
    if (!options.id_col.empty()) {
        report.leakage.duplicate_ids_across_splits = id_parts.count_keys_in_several_parts(threads);
    }
    if (!options.group_col.empty()) {
        report.leakage.groups_across_splits = group_parts.count_keys_in_several_parts(threads);
    }
    detail::finish_checks(report, label_counts[static_cast<std::size_t>(Part::Dev)],
                          label_counts[static_cast<std::size_t>(Part::Test)], options.slice_cols,
                          slice_counts, options.significance);
    detail::check_dev_division(dir, report, options.table);
    return report;
}

}  // namespace mlstrat::split
