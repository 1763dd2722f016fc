#pragma once
// Wall-clock time of the training loop (private to src/train/): epochs, progress, latency.

#include <chrono>

namespace mlstrat::train {

using Clock = std::chrono::steady_clock;

/// Seconds from `start` to now.
inline double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace mlstrat::train
