// Shared pieces of the split module; see detail.hpp.

#include "split/detail.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <numeric>

#include <fmt/format.h>

#include "common/worker_pool.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/support/stats.hpp"

namespace mlstrat::split::detail {

// ---------------------------------------------------------------------------------------------
// SHA-256

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
    if (ctx_ == nullptr || EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr) != 1) {
        throw Error(ErrorCode::Internal, "SHA-256 could not be started");
    }
}

Sha256::~Sha256() { EVP_MD_CTX_free(ctx_); }

void Sha256::update(std::string_view bytes) {
    if (EVP_DigestUpdate(ctx_, bytes.data(), bytes.size()) != 1) {
        throw Error(ErrorCode::Internal, "SHA-256 update failed");
    }
}

std::string Sha256::hex_digest() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (EVP_DigestFinal_ex(ctx_, digest, &n) != 1) {
        throw Error(ErrorCode::Internal, "SHA-256 final failed");
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * n);
    for (unsigned i = 0; i < n; ++i) {
        out.push_back(kHex[digest[i] >> 4]);
        out.push_back(kHex[digest[i] & 15]);
    }
    return out;
}

std::string sha256_hex(std::string_view bytes) {
    Sha256 sha;
    sha.update(bytes);
    return sha.hex_digest();
}

std::string sha256_file(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        throw Error(ErrorCode::Io, path + ": cannot open (" + std::strerror(errno) + ")");
    }
    Sha256 sha;
    std::vector<char> buffer(std::size_t{1} << 20);
    for (;;) {
        ssize_t got = ::read(fd, buffer.data(), buffer.size());
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            int err = errno;
            ::close(fd);
            throw Error(ErrorCode::Io, path + ": read failed (" + std::strerror(err) + ")");
        }
        if (got == 0) break;
        sha.update(std::string_view(buffer.data(), static_cast<std::size_t>(got)));
    }
    ::close(fd);
    return sha.hex_digest();
}

// ---------------------------------------------------------------------------------------------
// Controlled rounding

// Products of two row counts need more than 64 bits.
__extension__ typedef unsigned __int128 Wide;

std::vector<std::uint64_t> controlled_round(const std::vector<std::uint64_t>& total,
                                            const std::vector<std::uint64_t>& columns) {
    const std::size_t R = total.size(), C = columns.size();
    const Wide sum = std::accumulate(total.begin(), total.end(), std::uint64_t{0});
    std::vector<std::uint64_t> cells(R * C, 0);
    if (sum == 0 || C == 0) return cells;

    // Floors, and which cells may be rounded up (those with a fractional part).
    std::vector<std::uint8_t> up(R * C, 0);  // 1 where the cell is rounded up
    std::vector<std::uint8_t> allowed(R * C, 0);
    std::vector<Wide> remainder(R * C, 0);
    std::vector<std::uint64_t> need(R, 0);  // ceilings each row must take
    std::vector<std::int64_t> spare(C, 0);  // ceilings each column can give
    for (std::size_t c = 0; c < C; ++c) spare[c] = static_cast<std::int64_t>(columns[c]);
    for (std::size_t r = 0; r < R; ++r) {
        std::uint64_t floors = 0;
        for (std::size_t c = 0; c < C; ++c) {
            Wide q = static_cast<Wide>(total[r]) * columns[c];
            cells[r * C + c] = static_cast<std::uint64_t>(q / sum);
            remainder[r * C + c] = q % sum;
            allowed[r * C + c] = remainder[r * C + c] != 0;
            floors += cells[r * C + c];
            spare[c] -= static_cast<std::int64_t>(cells[r * C + c]);
        }
        need[r] = total[r] - floors;
    }

    // Greedy: rows needing most first, each taking the columns with most to give.
    std::vector<std::size_t> rows(R);
    std::iota(rows.begin(), rows.end(), 0);
    std::stable_sort(rows.begin(), rows.end(), [&](auto a, auto b) { return need[a] > need[b]; });
    std::vector<std::size_t> cols(C);
    for (std::size_t r : rows) {
        std::iota(cols.begin(), cols.end(), 0);
        std::stable_sort(cols.begin(), cols.end(), [&](auto a, auto b) {
            if (spare[a] != spare[b]) return spare[a] > spare[b];
            return remainder[r * C + a] > remainder[r * C + b];
        });
        for (std::size_t c : cols) {
            if (need[r] == 0) break;
            if (!allowed[r * C + c] || spare[c] <= 0) continue;
            up[r * C + c] = 1;
            --spare[c];
            --need[r];
        }
    }

    // Repair what the greedy left with augmenting paths over the columns: a row takes a column,
    // whose previous taker moves to another column, until a column with room is reached. The
    // fractional quotas are a feasible flow, so an integral one always exists.
    for (std::size_t r = 0; r < R; ++r) {
        while (need[r] > 0) {
            std::vector<std::int64_t> via_row(C, -1), via_col(C, -1);
            std::vector<std::uint8_t> seen(C, 0);
            std::deque<std::size_t> queue;
            for (std::size_t c = 0; c < C; ++c) {
                if (allowed[r * C + c] && !up[r * C + c]) {
                    seen[c] = 1;
                    queue.push_back(c);
                }
            }
            std::int64_t end = -1;
            while (!queue.empty() && end < 0) {
                std::size_t c = queue.front();
                queue.pop_front();
                if (spare[c] > 0) {
                    end = static_cast<std::int64_t>(c);
                    break;
                }
                for (std::size_t r2 = 0; r2 < R && end < 0; ++r2) {
                    if (!up[r2 * C + c]) continue;
                    for (std::size_t c2 = 0; c2 < C; ++c2) {
                        if (seen[c2] || !allowed[r2 * C + c2] || up[r2 * C + c2]) continue;
                        seen[c2] = 1;
                        via_row[c2] = static_cast<std::int64_t>(r2);
                        via_col[c2] = static_cast<std::int64_t>(c);
                        queue.push_back(c2);
                    }
                }
            }
            if (end < 0) throw Error(ErrorCode::Internal, "controlled rounding found no solution");
            std::size_t c = static_cast<std::size_t>(end);
            --spare[c];
            while (via_row[c] >= 0) {
                std::size_t r2 = static_cast<std::size_t>(via_row[c]);
                std::size_t from = static_cast<std::size_t>(via_col[c]);
                up[r2 * C + c] = 1;
                up[r2 * C + from] = 0;
                c = from;
            }
            up[r * C + c] = 1;
            --need[r];
        }
    }
    for (std::size_t i = 0; i < R * C; ++i) cells[i] += up[i];
    return cells;
}

