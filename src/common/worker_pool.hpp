#pragma once
// A fixed set of threads that run one indexed job at a time: run(n, fn) calls fn(0..n-1), one
// index per worker, the calling thread taking index 0, and returns when all are done.

#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace mlstrat::detail {

class WorkerPool {
 public:
    explicit WorkerPool(unsigned workers);
    ~WorkerPool();
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    /// Number of workers, the calling thread included.
    unsigned size() const { return static_cast<unsigned>(threads_.size()) + 1; }

    /// Runs fn(i) for i in [0, n) with n <= size(); rethrows the exception of the lowest i that
    /// threw, after every index has finished.
    void run(unsigned n, const std::function<void(unsigned)>& fn);

 private:
    void loop(unsigned index);

    std::vector<std::thread> threads_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable done_;
    const std::function<void(unsigned)>* job_ = nullptr;
    unsigned job_size_ = 0;
    unsigned long generation_ = 0;
    unsigned pending_ = 0;
    bool stop_ = false;
    std::vector<std::exception_ptr> errors_;
};

}  // namespace mlstrat::detail
