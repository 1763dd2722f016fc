#pragma once
// Where this executable lives, so one command can run its sibling (mlstrat-train) or itself.

#include <unistd.h>

#include <string>

namespace mlstrat::cli {

/// The absolute path of the running executable; empty when /proc/self/exe cannot be read.
inline std::string self_executable() {
    std::string self(4096, '\0');
    ssize_t n = readlink("/proc/self/exe", self.data(), self.size() - 1);
    if (n <= 0) return {};
    self.resize(static_cast<std::size_t>(n));
    return self;
}

/// The path of `name` in the folder of the running executable (just `name` when unknown).
inline std::string sibling_executable(const std::string& name) {
    std::string self = self_executable();
    if (self.empty()) return name;
    return self.substr(0, self.rfind('/') + 1) + name;
}

}  // namespace mlstrat::cli
