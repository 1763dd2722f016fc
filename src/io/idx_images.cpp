#include "io/idx_images.hpp"

#include "mlstrat/support/error.hpp"

namespace mlstrat::io {

void check_idx_images(const IdxArray& a, const std::string& path, const std::string& at) {
    MLSTRAT_CHECK(a.dims.size() == 3 || (a.dims.size() == 4 && (a.dims[3] == 1 || a.dims[3] == 3)),
                  at, ": ", path, " is not an IDX images file ([N, H, W] or [N, H, W, C] with ",
                  "C 1 or 3)");
}

std::uint64_t idx_image_number(const IdxArray& a, const std::string& path, const std::string& index,
                               const std::string& at) {
    const bool digits = !index.empty() && index.size() < 10 &&
                        index.find_first_not_of("0123456789") == std::string::npos;
    MLSTRAT_CHECK(digits, at, ": bad image reference '", path, "#", index,
                  "': after '#' comes the 0-based image number");
    const std::uint64_t n = std::stoull(index);
    MLSTRAT_CHECK(n < a.dims[0], at, ": image #", n, " of ", path, " does not exist (", a.dims[0],
                  " images, numbered from 0)");
    return n;
}

}  // namespace mlstrat::io
