#pragma once
/// Deciding what to do next (course 1.1.3, 1.2.2, 1.2.4): human-level error as a proxy for the
/// Bayes error, the gaps between it and the train, train-dev, dev and test errors (avoidable
/// bias, variance, data mismatch, overfitting to dev), which gap to work on and the tactics
/// for it; the ceiling of each stage of a pipeline; and the "flight simulator" drill.
///
///     DiagnoseInput in;
///     in.human_levels = {{"human", 0.01}};
///     in.train_error = 0.08;
///     in.dev_error = 0.10;
///     DiagnoseReport r = diagnose(in);  // r.focus == "avoidable_bias" (7% > 2%)

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mlstrat/registry.hpp"
#include "mlstrat/support/io.hpp"
#include "mlstrat/support/stats.hpp"

namespace mlstrat::diagnose {

/// The error some humans make on the task ("team of experienced doctors": 0.5%).
struct HumanLevel {
    std::string name;
    double error = 0.0;
};

/// The numbers a diagnosis starts from; any subset of the errors may be given.
struct DiagnoseInput {
    /// Human levels; the Bayes proxy is the lowest unless human_goal names another.
    std::vector<HumanLevel> human_levels;
    /// The human level the product aims at (a name in human_levels).
    std::optional<std::string> human_goal;
    std::optional<double> train_error;
    /// Error on held-out data from the training distribution.
    std::optional<double> train_dev_error;
    std::optional<double> dev_error;
    std::optional<double> test_error;
    /// Human error on target-distribution (dev/test) data: the notes' general formulation.
    std::optional<double> human_target_error;
    /// Error on target-distribution data the model was trained on.
    std::optional<double> train_target_error;
    /// Rows each error was measured on, when known: they give every gap an interval.
    std::optional<std::uint64_t> train_size, train_dev_size, dev_size, test_size, train_target_size;
    /// Confidence level of the gap intervals.
    double ci_level = 0.95;
    /// Times the project's test set was used to choose (`--on test`): its error is then optimistic.
    std::int64_t test_peeks = 0;
};

/// One of the four gaps of the notes' recap, in the order the chain goes.
enum class Gap { AvoidableBias, Variance, DataMismatch, DevOverfitting };

/// "avoidable_bias", "variance", "data_mismatch", "dev_overfitting".
const char* gap_name(Gap gap);

/// The measured value of one gap.
struct GapValue {
    Gap gap = Gap::AvoidableBias;
    /// Absent when an error it needs was not given.
    std::optional<double> value;
    /// Present when the sizes of both errors are known.
    std::optional<stats::Interval> interval;
    /// The interval holds zero: the gap cannot be told from noise.
    bool noise = false;
};

/// Parses "[NAME=]RATE" ("doctor=1%"; an unnamed level is called "human").
HumanLevel parse_human_level(std::string_view text);

/// The human levels stored as "human.NAME" project settings, by name; `source` names the file
/// in the error thrown for a value that is not a rate.
std::vector<HumanLevel> human_levels_from_settings(
    const std::map<std::string, std::string>& settings, const std::string& source);

/// What `mlstrat diagnose` reports.
struct DiagnoseReport {
    std::optional<double> bayes_proxy;
    std::string bayes_proxy_name;  // the human level it comes from
    std::vector<HumanLevel> human_levels;
    DiagnoseInput input;
    /// Indexed by Gap.
    std::vector<GapValue> gaps;
    /// Names of the measured gaps, largest first.
    std::vector<std::string> ranking;
    /// One of the four gap names, or "unclear".
    std::string focus;
    /// Other gaps large enough to work on after the focus (at least half of it).
    std::vector<std::string> secondary;
    /// The notes' tactics for the focus.
    std::vector<std::string> tactics;
    /// Why the focus is what it is, caveats, and what else the numbers say.
    std::vector<std::string> notes;
    /// The general formulation (human_target and train_target given): extra gaps by name.
    std::vector<std::pair<std::string, double>> target_gaps;

