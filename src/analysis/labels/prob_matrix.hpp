#pragma once
// Predicted probabilities as confident learning reads them: in memory, borrowed from the caller
// (a NumPy array, a block of parsed columns) or left in a `.npy` file and read a piece at a time.
// Internal to the library: the public entries take a table, a `.npy` path or the caller's arrays.

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace mlstrat::analysis {

class NpyFile;

/// Predicted probabilities: row i holds P(class k | example i) for k < classes. They are either in
/// memory (`data()[i * classes + k]`) or, from `open_npy`, left in their file and read a piece at
/// a time by each pass, which on a large file costs less than mapping it: every page first
/// touched through a mapping costs a fault, a copy into a small reused buffer does not.
struct ProbMatrix {
    std::size_t rows = 0;
    std::size_t classes = 0;
    /// The values when owned; empty when `mapped` points elsewhere or they are in `file`.
    std::vector<double> probs;
    /// Keeps the memory `mapped` points into alive.
    std::shared_ptr<const void> mapping;
    const double* mapped = nullptr;
    /// The file the values are read from, for a matrix from open_npy.
    std::shared_ptr<const NpyFile> file;

    /// The row-major values, for a matrix in memory (not one from open_npy).
    const double* data() const;
    /// Rows [first, first + count), row-major: where they lie when in memory, else read into
    /// `buffer`.
    const double* read_rows(std::size_t first, std::size_t count,
                            std::vector<double>& buffer) const;
};

/// Opens an N x K float32 or float64 array in a `.npy` file (C order, little-endian) and checks
/// its header and size; the values stay in the file (ProbMatrix::read_rows reads them). Throws
/// Error naming the file for anything else.
ProbMatrix open_npy(const std::string& path);

/// The same array read into memory.
ProbMatrix read_npy(const std::string& path);

}  // namespace mlstrat::analysis
