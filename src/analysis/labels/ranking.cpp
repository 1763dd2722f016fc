// The flagged examples of a run ranked (least confident in the given label first) and counted per
// class, and the report written as JSON and CSV.

#include <algorithm>
#include <charconv>
#include <functional>
#include <thread>

#include "analysis/labels/grouped_layout.hpp"
#include "analysis/labels/issues.hpp"
#include "common/page_block.hpp"
#include "mlstrat/support/io.hpp"

namespace mlstrat::analysis {

namespace detail {

namespace {

// A key that orders as the number does (-0 as +0), for NaN-free values.
std::uint64_t order_key(double x) {
    const auto bits = std::bit_cast<std::uint64_t>(x == 0.0 ? 0.0 : x);
    return (bits >> 63) != 0 ? ~bits : bits | (std::uint64_t{1} << 63);
}

// The flagged examples of a single-label run, ranked by ranks_before: a bucket sort on the
// self-confidence's key. Each worker's part of the rows counts its flagged examples per bucket,
// then writes each at its place in its bucket (row order kept within a bucket), and the buckets,
// a few examples each, are sorted on the workers. Nothing is gathered first, so no more memory is
// written than the ranked list.
std::vector<LabelIssue> rank_issues(const ConfidentLearning& cl,
                                    std::span<const std::uint32_t> labels, WorkerPool& pool) {
    constexpr std::size_t kBuckets = std::size_t{1} << 16;
    const std::size_t n = labels.size();
    const unsigned parts = pool.size();
    auto rows_of = [&](unsigned part) {
        return std::pair{n * part / parts, n * (part + 1) / parts};
    };
    std::vector<std::uint64_t> part_low(parts, ~std::uint64_t{0}), part_high(parts, 0);
    pool.run(parts, [&](unsigned part) {
        for (auto [i, end] = rows_of(part); i < end; ++i) {
            if (!cl.is_issue[i]) continue;
            const std::uint64_t key = order_key(cl.given_probability[i]);
            part_low[part] = std::min(part_low[part], key);
            part_high[part] = std::max(part_high[part], key);
        }
    });
    const std::uint64_t low = *std::min_element(part_low.begin(), part_low.end());
    const std::uint64_t high = *std::max_element(part_high.begin(), part_high.end());
    unsigned shift = 0;
    while (high > low && ((high - low) >> shift) >= kBuckets) ++shift;
    auto bucket_of = [&](std::size_t i) {
        return static_cast<std::size_t>((order_key(cl.given_probability[i]) - low) >> shift);
    };
    std::vector<std::uint32_t> counts(parts * kBuckets, 0);
    pool.run(parts, [&](unsigned part) {
        std::uint32_t* count = &counts[part * kBuckets];
        for (auto [i, end] = rows_of(part); i < end; ++i) {
            if (cl.is_issue[i]) ++count[bucket_of(i)];
        }
    });
    // Bucket-major, parts in order within a bucket: a bucket's examples stay in row order.
    GroupedLayout layout = group_layout(counts, parts, kBuckets);
    const std::vector<std::size_t>& bucket_start = layout.start;
    std::vector<LabelIssue> ranked;
    mlstrat::detail::reserve_in_huge_pages(ranked, bucket_start[kBuckets]);
    ranked.resize(bucket_start[kBuckets]);
    pool.run(parts, [&](unsigned part) {
        std::size_t* to = &layout.next[part * kBuckets];
        for (auto [i, end] = rows_of(part); i < end; ++i) {
            if (!cl.is_issue[i]) continue;
            ranked[to[bucket_of(i)]++] = {i, labels[i], cl.suggested[i], cl.given_probability[i]};
        }
    });
    // Each worker sorts the buckets holding its share of the examples.
    pool.run(parts, [&](unsigned part) {
        const std::size_t total = ranked.size();
        auto first_bucket_from = [&](std::size_t at) {
            return static_cast<std::size_t>(
                std::lower_bound(bucket_start.begin(), bucket_start.end() - 1, at) -
                bucket_start.begin());
        };
        const std::size_t end = first_bucket_from(total * (part + 1) / parts);
        for (std::size_t b = first_bucket_from(total * part / parts); b < end; ++b) {
            if (bucket_start[b + 1] - bucket_start[b] > 1) {
                std::sort(ranked.begin() + static_cast<std::ptrdiff_t>(bucket_start[b]),
                          ranked.begin() + static_cast<std::ptrdiff_t>(bucket_start[b + 1]),
                          ranks_before);
            }
        }
    });
    return ranked;
}

}  // namespace

void add_single_label_issues(const ConfidentLearning& cl, std::span<const std::uint32_t> labels,
                             WorkerPool& pool, LabelReport& report) {
    const std::size_t n = labels.size(), k = report.classes.size();
    const unsigned parts = pool.size();
    report.confident_joint.assign(k, std::vector<std::int64_t>(k, 0));
    for (std::size_t g = 0; g < k; ++g) {
        for (std::size_t t = 0; t < k; ++t) {
            report.confident_joint[g][t] = cl.confident_joint[g * k + t];
            if (t != g)
                report.per_class[g].estimated +=
                    static_cast<std::uint64_t>(cl.confident_joint[g * k + t]);
        }
    }
    // Each part of the rows counts its rows and flagged examples per class.
    std::vector<std::uint64_t> counts(parts * 2 * k, 0);  // per part: rows, then flagged
    pool.run(parts, [&](unsigned part) {
        std::uint64_t* rows = &counts[part * 2 * k];
        for (std::size_t i = n * part / parts; i < n * (part + 1) / parts; ++i) {
            ++rows[labels[i]];
            rows[k + labels[i]] += cl.is_issue[i];
        }
    });
    for (unsigned part = 0; part < parts; ++part) {
        for (std::size_t c = 0; c < k; ++c) {
            report.per_class[c].rows += counts[part * 2 * k + c];
            report.per_class[c].flagged += counts[part * 2 * k + k + c];
        }
    }
    report.issues = rank_issues(cl, labels, pool);
    if (cl.rank_score.empty()) return;
    for (LabelIssue& issue : report.issues) issue.rank_score = cl.rank_score[issue.index];
    sort_issues(report);
}

void sort_issues(LabelReport& report) {
    if (report.ranked_by == RankBy::self_confidence) {
        std::sort(report.issues.begin(), report.issues.end(), ranks_before);
        return;
    }
    std::sort(
        report.issues.begin(), report.issues.end(), [](const LabelIssue& a, const LabelIssue& b) {
            return a.rank_score != b.rank_score ? a.rank_score < b.rank_score : a.index < b.index;
        });
}

}  // namespace detail

nlohmann::json LabelReport::to_json() const {
    using nlohmann::json;
    json j;
    j["rows"] = rows;
    j["classes"] = classes;
    j["flagged"] = issues.size();
    j["per_class"] = json::array();
    for (const auto& c : per_class) {
        j["per_class"].push_back({{"class", c.name},
                                  {"rows", c.rows},
                                  {"flagged", c.flagged},
                                  {"estimated", c.estimated}});
    }
    j["multi_label"] = multi_label;
    if (multi_label) {
        j["confident_joint"] = json::array();  // per class [[given 0: true 0, 1], [given 1: ...]]
        for (const auto& c : confident_joint) {
            j["confident_joint"].push_back({{c[0], c[1]}, {c[2], c[3]}});
        }
    } else {
        j["confident_joint"] = confident_joint;
    }
    const bool by_other = ranked_by != RankBy::self_confidence;
    if (by_other) j["ranked_by"] = rank_by_name(ranked_by);
    j["issues"] = json::array();
    for (std::size_t i = 0; i < issues.size(); ++i) {
        json row = {{"index", issues[i].index},
                    {"given", class_names(issues[i].given)},
                    {"suggested", class_names(issues[i].suggested)},
                    {multi_label ? "label_quality" : "self_confidence", issues[i].self_confidence}};
        if (by_other) row[std::string(rank_by_name(ranked_by))] = issues[i].rank_score;
        if (!ids.empty()) row["id"] = ids[i];
        j["issues"].push_back(std::move(row));
    }
    return j;
}

std::string LabelReport::class_names(std::uint64_t given) const {
    if (!multi_label) return classes[given];
    std::string out;
    for (std::size_t c = 0; c < classes.size(); ++c) {
        if (((given >> c) & 1) == 0) continue;
        if (!out.empty()) out += '|';
        out += classes[c];
    }
    return out;
}

void LabelReport::write_issues_csv(const std::function<void(std::string_view)>& write) const {
    const bool with_ids = !ids.empty();
    const bool by_other = ranked_by != RankBy::self_confidence;
    std::string header = with_ids ? "index,id,given,suggested," : "index,given,suggested,";
    header += multi_label ? "label_quality" : "self_confidence";
    if (by_other) header.append(",").append(rank_by_name(ranked_by));
    write(header + "\n");
    std::vector<std::string> quoted;
    for (const auto& c : classes) quoted.push_back(io::quote_field(c));
    auto format = [&](std::size_t from, std::size_t to, std::string& out) {
        out.clear();
        std::string set_names;  // a multi-label set's names, quoted
        auto names = [&](std::uint64_t c) -> const std::string& {
            if (!multi_label) return quoted[c];
            set_names = io::quote_field(class_names(c));
            return set_names;
        };
        char number[32];
        for (std::size_t i = from; i < to; ++i) {
            const LabelIssue& issue = issues[i];
            auto end = std::to_chars(number, number + sizeof number, issue.index).ptr;
            out.append(number, end);
            out += ',';
            if (with_ids) {
                out += io::quote_field(ids[i]);
                out += ',';
            }
            out += names(issue.given);
            out += ',';
            out += names(issue.suggested);
            out += ',';
            end = std::to_chars(number, number + sizeof number, issue.self_confidence)
                      .ptr;  // shortest exact
            out.append(number, end);
            if (by_other) {
                out += ',';
                end = std::to_chars(number, number + sizeof number, issue.rank_score).ptr;
                out.append(number, end);
            }
            out += '\n';
        }
    };
    // Rounds of a few thousand rows per worker, formatted side by side into buffers that are
    // reused (so memory stays small and is not faulted in afresh), written in order.
    constexpr std::size_t kRowsPerPiece = 8192;
    const unsigned workers =
        std::clamp<unsigned>(static_cast<unsigned>(issues.size() / (4 * kRowsPerPiece)), 1,
                             std::max(1u, std::thread::hardware_concurrency()));
    mlstrat::detail::WorkerPool pool(workers);
    std::vector<std::string> pieces(workers);
    for (auto& piece : pieces) piece.reserve(kRowsPerPiece * 64);
    for (std::size_t round = 0; round < issues.size(); round += workers * kRowsPerPiece) {
        pool.run(workers, [&](unsigned w) {
            const std::size_t from = std::min(issues.size(), round + w * kRowsPerPiece);
            format(from, std::min(issues.size(), from + kRowsPerPiece), pieces[w]);
        });
        for (const auto& piece : pieces) {
            if (!piece.empty()) write(piece);
        }
    }
}

}  // namespace mlstrat::analysis
