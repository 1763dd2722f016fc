// Eyeball and blackbox dev sets (Machine Learning Yearning 17-19): the sizes, and which dev rows
// the team will look at.

#include <fmt/format.h>
#include <xxhash.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numeric>

#include "common/random.hpp"
#include "mlstrat/split.hpp"
#include "mlstrat/support/error.hpp"
#include "split/detail.hpp"

namespace mlstrat::split {

EyeballSize parse_eyeball(std::string_view text) {
    EyeballSize e;
    if (trim(text) == "auto") {
        e.automatic = true;
        return e;
    }
    e.size = parse_count_or_share(text, "--eyeball");
    return e;
}

std::uint64_t resolve_eyeball(const EyeballSize& eyeball, std::uint64_t dev_rows,
                              double expected_error) {
    std::uint64_t rows = 0;
    if (eyeball.automatic) {
        MLSTRAT_CHECK(expected_error > 0,
                      "--eyeball auto sizes the eyeball set for about 100 "
                      "errors at --expected-error, which must be above 0");
        rows = static_cast<std::uint64_t>(std::ceil(100.0 / expected_error - 1e-9));
        MLSTRAT_CHECK(rows < dev_rows, "--eyeball auto: about 100 errors at an expected error of ",
                      fmt::format("{:g}%", expected_error * 100), " need ", rows,
                      " eyeball rows, and dev has ", dev_rows,
                      ", which would leave no blackbox set; give --eyeball a smaller count or "
                      "share, or a larger --dev");
        return rows;
    }
    rows = eyeball.size.resolve(dev_rows);
    MLSTRAT_CHECK(rows >= 1, "--eyeball: ", rows, " of dev's ", dev_rows,
                  " rows is no eyeball set at all");
    MLSTRAT_CHECK(rows < dev_rows, "--eyeball: ", rows, " of dev's ", dev_rows,
                  " rows leaves no blackbox set; the blackbox dev set needs at least one row");
    return rows;
}

std::vector<std::uint64_t> eyeball_rows(std::uint64_t dev_rows, std::uint64_t eyeball_rows,
                                        std::uint64_t seed) {
    // A partial Fisher-Yates shuffle: the first `eyeball_rows` places are a uniform draw.
    std::vector<std::uint64_t> rows(dev_rows);
    std::iota(rows.begin(), rows.end(), std::uint64_t{0});
    ::mlstrat::detail::SplitMix64 rng(seed * 0x9E3779B97F4A7C15ull + 17);
    for (std::uint64_t i = 0; i < eyeball_rows; ++i) {
        std::swap(rows[i], rows[i + rng.next() % (dev_rows - i)]);
    }
    rows.resize(eyeball_rows);
    std::sort(rows.begin(), rows.end());
    return rows;
}

std::optional<std::vector<std::string>> division_ids(const std::string& dir,
                                                     const std::string& stem,
                                                     const std::string& id_col,
                                                     const io::TableOptions& table) {
    MLSTRAT_CHECK(std::filesystem::is_directory(dir), dir,
                  ": no such split folder (mlstrat split --out DIR writes one)");
    const std::string path = detail::find_table(dir, stem);
    if (path.empty()) return std::nullopt;
    io::TableReader reader(path, table);
    const std::vector<std::size_t> columns = {reader.column(id_col)};
    std::vector<std::string> ids;
    reader.scan(
        columns,
        [&](unsigned, const io::RowBatch& b) {
            for (std::size_t r = 0; r < b.size(); ++r) ids.emplace_back(b.cell(r, 0));
        },
        io::ScanOrder::File);
    return ids;
}

namespace detail {

std::string find_table(const std::string& dir, const std::string& stem) {
    for (const char* ext : {".csv", ".tsv", ".csv.gz", ".tsv.gz"}) {
        std::string path = dir + "/" + stem + ext;
        if (std::filesystem::is_regular_file(path)) return path;
    }
    return {};
}

namespace {

/// The content hash of every record of a table, sorted.
std::vector<std::uint64_t> record_hashes(const std::string& path, const io::TableOptions& options) {
    io::TableReader table(path, options);
    std::vector<std::uint64_t> hashes;
    table.scan(
        {},
        [&](unsigned, const io::RowBatch& b) {
            for (std::size_t r = 0; r < b.size(); ++r) {
                const std::string_view raw = b.raw(r);
                hashes.push_back(XXH3_64bits(raw.data(), raw.size()));
            }
        },
        io::ScanOrder::File, /*keep_raw=*/true);
    std::sort(hashes.begin(), hashes.end());
    return hashes;
}

}  // namespace

void check_dev_division(const std::string& dir, SplitReport& report,
                        const io::TableOptions& table) {
    const std::string eye = find_table(dir, "eyeball_dev"), black = find_table(dir, "blackbox_dev");
    if (eye.empty() && black.empty()) return;
    if (eye.empty() || black.empty()) {
        report.warnings.push_back(
            fmt::format("{} has {} but no {}: an eyeball / blackbox division needs both", dir,
                        eye.empty() ? "blackbox_dev" : "eyeball_dev",
                        eye.empty() ? "eyeball_dev" : "blackbox_dev"));
        return;
    }
    const auto dev = record_hashes(find_table(dir, "dev"), table);
    const auto e = record_hashes(eye, table), b = record_hashes(black, table);
    std::vector<std::uint64_t> both;
    std::set_intersection(e.begin(), e.end(), b.begin(), b.end(), std::back_inserter(both));
    std::vector<std::uint64_t> joined;
    std::merge(e.begin(), e.end(), b.begin(), b.end(), std::back_inserter(joined));
    DevDivision d;
    d.eyeball_rows = e.size();
    d.blackbox_rows = b.size();
    d.eyeball_file = std::filesystem::path(eye).filename().string();
    d.blackbox_file = std::filesystem::path(black).filename().string();
    d.eyeball_sha256 = sha256_file(eye);
    d.blackbox_sha256 = sha256_file(black);
    d.rule = "found";
    report.dev_division = d;
    if (!both.empty()) {
        report.warnings.push_back(fmt::format(
            "{} rows are in both {} and {}: the blackbox set must hold rows nobody has looked at",
            both.size(), d.eyeball_file, d.blackbox_file));
    }
    if (joined != dev) {
        report.warnings.push_back(fmt::format(
            "{} ({} rows) and {} ({} rows) are not a division of dev ({} rows): together they must "
            "hold dev's rows, each once",
            d.eyeball_file, e.size(), d.blackbox_file, b.size(), dev.size()));
    }
}

}  // namespace detail

}  // namespace mlstrat::split
