#include "common/worker_pool.hpp"

namespace mlstrat::detail {

WorkerPool::WorkerPool(unsigned workers) {
    if (workers == 0) workers = 1;
    errors_.resize(workers);
    for (unsigned i = 1; i < workers; ++i) threads_.emplace_back([this, i] { loop(i); });
}

WorkerPool::~WorkerPool() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    for (auto& t : threads_) t.join();
}

void WorkerPool::run(unsigned n, const std::function<void(unsigned)>& fn) {
    if (n == 0) return;
    if (n > size()) n = size();
    std::fill(errors_.begin(), errors_.end(), nullptr);
    if (n > 1) {
        std::lock_guard lock(mutex_);
        job_ = &fn;
        job_size_ = n;
        pending_ = n - 1;
        ++generation_;
    }
    if (n > 1) wake_.notify_all();
    try {
        fn(0);
    } catch (...) {
        errors_[0] = std::current_exception();
    }
    if (n > 1) {
        std::unique_lock lock(mutex_);
        done_.wait(lock, [this] { return pending_ == 0; });
        job_ = nullptr;
    }
    for (unsigned i = 0; i < n; ++i) {
        if (errors_[i]) std::rethrow_exception(errors_[i]);
    }
}

void WorkerPool::loop(unsigned index) {
    unsigned long seen = 0;
    for (;;) {
        const std::function<void(unsigned)>* job = nullptr;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
            if (stop_) return;
            seen = generation_;
            if (index < job_size_) job = job_;
        }
        if (job == nullptr) continue;
        try {
            (*job)(index);
        } catch (...) {
            errors_[index] = std::current_exception();
        }
        {
            std::lock_guard lock(mutex_);
            if (--pending_ == 0) done_.notify_one();
        }
    }
}

}  // namespace mlstrat::detail
