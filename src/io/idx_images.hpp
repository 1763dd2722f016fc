#pragma once
// The checks every reader of an image reference `FILE.idx#N` shares: the array holds images,
// and N names one of them.

#include <cstdint>
#include <string>

#include "mlstrat/support/io.hpp"

namespace mlstrat::io {

/// Throws, naming `at` and `path`, unless `a` is an IDX images array ([N, H, W] or [N, H, W, C]
/// with C 1 or 3).
void check_idx_images(const IdxArray& a, const std::string& path, const std::string& at);

/// The image number `index` (the text after '#') names in `a`; throws, naming `at`, when it is
/// not a 0-based number below the array's image count.
std::uint64_t idx_image_number(const IdxArray& a, const std::string& path, const std::string& index,
                               const std::string& at);

}  // namespace mlstrat::io
