#pragma once
// The report's learning-curve section (Machine Learning Yearning 28-32): error against the
// training-set size for each curve `mlstrat curve` recorded, the target dashed, the fit dotted.

#include <string>

#include <nlohmann/json.hpp>

#include "mlstrat/report.hpp"

namespace mlstrat::report::detail {

/// Every learning curve recorded in the registry at `db`, fitted and judged.
void add_learning_curves(const std::string& db, Report& report);

/// The chart of one curve: one line per split (log x axis), the spread over repeats as bars,
/// the target as a dashed rule, the fit and its extrapolation as a dotted line with its band.
nlohmann::json learning_curve_spec(const diagnose::LearningCurve& curve);

/// The chart id of the i-th curve.
std::string learning_curve_chart_id(std::size_t i);

/// The section's HTML (empty when there is no curve).
std::string learning_curves_html(const Report& report);

}  // namespace mlstrat::report::detail