// ---------------------------------------------------------------------------------------------
// Keys in several parts

std::uint64_t CrossPartCounter::count_keys_in_several_parts(unsigned threads) {
    // Bucket by the top byte into one array, freeing each block as it is moved.
    std::array<std::uint64_t, 257> start{};
    auto each = [&](auto&& fn) {
        for (std::size_t k = 0; k < blocks_.size(); ++k) {
            const std::size_t n = k + 1 == blocks_.size() ? used_ : kBlock;
            fn(blocks_[k], n);
        }
    };
    each([&](PageBlock<std::uint64_t>& b, std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) ++start[(b[i] >> 56) + 1];
    });
    for (std::size_t i = 1; i < start.size(); ++i) start[i] += start[i - 1];
    PageBlock<std::uint64_t> all(size_);
    std::array<std::uint64_t, 256> next{};
    std::copy(start.begin(), start.end() - 1, next.begin());
    each([&](PageBlock<std::uint64_t>& b, std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) all[next[b[i] >> 56]++] = b[i];
        b.release();
    });
    blocks_.clear();
    used_ = kBlock;
    size_ = 0;

    threads = std::max(1u, threads);
    std::vector<std::uint64_t> found(threads, 0);
    ::mlstrat::detail::WorkerPool pool(threads);
    pool.run(threads, [&](unsigned w) {
        // Within a top-byte bucket, a second radix pass on the next byte leaves runs short
        // enough that sorting them is cheap.
        std::vector<std::uint64_t> scratch;
        std::array<std::size_t, 257> sub{};
        for (std::size_t bucket = w; bucket < 256; bucket += threads) {
            std::uint64_t* first = all.begin() + start[bucket];
            const std::size_t n = start[bucket + 1] - start[bucket];
            sub.fill(0);
            for (std::size_t i = 0; i < n; ++i) ++sub[((first[i] >> 48) & 0xFF) + 1];
            for (std::size_t i = 1; i < sub.size(); ++i) sub[i] += sub[i - 1];
            scratch.resize(n);
            std::array<std::size_t, 256> at{};
            std::copy(sub.begin(), sub.end() - 1, at.begin());
            for (std::size_t i = 0; i < n; ++i) scratch[at[(first[i] >> 48) & 0xFF]++] = first[i];
            for (std::size_t b = 0; b < 256; ++b) {
                auto lo = scratch.begin() + static_cast<std::ptrdiff_t>(sub[b]);
                auto hi = scratch.begin() + static_cast<std::ptrdiff_t>(sub[b + 1]);
                std::sort(lo, hi);
                for (auto it = lo; it != hi;) {
                    const std::uint64_t key = *it >> 2;
                    unsigned mask = 0;
                    for (; it != hi && (*it >> 2) == key; ++it) mask |= 1u << (*it & 3);
                    if ((mask & (mask - 1)) != 0) ++found[w];  // more than one part
                }
            }
        }
    });
    return std::accumulate(found.begin(), found.end(), std::uint64_t{0});
}

