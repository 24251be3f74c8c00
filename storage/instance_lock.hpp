#pragma once
// Makes sure one `serve` at a time runs on a database: an flock on `<db>.lock` holding the
// owner's pid. The kernel drops the lock when the process dies, SIGKILL included.
#include <string>

namespace hangar::storage {

class InstanceLock {
 public:
  // Throws StorageError "database X is already served by pid N" when another process holds it.
  explicit InstanceLock(const std::string& db_path);
  ~InstanceLock();
  InstanceLock(const InstanceLock&) = delete;
  InstanceLock& operator=(const InstanceLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace hangar::storage
