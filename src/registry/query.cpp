// `runs list --where ... --sort ... --limit N` as one SQL query: each condition joins the table
// holding its key (indexed by key and value), the sort key is a left join so runs without it
// come last.

#include <fmt/format.h>

#include <optional>
#include <variant>

#include "mlstrat/registry.hpp"
#include "mlstrat/support/error.hpp"
#include "registry/store.hpp"

namespace mlstrat::registry {

using detail_sql::Statement;
using detail_sql::Transaction;

namespace {

using Bind = std::variant<std::string, double>;

const char* sql_op(Condition::Op op) {
    switch (op) {
        case Condition::Op::Less:
            return "<";
        case Condition::Op::LessEqual:
            return "<=";
        case Condition::Op::Equal:
            return "=";
        case Condition::Op::NotEqual:
            return "!=";
        case Condition::Op::GreaterEqual:
            return ">=";
        case Condition::Op::Greater:
            return ">";
        case Condition::Op::Glob:
            return "GLOB";
    }
    return "=";
}

std::string field_column(const std::string& name) {
    return name == "group" ? "r.run_group" : "r." + name;
}

// The join that finds `key` for run r as alias `a`; the value's column is `a.v`.
std::string key_join(const Key& key, const std::string& a, std::vector<Bind>& binds) {
    switch (key.kind) {
        case Key::Kind::SplitMetric:
            binds.insert(binds.end(), {key.split, key.name});
            return fmt::format(
                "(SELECT run_id, value AS v FROM run_values WHERE split = ? AND "
                "metric = ?) {} ON {}.run_id = r.id",
                a, a);
        case Key::Kind::Metric:
            binds.emplace_back(key.name);
            return fmt::format(
                "(SELECT run_id, value AS v FROM run_metrics WHERE name = ?) {} "
                "ON {}.run_id = r.id",
                a, a);
        case Key::Kind::Param:
            binds.emplace_back(key.name);
            return fmt::format(
                "(SELECT run_id, num AS v, text AS t FROM run_params WHERE key = "
                "?) {} ON {}.run_id = r.id",
                a, a);
        case Key::Kind::Tag:
            binds.emplace_back(key.name);
            return fmt::format(
                "(SELECT run_id, value AS v, value AS t FROM run_tags WHERE key "
                "= ?) {} ON {}.run_id = r.id",
                a, a);
        case Key::Kind::Field:
            break;
    }
    return "";
}

// Throws Error naming what the registry holds when no run has `key`.
void check_known(sqlite3* db, const std::string& path, const Key& key) {
    if (key.kind == Key::Kind::Field) return;
    const char* probe = nullptr;
    const char* known = nullptr;
    switch (key.kind) {
        case Key::Kind::SplitMetric:
            probe = "SELECT 1 FROM run_values WHERE split = ?1 AND metric = ?2 LIMIT 1";
            known = "SELECT DISTINCT split || '.' || metric FROM run_values ORDER BY 1";
            break;
        case Key::Kind::Metric:
            probe = "SELECT 1 FROM run_metrics WHERE name = ?2 LIMIT 1";
            known = "SELECT DISTINCT name FROM run_metrics ORDER BY 1";
            break;
        case Key::Kind::Param:
            probe = "SELECT 1 FROM run_params WHERE key = ?2 LIMIT 1";
            known = "SELECT DISTINCT 'param.' || key FROM run_params ORDER BY 1";
            break;
        case Key::Kind::Tag:
            probe = "SELECT 1 FROM run_tags WHERE key = ?2 LIMIT 1";
            known = "SELECT DISTINCT 'tag.' || key FROM run_tags ORDER BY 1";
            break;
        case Key::Kind::Field:
            return;
    }
    {
        Statement q(db, path, probe);
        if (key.kind == Key::Kind::SplitMetric) q.bind(1, key.split);
        q.bind(2, key.name);
        if (q.step()) return;
    }
    std::string names;
    Statement q(db, path, known);
    for (int n = 0; q.step(); ++n) {
        if (n == 12) {
            names += ", ...";
            break;
        }
        names += (names.empty() ? "" : ", ") + q.text(0);
    }
    throw Error(detail::concat(path, ": no run has ", key.text(),
                               names.empty() ? std::string(" (the registry holds none of its kind)")
                                             : " (known: " + names + ")"));
}

// True when `a` and `b` name the same value of a run.
bool same_key(const Key& a, const Key& b) {
    return a.kind == b.kind && a.split == b.split && a.name == b.name;
}

}  // namespace

std::vector<Run> Registry::query(const Query& query) const {
    sqlite3* db = db_.get();
    Transaction tx(db, path_, false);
    for (const auto& c : query.where) check_known(db, path_, c.key);
    if (query.sort) check_known(db, path_, *query.sort);

    std::vector<Bind> binds, filter_binds;  // the joins' placeholders come before the WHERE's
    std::string joins;
    std::vector<std::string> filters;
    if (!query.include_deleted) filters.emplace_back("r.status != 'deleted'");
    int alias = 0;
    // A key compared as a number has a value in every row the joins keep: sorting by it reuses
    // its join, so SQLite walks the key's index in order and stops at the limit.
    std::optional<std::string> sort_alias;
    for (const auto& c : query.where) {
        const char* op = sql_op(c.op);
        if (c.key.kind == Key::Kind::Field) {
            filters.push_back(fmt::format("{} {} ?", field_column(c.key.name), op));
            filter_binds.emplace_back(c.value);
            continue;
        }
        const std::string a = fmt::format("k{}", alias++);
        joins += " JOIN " + key_join(c.key, a, binds);
        // Numbers compare as numbers; a parameter or tag that is text compares as text.
        const bool numeric =
            c.number && c.op != Condition::Op::Glob && c.key.kind != Key::Kind::Tag;
        joins += fmt::format(" AND {}.{} {} ?", a, numeric ? "v" : "t", op);
        if (numeric) {
            if (query.sort && same_key(*query.sort, c.key)) sort_alias = a;
            binds.emplace_back(*c.number);
        } else {
            binds.emplace_back(c.value);
        }
    }
    std::string order = "r.created, r.id";
    if (query.sort) {
        const char* dir = query.descending ? "DESC" : "ASC";
        if (query.sort->kind == Key::Kind::Field) {
            order = fmt::format("{} {}, r.id", field_column(query.sort->name), dir);
        } else if (sort_alias) {
            order = fmt::format("{}.v {}, r.created, r.id", *sort_alias, dir);
        } else {
            joins += " LEFT JOIN " + key_join(*query.sort, "s", binds);
            order = fmt::format("s.v IS NULL, s.v {}, r.created, r.id", dir);
        }
    }
    std::string sql = "SELECT r.id FROM runs r" + joins;
    for (std::size_t i = 0; i < filters.size(); ++i) {
        sql += (i == 0 ? " WHERE " : " AND ") + filters[i];
    }
    sql += " ORDER BY " + order;
    binds.insert(binds.end(), filter_binds.begin(), filter_binds.end());
    if (query.limit > 0) sql += fmt::format(" LIMIT {}", query.limit);

    Statement q(db, path_, sql.c_str());
    for (std::size_t i = 0; i < binds.size(); ++i) {
        const int at = static_cast<int>(i) + 1;
        if (const auto* text = std::get_if<std::string>(&binds[i])) {
            q.bind(at, *text);
        } else {
            q.bind(at, std::get<double>(binds[i]));
        }
    }
    std::vector<std::int64_t> ids;
    while (q.step()) ids.push_back(q.integer(0));
    auto out = store::load_runs(db, path_, &ids, true);
    tx.commit();
    return out;
}

}  // namespace mlstrat::registry
