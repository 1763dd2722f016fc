#pragma once
/// Picking a model with one optimizing metric and N-1 satisficing ones (course 1.1.2): maximize
/// accuracy subject to running time <= 100 ms; or first build the single number from several
/// columns (the average error over regions, F1 from precision and recall, a weighted error).
///
///     SelectOptions options;
///     options.objective = Objective{"accuracy", Direction::Maximize};
///     options.constraints = {parse_constraint("running_time<=100")};
///     SelectReport r = select_from_file("models.csv", options);  // r.winner == "B"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mlstrat/registry.hpp"
#include "mlstrat/support/io.hpp"

namespace mlstrat::select {

/// Which way the optimizing metric is better.
enum class Direction { Maximize, Minimize };

/// The one optimizing metric.
struct Objective {
    std::string name;
    Direction direction = Direction::Maximize;
    /// "maximize accuracy" (the form project settings store).
    std::string to_string() const;
};

/// Parses "maximize COL" or "minimize COL".
Objective parse_objective(std::string_view text, std::string_view what);

/// A satisficing limit: COL op LIMIT.
struct Constraint {
    enum class Op { Less, LessEqual, Greater, GreaterEqual, Equal };
    std::string column;
    Op op = Op::LessEqual;
    double limit = 0.0;
    /// As written, normalised ("running_time<=100").
    std::string text;
    /// Whether `value` meets the limit.
    bool satisfied_by(double value) const;
};

/// Parses "COL<=X" with operators <, <=, >, >=, ==; X is a number or a rate ("5%" is 0.05).
Constraint parse_constraint(std::string_view text);

/// Parses limits joined by ';' (the form project settings store); empty items are skipped.
std::vector<Constraint> parse_constraint_list(std::string_view text);

/// A single number built from several columns, added as a new column named by its kind.
struct Combination {
    enum class Kind { Mean, F1, Weighted };
    Kind kind = Kind::Mean;
    /// "mean", "f1" or "weighted": the new column's name.
    std::string name;
    /// Input columns with their weights (1 for mean; precision then recall for f1).
    std::vector<std::pair<std::string, double>> columns;
};

/// Parses "mean:COL1,COL2,...", "f1:PREC_COL,REC_COL" or "weighted:COL=W,...".
Combination parse_combination(std::string_view text);

/// The candidate models as a table of text cells; an empty cell is a missing value.
struct Candidates {
    std::string source;  // file path or registry path, for messages
    std::vector<std::string> columns;
    std::vector<std::string> names;
    std::vector<std::vector<std::string>> cells;  // [row][column]
    std::vector<std::uint64_t> lines;             // file line of each row (0: none)
};

/// The number in cell (row, col): "0.95", "95%" (0.95); nullopt when empty. Throws Error naming
/// the place for anything else.
std::optional<double> cell_value(const Candidates& candidates, std::size_t row, std::size_t col);

/// Reads RUNS.csv: one row per model, named by `name_col` (or the first column when there is
/// no such column). Throws Error for a missing file, an empty name or a repeated one.
Candidates read_candidates(const std::string& path, const std::string& name_col,
                           const io::TableOptions& table = {});

/// One row per registered run: columns SPLIT_error, SPLIT_rows and every metric by name.
Candidates candidates_from_runs(const std::vector<registry::Run>& runs, const std::string& source);

/// How `select` chooses.
struct SelectOptions {
    /// The optimizing metric; with a combination it may be omitted for f1 (maximized).
    std::optional<Objective> objective;
    std::vector<Constraint> constraints;
    std::vector<Combination> combinations;
    /// Rows of the dev set the metrics were measured on: tells a lead from noise.
    std::optional<std::uint64_t> dev_size;
    double ci_level = 0.95;
    /// The split a bare per-split metric (accuracy, error...) is read on: dev, unless the test
    /// set is explicitly used to choose ("test"), which every output then says.
    std::string on = registry::kChooseSplit;
    /// From the registry: rank each seed group as one candidate, its members' means
    /// (registry::group_means), so that no single seed's luck wins.
    bool by_group = false;
};

/// One candidate in the ranking.
struct RankedCandidate {
    std::string name;
    std::optional<double> value;
    bool feasible = false;
    std::vector<std::string> violations;
};

/// What `mlstrat select` reports.
struct SelectReport {
    std::optional<std::string> winner;
    Objective objective;
    std::vector<std::string> constraints;
    /// Feasible candidates best first, then the infeasible ones best first.
    std::vector<RankedCandidate> ranking;
    /// The winner's lead over the runner-up and its interval (with dev_size).
    std::optional<double> lead;
    std::optional<std::pair<double, double>> lead_interval;
    bool lead_is_noise = false;
    /// The runner-up the winner was paired with, when both kept predictions on the chosen split.
    std::optional<std::string> runner_up;
    /// McNemar's paired test of the runner-up (A) against the winner (B) on those predictions.
    std::optional<registry::PairedTest> paired;
    /// The split a bare per-split metric was read on ("dev" unless asked otherwise).
    std::string on = registry::kChooseSplit;
    std::vector<std::string> notes;
    /// {winner, objective, ranking, excluded, notes...}.
    nlohmann::json to_json() const;
};

/// Applies combinations, drops candidates that break a limit and ranks the rest. Throws Error
/// for an unknown column, a cell that is not a number (FILE:LINE), or no objective.
SelectReport select(const Candidates& candidates, const SelectOptions& options);

/// read_candidates then select.
SelectReport select_from_file(const std::string& path, const SelectOptions& options,
                              const std::string& name_col = "name");

/// `options` with the project's objective and limits (`mlstrat project set`) where it has none;
/// the objective stays unset when neither gives one.
SelectOptions with_project_settings(SelectOptions options, const registry::Registry& registry);

/// The column `name` stands for: a bare per-split metric (accuracy, error...) is its value on
/// `on` when the table has that column ("dev.accuracy"); any other name is itself.
std::string resolve_column(const std::vector<std::string>& columns, const std::string& name,
                           const std::string& on);

/// Pairs the winner with the runner-up (both meeting the limits) on their `split` predictions
/// (registry::compare_predictions): sets runner_up and paired and says in the notes whether the
/// winner is significantly better or a tie within noise; a note says why when they cannot be
/// paired. Does nothing without a feasible runner-up or when either run kept no predictions.
void pair_winner(SelectReport& report, const std::vector<registry::Run>& runs,
                 const std::string& split, double level = 0.95);

/// select over the registry's runs; the project's objective and limits apply when the options
/// have none. Choosing on test (options.on == "test") counts a test peek in the registry. The
/// winner is paired with the runner-up on their predictions of the split chosen on (pair_winner).
SelectReport select_from_registry(const std::string& db, SelectOptions options);

}  // namespace mlstrat::select