    /// The value of a gap, if measured.
    std::optional<double> gap(Gap g) const { return gaps[static_cast<int>(g)].value; }
    /// The JSON document of `mlstrat diagnose --json`.
    nlohmann::json to_json() const;
    /// The text `mlstrat diagnose` prints.
    std::string to_text() const;
};

/// Whether at least one gap can be measured: two neighbouring errors of the chain human level
/// -> train -> train-dev -> dev -> test (dev neighbours train when there is no train-dev).
bool comparable(const DiagnoseInput& input);

/// Decomposes the errors into gaps, ranks them and names the focus. Throws Error when a rate is
/// outside [0, 1], human_goal names no human level, or nothing can be compared.
DiagnoseReport diagnose(const DiagnoseInput& input);

/// Where a diagnosis may take numbers from besides the command line.
struct ProjectSource {
    /// Registry file; read when `run` is set, when `db_given`, or when the file exists.
    std::string db = "mlstrat.db";
    bool db_given = false;
    /// A registered run whose errors and sizes fill what `input` leaves unset.
    std::string run;
};

/// `input` filled from the registry: the run's errors and sizes where the input has none, and
/// the project's human levels (and goal) when the input has none. Throws Error when the run is
/// unknown or a stored setting is not a rate.
DiagnoseInput project_input(DiagnoseInput input, const ProjectSource& source);

/// diagnose() after filling `input` from the registry: the run's errors and sizes where the
/// input has none, and the project's human levels (and goal) when the input has none. Throws
/// Error when the run is unknown or a stored setting is not a rate.
DiagnoseReport diagnose_project(DiagnoseInput input, const ProjectSource& source);

/// How the eyeball and blackbox dev errors (split --eyeball) moved between the first and the
/// last run that measured both (Machine Learning Yearning 17-19).
struct EyeballDrift {
    std::string first_run, last_run;
    double eyeball_first = 0, eyeball_last = 0, blackbox_first = 0, blackbox_last = 0;
    /// How much more the eyeball error fell than the blackbox error, and its interval (binomial
    /// noise of the four errors, when their rows are known).
    double excess = 0;
    std::optional<stats::Interval> interval;
    /// The eyeball error fell more than the blackbox error, beyond noise: the team has overfit
    /// the examples it looks at.
    bool overfit = false;
    /// The finding with the numbers.
    std::string message;
};

/// The drift across the registry's runs (oldest first) that have both eyeball_dev and
/// blackbox_dev errors; empty when fewer than two runs have them.
std::optional<EyeballDrift> eyeball_drift(const std::vector<registry::Run>& runs,
                                          double level = 0.95);

/// The pipeline question of 1.2.4: end-to-end accuracy with stages 1..k replaced by ground
/// truth, row 0 being the system as it is.
struct CeilingOptions {
    std::string stage_col = "stage";
    std::string accuracy_col = "accuracy";
    /// Rows of the set the accuracies were measured on; gives each gain an interval.
    std::optional<std::uint64_t> rows;
    double ci_level = 0.95;
    io::TableOptions table;
};

/// What perfecting one stage could add at most.
struct StageCeiling {
    std::string stage;
    /// End-to-end accuracy with this stage and all before it made perfect.
    double accuracy = 0.0;
    /// accuracy minus the previous row's: the most this stage can add.
    double gain = 0.0;
    std::optional<stats::Interval> interval;
    bool noise = false;
};

/// What `mlstrat ceiling` reports.
struct CeilingReport {
    double baseline = 0.0;  // row 0
    std::string baseline_name;
    /// In pipeline order.
    std::vector<StageCeiling> stages;
    /// Stage names, largest gain first.
    std::vector<std::string> ranking;
    /// The stage worth the team's time, or empty when none is.
    std::string worth;
    std::vector<std::string> notes;
    nlohmann::json to_json() const;
};

/// Computes the ceilings from explicit rows (name, accuracy); row 0 is the system as it is.
CeilingReport ceiling(const std::vector<std::pair<std::string, double>>& rows,
                      const CeilingOptions& options);

/// Reads STAGES.csv (accuracies as 0.89 or 89%) and computes the ceilings. Throws Error with
/// FILE:LINE for a missing column, an accuracy that is not a rate, or fewer than two rows.
CeilingReport ceiling_from_file(const std::string& path, const CeilingOptions& options);

/// One generated practice case of the drill.
struct DrillCase {
    /// "focus" (which gap), "tally" (which error category), or "pick" (which model).
    std::string kind;
    /// What the user sees: the project state and the question.
    std::string prompt;
    /// The accepted answers ("variance"; a category; a model name).
    std::vector<std::string> choices;
    /// The right answer.
    std::string expected;
    /// Why, in the engine's own words.
    std::string explanation;
    /// The generated state as data.
    nlohmann::json state;
};

/// Generates `count` cases from `seed` (the same seed gives the same cases, on every platform).
std::vector<DrillCase> generate_drill(std::uint64_t seed, std::size_t count);

/// Whether `answer` (case- and space-insensitive; "bias" for "avoidable_bias", "mismatch" for
/// "data_mismatch" and a choice's number are accepted) is the expected one.
bool drill_answer_matches(const DrillCase& drill_case, const std::string& answer);

}  // namespace mlstrat::diagnose
