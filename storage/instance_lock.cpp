#include "storage/instance_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "storage/database.hpp"

namespace hangar::storage {
namespace {

// The holder writes its pid right after locking, so an empty read means it is just starting.
std::string read_holder(int fd) {
  char buffer[32] = {};
  const ssize_t got = ::pread(fd, buffer, sizeof buffer - 1, 0);
  std::string pid(buffer, got > 0 ? static_cast<std::size_t>(got) : 0);
  pid.erase(pid.find_last_not_of("\n ") + 1);
  return pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos
             ? std::string("another process")
             : "pid " + pid;
}

}  // namespace

InstanceLock::InstanceLock(const std::string& db_path) {
  const std::string path = db_path + ".lock";
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) throw StorageError("cannot open " + path + ": " + std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    const std::string message =
        error == EWOULDBLOCK ? "database " + db_path + " is already served by " + read_holder(fd_)
                             : "cannot lock " + path + ": " + std::strerror(error);
    ::close(fd_);
    throw StorageError(message);
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd_, 0) != 0 ||
      ::pwrite(fd_, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    const std::string message = "cannot write " + path + ": " + std::strerror(errno);
    ::close(fd_);
    throw StorageError(message);
  }
}

// Closing drops the flock. The file stays: unlinking it would race with a starting process
// that has it open but not yet locked.
InstanceLock::~InstanceLock() {
  ::close(fd_);
}

}  // namespace hangar::storage
