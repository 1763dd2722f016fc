// Atomic output files. On Linux the bytes go to an unnamed O_TMPFILE inode in the target's folder,
// so a killed process leaves nothing behind; commit() links it under a hidden name and renames it
// over the target. Where O_TMPFILE is not supported a hidden named temporary is used instead.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

#include "mlstrat/support/error.hpp"
#include "mlstrat/support/io.hpp"

namespace mlstrat::io {

namespace {

std::string folder_of(const std::string& path) {
    auto slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

std::string hidden_name(const std::string& path) {
    auto slash = path.rfind('/');
    std::string folder = slash == std::string::npos ? "" : path.substr(0, slash + 1);
    std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
    std::random_device rd;
    return folder + "." + base + ".tmp" + std::to_string(getpid()) + "_" + std::to_string(rd());
}

[[noreturn]] void fail(const std::string& path, const char* what) {
    throw Error(ErrorCode::Io, path + ": cannot " + what + " (" + std::strerror(errno) + ")");
}

}  // namespace

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
    fd_ = ::open(folder_of(path_).c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
    if (fd_ < 0) {
        temp_path_ = hidden_name(path_);
        fd_ = ::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd_ < 0) {
            temp_path_.clear();
            fail(path_, "create the file");
        }
    } else {
        // O_TMPFILE ignores the umask's effect on the final mode; apply it as open(2) would.
        mode_t mask = umask(0);
        umask(mask);
        fchmod(fd_, 0644 & ~mask);
    }
    pending_.reserve(1 << 20);
}

AtomicFile::~AtomicFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_ && !temp_path_.empty()) ::unlink(temp_path_.c_str());
}

void AtomicFile::write(std::string_view bytes) {
    if (pending_.size() + bytes.size() > (1 << 20)) flush();
    if (bytes.size() > (1 << 20)) {
        pending_.append(bytes);
        flush();
        return;
    }
    pending_.append(bytes);
}

void AtomicFile::flush() {
    std::size_t done = 0;
    while (done < pending_.size()) {
        ssize_t n = ::write(fd_, pending_.data() + done, pending_.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail(path_, "write");
        }
        done += static_cast<std::size_t>(n);
    }
    // Start writing these pages to disk now, while the caller prepares the next ones, so that
    // commit's fsync waits for the last megabyte rather than the whole file. Any error shows up
    // again at the fsync.
    ::sync_file_range(fd_, static_cast<off_t>(written_), static_cast<off_t>(done),
                      SYNC_FILE_RANGE_WRITE);
    written_ += done;
    pending_.clear();
}

void AtomicFile::commit() {
    if (committed_) return;
    flush();
    if (::fsync(fd_) != 0) fail(path_, "sync");
    if (temp_path_.empty()) {
        std::string link_name = hidden_name(path_);
        std::string proc = "/proc/self/fd/" + std::to_string(fd_);
        if (::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, link_name.c_str(), AT_SYMLINK_FOLLOW) != 0) {
            fail(path_, "link the file into place");
        }
        temp_path_ = link_name;
    }
    if (::rename(temp_path_.c_str(), path_.c_str()) != 0) {
        int err = errno;
        ::unlink(temp_path_.c_str());
        errno = err;
        fail(path_, "rename the file into place");
    }
    committed_ = true;
    ::close(fd_);
    fd_ = -1;
}

void write_file_atomically(const std::string& path, std::string_view contents) {
    AtomicFile file(path);
    file.write(contents);
    file.commit();
}

}  // namespace mlstrat::io
