#pragma once
/// Train / train-dev / dev / test splits from the right distributions (course 1.1.2 and 1.2.2):
/// sizes for the deep-learning era, dev and test from the same distribution, dev and test drawn
/// only from the target data when training data comes from elsewhere (option 2), a train-dev set
/// carved out of train, and the checks that catch a wrong split: dev vs test distribution and
/// leakage across splits.
///
///     SplitOptions options;
///     options.targets = {{"source", "mobile"}};
///     options.target_in_train = parse_count_or_share("5000", "--target-in-train");
///     SplitReport report = split_table("pictures.csv", "splits", options);
///     std::cout << report.to_json().dump(2) << "\n";

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "mlstrat/support/columns.hpp"
#include "mlstrat/support/io.hpp"
#include "mlstrat/support/parse.hpp"
#include "mlstrat/support/stats.hpp"

namespace mlstrat::split {

/// The four sets, in the order they are cut from the hash order of each stratum.
enum class Part : std::uint8_t { Test = 0, Dev = 1, TrainDev = 2, Train = 3 };

/// Number of parts.
inline constexpr std::size_t kParts = 4;

/// "test", "dev", "train_dev", "train": the names in manifest.json and of the output files.
const char* part_name(Part part);

/// --eyeball (Machine Learning Yearning 17-19): the part of dev the team looks at during error
/// analysis; the rest, the blackbox dev set, nobody looks at, so it can tell when the team has
/// overfit the examples it studies.
struct EyeballSize {
    /// "auto": enough rows for about 100 errors at the expected error (5% -> 2,000).
    bool automatic = false;
    CountOrShare size;
};

/// Parses --eyeball: "auto", a count ("2000") or a share of dev ("20%").
EyeballSize parse_eyeball(std::string_view text);

/// The eyeball rows out of `dev_rows`. Throws Error with the numbers when none is left for the
/// blackbox set or the eyeball set would be empty.
std::uint64_t resolve_eyeball(const EyeballSize& eyeball, std::uint64_t dev_rows,
                              double expected_error);

/// Which dev rows (indices 0..dev_rows-1, in file order) are eyeball rows: `eyeball_rows` of
/// them drawn by `seed`, sorted.
std::vector<std::uint64_t> eyeball_rows(std::uint64_t dev_rows, std::uint64_t eyeball_rows,
                                        std::uint64_t seed);

/// The values of column `id_col` in part `stem` ("eyeball_dev" or "blackbox_dev") of split
/// folder `dir`: what `errors sample` may draw from, and what a run's dev error is divided by;
/// empty when the split has no such file.
std::optional<std::vector<std::string>> division_ids(const std::string& dir,
                                                     const std::string& stem,
                                                     const std::string& id_col,
                                                     const io::TableOptions& table = {});

/// The dev set divided into eyeball_dev and blackbox_dev files (dev itself stays whole).
struct DevDivision {
    std::uint64_t eyeball_rows = 0, blackbox_rows = 0;
    std::string eyeball_file, blackbox_file;
    std::string eyeball_sha256, blackbox_sha256;
    /// How the eyeball size was chosen.
    std::string rule;
};

/// What `split_table` and `check_splits` read and how.
struct SplitOptions {
    /// Dev and test sizes; unset follows the notes (see resolve_sizes).
    std::optional<CountOrShare> dev, test;
    /// Train-dev size: a count, or a share of the train rows it is carved out of; unset for none.
    std::optional<CountOrShare> train_dev;
    /// With targets: how much of the target data also goes to train (a count or a share of it).
    std::optional<CountOrShare> target_in_train;
    /// Column whose value is the stable key of a row; empty hashes the row's bytes instead.
    std::string id_col;
    /// Column whose classes every split keeps in proportion.
    std::string stratify_col;
    /// Column whose values (a user, a patient) must each land in one split.
    std::string group_col;
    /// Column counted in label_counts and compared between dev and test; empty takes
    /// stratify_col, else "label" when the file has it.
    std::string label_col;
    /// How the manifest names the input (standard input read from a copy: "stdin"); empty: its
    /// path.
    std::string input_name;
    /// Further columns whose distribution dev and test must share.
    std::vector<std::string> slice_cols;
    /// (COLUMN, VALUE) pairs; a row matching any of them is target data.
    std::vector<std::pair<std::string, std::string>> targets;
    /// Cut at fixed hash thresholds: no row ever moves when rows are appended, but sizes are
    /// only near their shares. Needs sizes given as shares; excludes stratify_col.
    bool stable = false;
    std::uint64_t seed = 0;
    /// The error at which the interval each dev/test size buys is shown (and --eyeball auto
    /// sizes the eyeball set).
    double expected_error = 0.05;
    /// Divide dev into eyeball_dev and blackbox_dev; unset for no division.
    std::optional<EyeballSize> eyeball;
    double ci_level = 0.95;
    /// The chi-square p-value under which dev and test are reported as different.
    double significance = 0.05;
    io::TableOptions table;
};

/// Sizes of the parts, and for target splits how many target rows go to train.
struct SplitSizes {
    std::array<std::uint64_t, kParts> rows{};  // indexed by Part
    std::uint64_t target_in_train = 0;
    /// How the sizes were chosen, in words ("the notes: 1,000,000 rows or more: 98/1/1").
    std::string rule;
};

/// Sizes for `rows` input rows of which `target_rows` are target data (0 without targets).
/// Without targets and without --dev/--test, the notes' rule: dev and test get 20% each under
/// 50,000 rows (60/20/20), 10,000 rows each up to 1,000,000, and 1% each from there (98/1/1).
/// With targets, shares are of the target rows; unset sizes follow option 2 (half the target
/// data in train, the rest split equally into dev and test). Throws Error with the numbers when
/// the sizes do not fit.
SplitSizes resolve_sizes(const SplitOptions& options, std::uint64_t rows,
                         std::uint64_t target_rows);

/// One output set as written (or, for --check, as found).
struct SplitSet {
    Part part = Part::Train;
    std::string file;
    std::uint64_t rows = 0;
    std::string sha256;  // of the file's bytes, lower-case hex
    /// Rows per label value, in natural order; empty when there is no label column.
    std::vector<std::pair<std::string, std::uint64_t>> label_counts;
    /// Rows matching --target; set only when targets were given.
    std::optional<std::uint64_t> target_rows;
    /// For dev and test: the Wilson interval around SplitReport::expected_error at this size.
    std::optional<stats::Interval> error_interval;
};

/// A chi-square test of whether dev and test share the distribution of one column.
struct DistributionCheck {
    std::string column;
    bool tested = false;  // false when dev or test is empty or the column has one value
    double statistic = 0.0;
    double dof = 0.0;
    double p_value = 1.0;
    bool ok = true;
};

/// Examples found in more than one split.
struct LeakageCheck {
    /// Distinct row contents (by content hash) found in two or more splits.
    std::uint64_t duplicate_rows_across_splits = 0;
    /// Distinct ids in two or more splits; set when an id column was given.
    std::optional<std::uint64_t> duplicate_ids_across_splits;
    /// Groups with rows in two or more splits; set when a group column was given.
    std::optional<std::uint64_t> groups_across_splits;
};

/// Everything `mlstrat split` writes to manifest.json (and `split --check` reports).
struct SplitReport {
    bool check_only = false;
    std::string input;
    std::uint64_t seed = 0;
    std::uint64_t input_rows = 0;
    bool stable = false;
    SplitSizes sizes;
    std::string label_col;         // empty when none
    std::vector<SplitSet> splits;  // train, train_dev (when present), dev, test
    std::optional<DistributionCheck> label_check;
    std::vector<DistributionCheck> slice_checks;
    LeakageCheck leakage;
    double expected_error = 0.05;
    double ci_level = 0.95;
    double significance = 0.05;
    std::vector<std::string> warnings;
    /// --eyeball: the dev set's division (split --check: the one found and checked).
    std::optional<DevDivision> dev_division;

