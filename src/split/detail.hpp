#pragma once
// Pieces shared by split_table and check_splits: SHA-256 of the output files, the controlled
// rounding behind stratified sizes, counting keys that landed in several splits, the dev-vs-test
// chi-square, and the header line as it stands in the file.

#include <openssl/evp.h>

#include <cstdint>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/page_block.hpp"
#include "mlstrat/split.hpp"

namespace mlstrat::split::detail {

// Incremental SHA-256 (FIPS 180-4) over OpenSSL's EVP interface.
class Sha256 {
 public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;
    void update(std::string_view bytes);
    // Lower-case hex digest; the object cannot be updated afterwards.
    std::string hex_digest();

 private:
    EVP_MD_CTX* ctx_ = nullptr;
};

// SHA-256 of a whole string, lower-case hex.
std::string sha256_hex(std::string_view bytes);

// SHA-256 of a file's bytes as stored (gzip'd files are not decompressed).
std::string sha256_file(const std::string& path);

// Splits a table of non-negative quotas total[r] * columns[c] / sum(total) into integers that
// are each the floor or the ceiling of their quota, with every row summing to total[r] and every
// column to columns[c] (controlled rounding; sum(columns) must equal sum(total)). Returns
// cells[r * columns.size() + c].
std::vector<std::uint64_t> controlled_round(const std::vector<std::uint64_t>& total,
                                            const std::vector<std::uint64_t>& columns);

using mlstrat::detail::PageBlock;

// Keys (64-bit hashes) seen in parts; counts the keys seen in more than one part. The part goes
// into the two low bits, so keys are compared on their upper 62 bits.
class CrossPartCounter {
 public:
    void add(std::uint64_t key, Part part) {
        if (used_ == kBlock) {
            blocks_.emplace_back(kBlock, /*sequential=*/true);
            used_ = 0;
        }
        blocks_.back()[used_++] = (key & ~std::uint64_t{3}) | static_cast<std::uint64_t>(part);
        ++size_;
    }
    std::uint64_t size() const { return size_; }
    // Sorts (on `threads` workers) and counts; the counter is empty afterwards.
    std::uint64_t count_keys_in_several_parts(unsigned threads);

 private:
    static constexpr std::size_t kBlock = std::size_t{1} << 20;
    std::vector<PageBlock<std::uint64_t>> blocks_;
    std::size_t used_ = kBlock;
    std::uint64_t size_ = 0;
};

// Chi-square test of independence between part (dev vs test) and a column's value, from the
// counts of each value in dev and in test.
DistributionCheck chi_square_dev_test(const std::string& column,
                                      const std::vector<std::uint64_t>& dev,
                                      const std::vector<std::uint64_t>& test, double significance);

// Fills the report's dev-vs-test checks (label and slices) and its warnings from the counts of
// each label and slice value in dev and in test.
void finish_checks(SplitReport& report, const std::vector<std::uint64_t>& dev_labels,
                   const std::vector<std::uint64_t>& test_labels,
                   const std::vector<std::string>& slice_cols,
                   const std::vector<std::array<std::vector<std::uint64_t>, 2>>& slice_counts,
                   double significance);

// The header record of a CSV/TSV file (after a UTF-8 BOM) with its line terminator, as bytes.
std::string read_header_line(const std::string& path, std::size_t max_bytes);

/// The file `stem` in `dir` as .csv, .tsv or their .gz forms; empty when none exists.
std::string find_table(const std::string& dir, const std::string& stem);

/// split --check of an eyeball / blackbox division in `dir` (when both files are there): they
/// must hold dev's rows, each exactly once between them; what breaks that is a warning.
void check_dev_division(const std::string& dir, SplitReport& report, const io::TableOptions& table);

}  // namespace mlstrat::split::detail
