// Reading back what a synth run recorded: applied.csv's row per output, and its `kinds` cells.

#include <filesystem>

#include "mlstrat/support/text_table.hpp"
#include "mlstrat/synth.hpp"

namespace mlstrat::synth {

std::vector<AppliedRow> read_applied(const std::string& folder) {
    namespace fs = std::filesystem;
    const io::TextTable applied = io::read_text_table((fs::path(folder) / "applied.csv").string());
    const std::size_t id = applied.column("id"), image = applied.column("image"),
                      label = applied.column("label"), degradation = applied.column("degradation"),
                      strength = applied.column("strength"), kinds = applied.column("kinds");
    std::vector<AppliedRow> rows;
    rows.reserve(applied.rows.size());
    for (const auto& row : applied.rows) {
        rows.push_back({row[id], (fs::path(folder) / row[image]).string(), row[label],
                        row[degradation], row[strength], row[kinds]});
    }
    return rows;
}

std::vector<std::string> split_kinds(std::string_view kinds) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= kinds.size()) {
        const std::size_t plus = kinds.find('+', start);
        const std::string_view kind =
            kinds.substr(start, plus == std::string_view::npos ? kinds.npos : plus - start);
        if (!kind.empty() && kind != "none") out.emplace_back(kind);
        if (plus == std::string_view::npos) break;
        start = plus + 1;
    }
    return out;
}

}  // namespace mlstrat::synth
