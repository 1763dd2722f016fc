#pragma once
// Where every row goes: the keys, strata and groups of the rows in input order, then the sizes
// and the cuts of each stratum's hash order that place them (see split.cpp for the whole
// method). split_table feeds it from a file, assign_parts from columns in memory, so both place
// the same rows alike.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/interner.hpp"
#include "common/page_block.hpp"
#include "mlstrat/split.hpp"

namespace mlstrat::split::detail {

// A growable array in fixed blocks, so growing never copies and never doubles memory.
template <typename T>
class Chunked {
 public:
    void push_back(T v) {
        if (used_ == kBlock) {
            blocks_.emplace_back(kBlock, /*sequential=*/true);
            used_ = 0;
        }
        blocks_.back()[used_++] = v;
    }
    T& operator[](std::uint64_t i) { return blocks_[i >> kShift][i & (kBlock - 1)]; }
    T operator[](std::uint64_t i) const { return blocks_[i >> kShift][i & (kBlock - 1)]; }
    void reset() {
        blocks_.clear();
        used_ = kBlock;
    }

 private:
    static constexpr unsigned kShift = 20;
    static constexpr std::size_t kBlock = std::size_t{1} << kShift;
    std::vector<mlstrat::detail::PageBlock<T>> blocks_;
    std::size_t used_ = kBlock;
};

// The stratum of every row: one byte each while there are at most 256 strata (the usual case),
// four once there are more.
class StratumIds {
 public:
    void push_back(std::uint32_t id) {
        if (!wide_ && id > 0xFF) {
            for (std::uint64_t i = 0; i < size_; ++i) wide_ids_.push_back(narrow_ids_[i]);
            narrow_ids_.reset();
            wide_ = true;
        }
        if (wide_) {
            wide_ids_.push_back(id);
        } else {
            narrow_ids_.push_back(static_cast<std::uint8_t>(id));
        }
        ++size_;
    }
    std::uint32_t operator[](std::uint64_t i) const {
        return wide_ ? wide_ids_[i] : narrow_ids_[i];
    }
    void reset() {
        narrow_ids_.reset();
        wide_ids_.reset();
    }

 private:
    Chunked<std::uint8_t> narrow_ids_;
    Chunked<std::uint32_t> wide_ids_;
    std::uint64_t size_ = 0;
    bool wide_ = false;
};

// What placing the rows gives.
struct Assignment {
    SplitSizes sizes;
    std::uint64_t rows = 0;
    /// The Part of every row, in input order.
    Chunked<std::uint8_t> parts;
    /// With a group column: the group of every row, and how many groups there are.
    Chunked<std::uint32_t> row_group;
    std::size_t groups = 0;
    /// Without one: keys (ids or row bytes) found in more than one part.
    std::optional<std::uint64_t> keys_in_several_parts;
};

// Rows are added in input order, then placed at once.
class Assigner {
 public:
    // Checks the options that need no rows (--stable's shares); throws Error.
    explicit Assigner(const SplitOptions& options);

    // The next row: its key (id or bytes; its group when grouping), its --stratify class (empty
    // without one) and whether it is target data. False when its group was seen with the other
    // target value: a group must land in one split.
    bool add(std::string_view key, std::string_view stratum_class, bool target);

    // Rows added so far.
    std::uint64_t rows() const { return rows_; }

    // Sizes, then every row's part; `source` (a path, or "frame") starts the errors about the
    // rows (a --target matching none, sizes that do not fit, a class too rare to stratify).
    Assignment finish(const std::string& source);

 private:
    const SplitOptions& options_;
    std::array<std::array<double, 3>, 2> shares_{};
    bool by_group_ = false, stratified_ = false;
    std::uint64_t rows_ = 0, target_rows_ = 0;
    mlstrat::detail::Interner strata_;  // "T" or "O", then the --stratify class
    std::vector<std::uint64_t> stratum_rows_;
    std::vector<std::uint8_t> stratum_pool_;  // 1: target rows, 0: the others
    Chunked<std::uint64_t> hashes_;           // per row, when not by group
    StratumIds row_stratum_;                  // per row, when not by group
    Chunked<std::uint32_t> row_group_;        // per row, when by group
    std::unordered_map<std::uint64_t, std::uint32_t> group_index_;
    std::vector<std::uint64_t> group_hash_, group_rows_;
    std::vector<std::uint32_t> group_stratum_;
    std::vector<std::uint8_t> group_target_;
    std::string stratum_key_;
};

}  // namespace mlstrat::split::detail
