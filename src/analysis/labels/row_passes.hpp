#pragma once
// The passes of confident learning over the rows of a probability matrix, a piece at a time.

#include <algorithm>
#include <cstddef>
#include <functional>
#include <thread>
#include <utility>
#include <vector>

#include "analysis/labels/confident_learning.hpp"
#include "common/worker_pool.hpp"
#include "mlstrat/analysis.hpp"

namespace mlstrat::analysis::detail {

using mlstrat::detail::WorkerPool;

// Rows are read in pieces of about this many bytes, which stay in a core's cache while used.
constexpr std::size_t kPieceBytes = 256 << 10;

// Calls fn(first, rows, count) for consecutive pieces [first, first + count) of rows
// [begin, end), the rows read into `buffer` when they are not in memory.
template <typename Fn>
void for_each_piece(const ProbMatrix& m, std::size_t begin, std::size_t end,
                    std::vector<double>& buffer, Fn&& fn) {
    const std::size_t step = std::max<std::size_t>(1, kPieceBytes / (m.classes * sizeof(double)));
    for (std::size_t first = begin; first < end; first += step) {
        const std::size_t count = std::min(step, end - first);
        fn(first, m.read_rows(first, count, buffer), count);
    }
}

// The passes over the rows: one contiguous range per worker, each read a piece at a time. What
// the parts count is merged in part order, so no result depends on the number of workers.
class RowPasses {
 public:
    RowPasses(const ProbMatrix& probs, unsigned threads)
        : probs_(probs),
          parts_(static_cast<unsigned>(std::clamp<std::size_t>(
              probs.rows / kRowsPerPart, 1,
              threads != 0 ? threads : std::max(1u, std::thread::hardware_concurrency())))),
          pool_(parts_), buffers_(parts_) {}

    unsigned parts() const { return parts_; }
    std::pair<std::size_t, std::size_t> range(unsigned part) const {
        return {probs_.rows * part / parts_, probs_.rows * (part + 1) / parts_};
    }
    /// Runs fn(part) for every part, each on its own worker.
    void run(const std::function<void(unsigned)>& fn) { pool_.run(parts_, fn); }
    /// Calls fn(first, rows, count) over the part's rows, piece by piece.
    template <typename Fn>
    void pieces(unsigned part, Fn&& fn) {
        const auto [begin, end] = range(part);
        for_each_piece(probs_, begin, end, buffers_[part], fn);
    }

 private:
    static constexpr std::size_t kRowsPerPart = 1 << 15;
    const ProbMatrix& probs_;
    unsigned parts_;
    WorkerPool pool_;
    std::vector<std::vector<double>> buffers_;
};

}  // namespace mlstrat::analysis::detail
