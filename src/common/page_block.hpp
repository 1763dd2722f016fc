#pragma once
// n values of T in their own anonymous mapping: pages cost memory only once written, and freeing
// gives them back to the system at once (the heap may keep large freed blocks). A block may be
// much larger than what is written: reserving room for the most rows a file can have costs
// address space, not memory.

#include <sys/mman.h>

#include <cstdint>
#include <new>
#include <utility>

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
        : data_(std::exchange(o.data_, nullptr)),
          base_(std::exchange(o.base_, nullptr)),
          n_(o.n_),
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

}  // namespace mlstrat::detail
