#pragma once
// n values of T in their own anonymous mapping: pages cost memory only once written, and freeing
// gives them back to the system at once (the heap may keep large freed blocks). A block may be
// much larger than what is written: reserving room for the most rows a file can have costs
// address space, not memory.

#include <sys/mman.h>

#include <cstdint>
#include <new>
#include <utility>
#include <vector>

namespace mlstrat::detail {

template <typename T>
class PageBlock {
 public:
    PageBlock() = default;
    /// `sequential`: filled front to back, so 2 MiB pages save page faults (each costs tens of
    /// microseconds under virtualisation) without costing memory.
    explicit PageBlock(std::size_t n, bool sequential = false) : n_(n) {
        if (n == 0) return;
        constexpr std::size_t kHuge = std::size_t{2} << 20;
        mapped_ = n * sizeof(T) + (sequential ? kHuge : 0);
        void* p = ::mmap(nullptr, mapped_, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED) throw std::bad_alloc();
        base_ = p;
        auto at = reinterpret_cast<std::uintptr_t>(p);
        if (sequential) {
            at = (at + kHuge - 1) / kHuge * kHuge;  // huge pages need aligned extents
            ::madvise(reinterpret_cast<void*>(at), n * sizeof(T), MADV_HUGEPAGE);
        }
        data_ = reinterpret_cast<T*>(at);
    }
    ~PageBlock() { release(); }
    PageBlock(PageBlock&& o) noexcept
        : data_(std::exchange(o.data_, nullptr)), base_(std::exchange(o.base_, nullptr)), n_(o.n_),
          mapped_(o.mapped_) {}
    PageBlock& operator=(PageBlock&& o) noexcept {
        if (this != &o) {
            release();
            data_ = std::exchange(o.data_, nullptr);
            base_ = std::exchange(o.base_, nullptr);
            n_ = o.n_;
            mapped_ = o.mapped_;
        }
        return *this;
    }
    T& operator[](std::size_t i) { return data_[i]; }
    const T& operator[](std::size_t i) const { return data_[i]; }
    T* begin() { return data_; }
    T* data() { return data_; }
    const T* data() const { return data_; }
    /// The number of values the block has room for.
    std::size_t size() const { return n_; }
    void release() {
        if (base_ != nullptr) ::munmap(base_, mapped_);
        base_ = nullptr;
        data_ = nullptr;
    }

 private:
    T* data_ = nullptr;
    void* base_ = nullptr;
    std::size_t n_ = 0;
    std::size_t mapped_ = 0;
};

/// Reserves room for `n` values in `v` and asks for 2 MiB pages over it before anything is
/// written there: a first write to a 4 KiB page costs a page fault (tens of microseconds under
/// virtualisation, about 4 ms per MiB), one to a 2 MiB page one fault for all of it. Only whole
/// aligned 2 MiB extents can be such pages, so a block of at least 1 MiB gets 2 MiB more room
/// (address space only) and only its first, unaligned stretch is left in small pages.
template <typename T>
void reserve_in_huge_pages(std::vector<T>& v, std::size_t n) {
    constexpr std::size_t kHuge = std::size_t{2} << 20;
    if (n * sizeof(T) < kHuge / 2 || v.capacity() >= n) {
        v.reserve(n);
        return;
    }
    v.reserve(n + kHuge / sizeof(T));
    const auto from = (reinterpret_cast<std::uintptr_t>(v.data()) + kHuge - 1) / kHuge * kHuge;
    const auto to = (reinterpret_cast<std::uintptr_t>(v.data() + v.capacity())) / kHuge * kHuge;
    if (to > from) ::madvise(reinterpret_cast<void*>(from), to - from, MADV_HUGEPAGE);
}

}  // namespace mlstrat::detail