// ---------------------------------------------------------------------------------------------
// Dev vs test

DistributionCheck chi_square_dev_test(const std::string& column,
                                      const std::vector<std::uint64_t>& dev,
                                      const std::vector<std::uint64_t>& test, double significance) {
    DistributionCheck check;
    check.column = column;
    const std::size_t k = std::max(dev.size(), test.size());
    auto at = [](const std::vector<std::uint64_t>& v, std::size_t i) {
        return i < v.size() ? static_cast<double>(v[i]) : 0.0;
    };
    double n_dev = 0.0, n_test = 0.0;
    std::size_t values = 0;
    for (std::size_t i = 0; i < k; ++i) {
        n_dev += at(dev, i);
        n_test += at(test, i);
        if (at(dev, i) + at(test, i) > 0) ++values;
    }
    if (n_dev == 0.0 || n_test == 0.0 || values < 2) return check;
    const double n = n_dev + n_test;
    // Summed in the order of the counts, not of the values' ids, so that the statistic does not
    // depend on which value a file shows first: `split` and `split --check` of its output read
    // the rows in different orders and must report the same number, to the last digit.
    std::vector<std::pair<double, double>> cells;
    for (std::size_t i = 0; i < k; ++i) {
        if (at(dev, i) + at(test, i) > 0) cells.emplace_back(at(dev, i), at(test, i));
    }
    std::sort(cells.begin(), cells.end());
    double statistic = 0.0;
    for (const auto& [d, t] : cells) {
        const double row = d + t;
        const double e_dev = row * n_dev / n, e_test = row * n_test / n;
        statistic += (d - e_dev) * (d - e_dev) / e_dev;
        statistic += (t - e_test) * (t - e_test) / e_test;
    }
    check.tested = true;
    check.statistic = statistic;
    check.dof = static_cast<double>(values - 1);
    check.p_value = stats::chi_square_sf(statistic, check.dof);
    check.ok = check.p_value >= significance;
    return check;
}

void finish_checks(SplitReport& report, const std::vector<std::uint64_t>& dev_labels,
                   const std::vector<std::uint64_t>& test_labels,
                   const std::vector<std::string>& slice_cols,
                   const std::vector<std::array<std::vector<std::uint64_t>, 2>>& slice_counts,
                   double significance) {
    auto differ = [&](const DistributionCheck& c) {
        if (c.tested && !c.ok) {
            report.warnings.push_back(fmt::format(
                "dev and test differ on '{}' (chi-square {:.4g}, p = {:.3g} < {:g}); they must "
                "come from the same distribution: shuffle them from one pool, or use --stratify",
                c.column, c.statistic, c.p_value, significance));
        }
    };
    if (!report.label_col.empty()) {
        report.label_check =
            chi_square_dev_test(report.label_col, dev_labels, test_labels, significance);
        differ(*report.label_check);
    }
    for (std::size_t k = 0; k < slice_cols.size(); ++k) {
        report.slice_checks.push_back(chi_square_dev_test(slice_cols[k], slice_counts[k][0],
                                                          slice_counts[k][1], significance));
        differ(report.slice_checks.back());
    }
    const LeakageCheck& l = report.leakage;
    if (l.duplicate_rows_across_splits > 0) {
        report.warnings.push_back(fmt::format(
            "{} distinct rows appear, byte for byte, in more than one split: the same example "
            "is trained on and evaluated on",
            l.duplicate_rows_across_splits));
    }
    if (l.duplicate_ids_across_splits.value_or(0) > 0) {
        report.warnings.push_back(
            fmt::format("{} ids appear in more than one split", *l.duplicate_ids_across_splits));
    }
    if (l.groups_across_splits.value_or(0) > 0) {
        report.warnings.push_back(
            fmt::format("{} groups have rows in more than one split", *l.groups_across_splits));
    }
}

// ---------------------------------------------------------------------------------------------
// Header line

std::string read_header_line(const std::string& path, std::size_t max_bytes) {
    auto source = io::open_bytes(path);
    std::string text;
    std::size_t scanned = 0, quotes = 0;
    for (;;) {
        std::size_t old = text.size();
        text.resize(old + (1 << 16));
        std::size_t got = source->read(text.data() + old, 1 << 16);
        text.resize(old + got);
        if (old == 0 && text.size() >= 3 && text.compare(0, 3, "\xEF\xBB\xBF") == 0) {
            text.erase(0, 3);
        }
        for (; scanned < text.size(); ++scanned) {
            if (text[scanned] == '"') ++quotes;
            if (text[scanned] == '\n' && quotes % 2 == 0) return text.substr(0, scanned + 1);
        }
        if (got == 0) return text;
        if (text.size() > max_bytes) {
            throw Error(where(path, 1) + ": the header row is too long; is a quote left open?");
        }
    }
}

}  // namespace mlstrat::split::detail
