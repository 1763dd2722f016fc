#pragma once
// Maps strings to dense ids 0, 1, 2... in first-seen order. Open addressing on XXH3 hashes; the
// strings are owned, so callers may pass views into short-lived buffers. Keys of up to 16 bytes
// (most labels and slice values) are packed into two words and placed by a multiply, which
// avoids both XXH3 and memcmp on the hot path.

#include <xxhash.h>

#include <cstdint>
#include <cstring>
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
        // Only the pointer and the length go further, so a caller's view can stay in registers:
        // when its address is needed (as for copying it into names_), the compiler keeps the
        // view in memory and reloads it whole right after storing its halves, a stall of some
        // 15 cycles per call (a failed store-to-load forward).
        const char* p = key.data();
        const std::size_t n = key.size();
        if (n > 16) return intern_long(p, n);
        const Packed k = pack(p, n);
        const std::size_t mask = short_slots_.size() - 1;
        for (std::size_t i = k.slot(short_shift_);; i = (i + 1) & mask) {
            const ShortSlot& slot = short_slots_[i];
            if (slot.id == kEmpty) return add_short(i, p, n);
            if (slot.key == k) return slot.id;
        }
    }

    /// The id of `key`, or -1 when absent.
    std::int64_t find(std::string_view key) const {
        if (key.size() <= 16) {
            const Packed k = pack(key.data(), key.size());
            std::size_t mask = short_slots_.size() - 1;
            for (std::size_t i = k.slot(short_shift_);; i = (i + 1) & mask) {
                const ShortSlot& slot = short_slots_[i];
                if (slot.id == kEmpty) return -1;
                if (slot.key == k) return slot.id;
            }
        }
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

    // A key of at most 16 bytes and its length, zero-padded.
    struct Packed {
        std::uint64_t lo = 0, hi = 0;
        std::uint64_t size = 0;
        bool operator==(const Packed&) const = default;
        // The slot of this key in a table of 2^(64 - shift) slots: the top bits of products,
        // which depend on every bit of the key (the length is added first so that "a" and
        // "aaa", packed alike, part). One multiply deep, so a lookup waits little for it.
        std::size_t slot(unsigned shift) const {
            const std::uint64_t h =
                (lo + size) * 0x9E3779B97F4A7C15ull ^ hi * 0xC2B2AE3D27D4EB4Full;
            return static_cast<std::size_t>(h >> shift);
        }
    };
    struct ShortSlot {
        Packed key;
        std::uint32_t id = kEmpty;
    };

    // Canonical for a given length: fixed-size loads that together cover every byte (they may
    // overlap), so equal packs mean equal strings and no variable-length copy is needed.
    static Packed pack(const char* p, std::size_t n) {
        auto load8 = [](const char* q) {
            std::uint64_t v;
            std::memcpy(&v, q, 8);
            return v;
        };
        auto load4 = [](const char* q) {
            std::uint32_t v;
            std::memcpy(&v, q, 4);
            return static_cast<std::uint64_t>(v);
        };
        Packed k;
        k.size = n;
        if (n >= 8) {
            k.lo = load8(p);
            k.hi = load8(p + n - 8);
        } else if (n >= 4) {
            k.lo = load4(p) | (load4(p + n - 4) << 32);
        } else if (n > 0) {
            k.lo = static_cast<unsigned char>(p[0]) |
                   (static_cast<std::uint64_t>(static_cast<unsigned char>(p[n / 2])) << 8) |
                   (static_cast<std::uint64_t>(static_cast<unsigned char>(p[n - 1])) << 16);
        }
        return k;
    }

    // A new short key, for the empty slot i. Out of line: it runs once per distinct key.
    [[gnu::noinline]] std::uint32_t add_short(std::size_t i, const char* p, std::size_t n) {
        const auto id = static_cast<std::uint32_t>(names_.size());
        short_slots_[i].key = pack(p, n);
        short_slots_[i].id = id;
        names_.emplace_back(p, n);
        hashes_.push_back(0);  // short keys live only in short_slots_
        if (++short_count_ * 2 > short_slots_.size()) grow_short();
        return id;
    }

    // Keys of more than 16 bytes: XXH3, and the strings compared on a hash match.
    [[gnu::noinline]] std::uint32_t intern_long(const char* p, std::size_t n) {
        const std::string_view key(p, n);
        std::uint64_t h = XXH3_64bits(p, n);
        std::size_t mask = slots_.size() - 1;
        for (std::size_t i = h & mask;; i = (i + 1) & mask) {
            std::uint32_t id = slots_[i];
            if (id == kEmpty) {
                id = static_cast<std::uint32_t>(names_.size());
                names_.emplace_back(key);
                hashes_.push_back(h);
                slots_[i] = id;
                if (++long_count_ * 2 > slots_.size()) grow();
                return id;
            }
            if (hashes_[id] == h && names_[id] == key) return id;
        }
    }

    void grow_short() {
        std::vector<ShortSlot> bigger(short_slots_.size() * 2);
        std::size_t mask = bigger.size() - 1;
        for (const ShortSlot& slot : short_slots_) {
            if (slot.id == kEmpty) continue;
            std::size_t i = slot.key.slot(short_shift_ - 1);
            while (bigger[i].id != kEmpty) i = (i + 1) & mask;
            bigger[i] = slot;
        }
        short_slots_.swap(bigger);
        --short_shift_;
    }

    void grow() {
        std::vector<std::uint32_t> bigger(slots_.size() * 2, kEmpty);
        std::size_t mask = bigger.size() - 1;
        for (std::uint32_t id = 0; id < names_.size(); ++id) {
            if (names_[id].size() <= 16) continue;  // in short_slots_
            std::size_t i = hashes_[id] & mask;
            while (bigger[i] != kEmpty) i = (i + 1) & mask;
            bigger[i] = id;
        }
        slots_.swap(bigger);
    }

    std::vector<std::uint32_t> slots_;
    std::vector<ShortSlot> short_slots_ = std::vector<ShortSlot>(16);
    unsigned short_shift_ = 64 - 4;  // short_slots_ has 2^(64 - short_shift_) slots
    std::size_t short_count_ = 0;
    std::size_t long_count_ = 0;
    std::deque<std::string> names_;
    std::vector<std::uint64_t> hashes_;
};

}  // namespace mlstrat::detail
