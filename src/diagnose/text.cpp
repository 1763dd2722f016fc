// The text `mlstrat diagnose` prints (and `str()` of the Python module's diagnosis): the human
// levels and Bayes proxy, the errors, the gaps largest first with their intervals, the focus,
// its tactics and the notes.

#include <sstream>

#include "mlstrat/diagnose.hpp"
#include "mlstrat/support/text.hpp"

namespace mlstrat::diagnose {

namespace {

using text::percent;
using text::Table;
using text::thousands;

std::string signed_percent(double v) { return (v > 0 ? "+" : "") + percent(v); }

}  // namespace

std::string DiagnoseReport::to_text() const {
    const DiagnoseReport& r = *this;
    std::ostringstream out;
    if (!r.human_levels.empty()) {
        std::string levels;
        for (const auto& h : r.human_levels) {
            if (!levels.empty()) levels += ", ";
            levels += h.name + " " + percent(h.error);
        }
        out << "human levels  " << levels << "\n";
        out << "Bayes proxy   " << percent(*r.bayes_proxy) << " (" << r.bayes_proxy_name << ")\n";
    }
    Table errors({"error", "value", "rows"});
    auto row = [&](const char* name, const std::optional<double>& e,
                   const std::optional<std::uint64_t>& n) {
        if (e) errors.add({name, percent(*e), n ? thousands(*n) : "-"});
    };
    row("train", r.input.train_error, r.input.train_size);
    row("train-dev", r.input.train_dev_error, r.input.train_dev_size);
    row("dev", r.input.dev_error, r.input.dev_size);
    row("test", r.input.test_error, r.input.test_size);
    row("human (target)", r.input.human_target_error, std::nullopt);
    row("train (target)", r.input.train_target_error, r.input.train_target_size);
    out << "\n";
    errors.print(out);

    const std::string level = percent(r.input.ci_level, 0);
    Table gaps({"gap", "value", level + " interval", ""});
    for (const auto& name : r.ranking) {
        for (const auto& g : r.gaps) {
            if (name != gap_name(g.gap)) continue;
            std::string interval =
                g.interval ? percent(g.interval->lo) + " to " + percent(g.interval->hi) : "-";
            gaps.add({name, signed_percent(*g.value), interval, g.noise ? "noise" : ""});
        }
    }
    for (const auto& [name, v] : r.target_gaps) gaps.add({name, signed_percent(v), "-", ""});
    out << "\n";
    gaps.print(out);

    out << "\nfocus: " << r.focus << "\n";
    if (!r.tactics.empty()) {
        out << "tactics:\n";
        for (const auto& t : r.tactics) out << "  - " << t << "\n";
    }
    if (!r.notes.empty()) {
        out << "notes:\n";
        for (const auto& n : r.notes) out << "  - " << n << "\n";
    }
    return out.str();
}

}  // namespace mlstrat::diagnose
