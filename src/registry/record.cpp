// What an evaluation puts in the registry: every metric `mlstrat eval` computes, by name.

#include "mlstrat/metrics.hpp"
#include "mlstrat/registry.hpp"

namespace mlstrat::registry {

std::map<std::string, double> split_metrics_of(const metrics::EvalReport& report) {
    std::map<std::string, double> out = {{"error", report.error},
                                         {"accuracy", report.accuracy},
                                         {"macro_precision", report.macro.precision},
                                         {"macro_recall", report.macro.recall},
                                         {"macro_f1", report.macro.f1},
                                         {"micro_f1", report.micro.f1},
                                         {"weighted_f1", report.weighted.f1}};
    if (report.weighted_error) out["weighted_error"] = *report.weighted_error;
    if (report.binary) {
        out["precision"] = report.binary->precision;
        out["recall"] = report.binary->recall;
        out["f1"] = report.binary->f1;
    }
    return out;
}

}  // namespace mlstrat::registry
