#pragma once
// Maps strings to dense ids 0, 1, 2... in first-seen order. Open addressing on XXH3 hashes; the
// strings are owned, so callers may pass views into short-lived buffers.

#include <xxhash.h>

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace mlstrat::detail {

class Interner {
 public:
    Interner() : slots_(16, kEmpty) {}

    /// The id of `key`, adding it when new.
    std::uint32_t intern(std::string_view key) {
        std::uint64_t h = XXH3_64bits(key.data(), key.size());
        std::size_t mask = slots_.size() - 1;
        for (std::size_t i = h & mask;; i = (i + 1) & mask) {
            std::uint32_t id = slots_[i];
            if (id == kEmpty) {
                id = static_cast<std::uint32_t>(names_.size());
                names_.emplace_back(key);
                hashes_.push_back(h);
                slots_[i] = id;
                if (names_.size() * 2 > slots_.size()) grow();
                return id;
            }
            if (hashes_[id] == h && names_[id] == key) return id;
        }
    }

    /// The id of `key`, or -1 when absent.
    std::int64_t find(std::string_view key) const {
        std::uint64_t h = XXH3_64bits(key.data(), key.size());
        std::size_t mask = slots_.size() - 1;
        for (std::size_t i = h & mask;; i = (i + 1) & mask) {
            std::uint32_t id = slots_[i];
            if (id == kEmpty) return -1;
            if (hashes_[id] == h && names_[id] == key) return id;
        }
    }

    std::size_t size() const { return names_.size(); }
    const std::string& name(std::uint32_t id) const { return names_[id]; }
    std::vector<std::string> names() const { return {names_.begin(), names_.end()}; }

 private:
    static constexpr std::uint32_t kEmpty = 0xFFFFFFFFu;

    void grow() {
        std::vector<std::uint32_t> bigger(slots_.size() * 2, kEmpty);
        std::size_t mask = bigger.size() - 1;
        for (std::uint32_t id = 0; id < names_.size(); ++id) {
            std::size_t i = hashes_[id] & mask;
            while (bigger[i] != kEmpty) i = (i + 1) & mask;
            bigger[i] = id;
        }
        slots_.swap(bigger);
    }

    std::vector<std::uint32_t> slots_;
    std::deque<std::string> names_;
    std::vector<std::uint64_t> hashes_;
};

}  // namespace mlstrat::detail
