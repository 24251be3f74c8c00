#pragma once
// The process's one writer to SQLite: a thread of its own with its own connection, so no actor
// blocks a scheduler thread on the disk. Jobs queue FIFO and run in group commits: the worker
// takes what is queued (up to max_batch jobs), runs each in a savepoint inside one transaction,
// commits, and only then calls each job's completion. Reads go through the same queue, so they
// see every write posted before them.
//
// Bounds: a batch holds at most max_batch jobs (bounds::storage_jobs_per_transaction by default).
// The queue itself is bounded by its callers, who each keep a fixed number of jobs in flight (one
// inbox append per bot, one handled update per chat); queued() is there to watch it. A BusyError
// (another process holding the write lock past busy_timeout) makes the worker retry the batch's
// BEGIN or COMMIT up to busy_retries times before failing the batch.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "platform/core/bounds.hpp"
#include "storage/database.hpp"
#include "storage/job_queue.hpp"

namespace hangar::storage {

class StorageWorker final : public JobQueue {
 public:
  // A throwing job is rolled back to its savepoint; the rest of its batch still commits.

  // Opens its own connection to `path` (which must already exist and be migrated).
  // `busy_timeout`: how long SQLite waits for another connection's write lock.
  explicit StorageWorker(
      const std::string& path, std::size_t max_batch = bounds::storage_jobs_per_transaction,
      std::chrono::milliseconds busy_timeout = std::chrono::milliseconds(busy_timeout_ms));
  static constexpr int busy_retries = 5;
  ~StorageWorker();  // runs what is queued, then stops
  StorageWorker(const StorageWorker&) = delete;
  StorageWorker& operator=(const StorageWorker&) = delete;

  void post(Job job, Failure failed = {}) override;
  // Blocks until everything posted before it has committed and its completions ran. Not
  // from the worker thread (a completion), which would wait for itself: throws StorageError.
  void flush();

  std::size_t queued() const;  // posted and not yet finished

 private:
  struct Entry {
    Job job;
    Failure failed;
  };
  void run();
  void run_batch(std::deque<Entry>& batch);
  bool try_exec(const char* sql) noexcept;  // false when it failed or no transaction is open

  Database db_;
  std::size_t max_batch_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable drained_;
  std::deque<Entry> queue_;
  std::size_t in_flight_ = 0;
  std::uint64_t posted_ = 0;    // jobs ever posted; flush() waits for finished_ to reach it
  std::uint64_t finished_ = 0;  // jobs whose completion or failure ran
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace hangar::storage