    /// The JSON document of manifest.json and of `mlstrat split --json`.
    nlohmann::json to_json() const;
};

/// Splits the table at `path` into `out_dir`/{train,train_dev,dev,test}.csv (.tsv for a
/// tab-separated input) plus manifest.json. Each row's place comes from hashing the seed and its
/// key (--id-col, its group, or its bytes); exact counts come from cutting each stratum's hash
/// order (see docs/split.md). Rows and header are copied byte for byte; all files appear only
/// when every one is complete. Invariant: the splits are disjoint and cover every input row.
SplitReport split_table(const std::string& path, const std::string& out_dir,
                        const SplitOptions& options);

/// The rows of a table held in memory, one value per row in each column given.
struct RowColumns {
    /// Each row's key, hashed to place it: its id, or its record as a CSV file holds it (without
    /// the line end), as split_table hashes a row without --id-col. May be null with groups.
    const columns::Column* keys = nullptr;
    /// Each row's group (SplitOptions::group_col names it), or null.
    const columns::Column* groups = nullptr;
    /// Each row's --stratify class (SplitOptions::stratify_col names it), or null.
    const columns::Column* stratify = nullptr;
    /// The column of each SplitOptions::targets pair, in the same order.
    std::vector<const columns::Column*> targets;
};

/// The part of every row (in order) that split_table gives the same rows in a file, by the same
/// code: the sizes, strata, groups and hash order of `options` (eyeball, checks and files
/// aside). Throws the errors split_table throws, with `source` and the column's NAME[ROW] in
/// place of FILE:LINE.
std::vector<Part> assign_parts(const RowColumns& rows, const SplitOptions& options,
                               const std::string& source);

/// Runs the distribution and leakage checks on splits made elsewhere: `dir` holds train, dev,
/// test and optionally train_dev, as .csv or .tsv (optionally .gz).
SplitReport check_splits(const std::string& dir, const SplitOptions& options);

}  // namespace mlstrat::split
