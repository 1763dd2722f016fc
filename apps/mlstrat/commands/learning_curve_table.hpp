#pragma once
// The learning-curve table both `mlstrat curve` and `mlstrat diagnose --curve` print.

#include <iostream>
#include <string>

#include "mlstrat/learning_curve.hpp"
#include "output.hpp"

namespace mlstrat::cli {

inline std::string curve_cell(const diagnose::CurvePoint& p, const std::string& split) {
    auto it = p.errors.find(split);
    if (it == p.errors.end()) return "-";
    const auto& s = it->second;
    return s.runs > 1 ? percent(s.mean) + " ± " + percent(s.sd) : percent(s.mean);
}

/// Sizes with their errors (mean ± sd), the target, the fit, and the verdict.
inline void print_learning_curve(const diagnose::LearningCurve& c) {
    std::cout << "learning curve " << c.name << "\n";
    Table t({"size", "runs", "train", "train-dev", "dev"});
    for (const auto& p : c.points) {
        t.add({thousands(p.size), std::to_string(p.errors.at("dev").runs), curve_cell(p, "train"),
               curve_cell(p, "train_dev"), curve_cell(p, "dev")});
    }
    t.print(std::cout, "  ");
    std::cout << "  (mean ± standard deviation over the runs at a size)\n";
    if (c.target)
        std::cout << "target        " << percent(*c.target) << " (" << c.target_source << ")\n";
    if (c.fit) {
        std::cout << fmt::format("fit           dev error ≈ {:.4f} + {:.4g}·n^(−{:.3f})", c.fit->a,
                                 c.fit->b, c.fit->c)
                  << "\n";
    }
    if (!c.fit_note.empty()) std::cout << "note: " << c.fit_note << "\n";
    std::cout << "\n" << c.verdict.message << "\n";
}

}  // namespace mlstrat::cli
