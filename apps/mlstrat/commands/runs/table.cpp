// mlstrat runs list / export / show: the registry printed as a table, CSV or JSON.

#include "commands/runs/table.hpp"

#include <algorithm>
#include <iostream>
#include <set>

#include "mlstrat/support/io.hpp"
#include "output.hpp"

namespace mlstrat::cli {

namespace {

std::string cell(const nlohmann::json& v, const registry::Key& key) {
    if (v.is_null()) return "-";
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number() && key.kind == registry::Key::Kind::SplitMetric && key.name == "error") {
        return percent(v.get<double>());
    }
    if (v.is_number_float()) return fmt::format("{:.4g}", v.get<double>());
    return v.dump();
}

}  // namespace

void print_runs(const std::vector<registry::Run>& runs, const std::vector<registry::Key>& columns,
                OutputFormat format) {
    if (format == OutputFormat::Json) {
        nlohmann::json j = {{"runs", nlohmann::json::array()}};
        for (const auto& r : runs) j["runs"].push_back(r.to_json());
        print_json(j, Numbers::Stored);
        return;
    }
    if (format == OutputFormat::Csv) {
        std::cout << registry::runs_csv(runs, columns);
        return;
    }
    if (runs.empty()) {
        std::cout << "no runs (mlstrat runs add NAME --train 8% --dev 10%, or mlstrat runs log)\n";
        return;
    }
    std::vector<std::string> head;
    for (const auto& k : columns) head.push_back(k.text());
    Table t(head);
    for (const auto& r : runs) {
        std::vector<std::string> row;
        for (const auto& k : columns) row.push_back(cell(registry::value_of(r, k), k));
        t.add(row);
    }
    t.print(std::cout);
}

void print_groups(const std::vector<registry::GroupSummary>& groups,
                  const std::vector<registry::Key>& columns, OutputFormat format) {
    if (format == OutputFormat::Json) {
        nlohmann::json j = {{"groups", nlohmann::json::array()}};
        for (const auto& g : groups) j["groups"].push_back(g.to_json());
        print_json(j);
        return;
    }
    std::vector<std::string> head = {"group", "runs"};
    std::vector<std::string> keys;
    for (const auto& k : columns) {
        const bool any = std::any_of(groups.begin(), groups.end(),
                                     [&](const auto& g) { return g.values.count(k.text()) != 0; });
        if (any) keys.push_back(k.text());
    }
    if (format == OutputFormat::Csv) {
        std::cout << "group,runs";
        for (const auto& k : keys) std::cout << "," << k << "_mean," << k << "_lo," << k << "_hi";
        std::cout << "\n";
        for (const auto& g : groups) {
            std::cout << io::quote_field(g.group) << "," << g.runs.size();
            for (const auto& k : keys) {
                auto it = g.values.find(k);
                if (it == g.values.end()) {
                    std::cout << ",,,";
                    continue;
                }
                const auto& s = it->second;
                std::cout << "," << fmt::format("{:.17g}", s.mean) << ","
                          << (s.interval ? fmt::format("{:.17g}", s.interval->lo) : "") << ","
                          << (s.interval ? fmt::format("{:.17g}", s.interval->hi) : "");
            }
            std::cout << "\n";
        }
        return;
    }
    if (groups.empty()) {
        std::cout << "no seed groups (runs add/log NAME --group G puts a run in one)\n";
        return;
    }
    head.insert(head.end(), keys.begin(), keys.end());
    Table t(head);
    for (const auto& g : groups) {
        std::vector<std::string> row = {g.group, std::to_string(g.runs.size())};
        for (const auto& k : keys) {
            auto it = g.values.find(k);
            if (it == g.values.end()) {
                row.push_back("-");
                continue;
            }
            const auto& s = it->second;
            row.push_back(s.interval ? fmt::format("{:.4g} ({:.4g} to {:.4g})", s.mean,
                                                   s.interval->lo, s.interval->hi)
                                     : fmt::format("{:.4g} (one seed)", s.mean));
        }
        t.add(row);
    }
    t.print(std::cout);
}

void print_run(const registry::Run& run) {
    std::cout << "run      " << run.name << "\n";
    std::cout << "status   " << registry::status_name(run.status) << "\n";
    std::cout << "created  " << run.created << "\n";
    if (!run.finished.empty()) std::cout << "finished " << run.finished << "\n";
    std::cout << "kind     " << run.kind << "\n";
    if (!run.group.empty()) std::cout << "group    " << run.group << "\n";
    if (!run.folder.empty()) std::cout << "folder   " << run.folder << "\n";
    std::set<std::string> splits, names;
    for (const auto& [s, e] : run.errors) splits.insert(s);
    for (const auto& [s, n] : run.sizes) splits.insert(s);
    for (const auto& [s, values] : run.split_metrics) {
        splits.insert(s);
        for (const auto& [m, v] : values) names.insert(m);
    }
    if (!splits.empty()) {
        std::vector<std::string> head = {"split", "error", "rows"};
        for (const auto& m : names) head.push_back(m);
        Table t(head);
        // The chain's order (train, train_dev, dev, test), then the others.
        std::vector<std::string> order;
        for (const auto& k : registry::default_columns({run})) {
            if (k.kind == registry::Key::Kind::SplitMetric) order.push_back(k.split);
        }
        for (const auto& s : splits) {
            if (std::find(order.begin(), order.end(), s) == order.end()) order.push_back(s);
        }
        for (const auto& s : order) {
            auto e = run.errors.find(s);
            auto n = run.sizes.find(s);
            std::vector<std::string> row = {s, e != run.errors.end() ? percent(e->second) : "-",
                                            n != run.sizes.end() ? thousands(n->second) : "-"};
            for (const auto& m : names) {
                auto v = run.split_value(s, m);
                row.push_back(v ? fmt::format("{:.4g}", *v) : "-");
            }
            t.add(row);
        }
        std::cout << "\n";
        t.print(std::cout);
    }
    if (!run.metrics.empty()) {
        Table t({"metric", "value"});
        for (const auto& [m, v] : run.metrics) t.add({m, fmt::format("{:g}", v)});
        std::cout << "\n";
        t.print(std::cout);
    }
    if (!run.params.empty()) {
        Table t({"param", "value"});
        for (const auto& [k, v] : run.params)
            t.add({k, v.is_string() ? v.get<std::string>() : v.dump()});
        std::cout << "\n";
        t.print(std::cout);
    }
    if (!run.tags.empty()) {
        std::cout << "\ntags:";
        for (const auto& [k, v] : run.tags) std::cout << " " << k << "=" << v;
        std::cout << "\n";
    }
    for (const auto& [s, p] : run.predictions)
        std::cout << "predictions " << s << ": " << p << "\n";
    if (!run.notes.empty()) std::cout << "\nnotes: " << run.notes << "\n";
    if (!run.config.empty())
        std::cout << "\nconfig:\n" << run.config << (run.config.back() == '\n' ? "" : "\n");
}

}  // namespace mlstrat::cli
