#pragma once
// A storage JobQueue that runs its jobs when the test says so, on the test's thread, each in a
// transaction of a real SQLite database: the same jobs the storage worker would run, in the same
// order, with their completions after the commit, but at moments the test chooses.
#include <cstddef>
#include <deque>
#include <string>

#include "storage/database.hpp"
#include "storage/job_queue.hpp"

namespace hangar::test {

class SteppedJobs final : public storage::JobQueue {
 public:
  explicit SteppedJobs(const std::string& db_path) : db_(db_path, false) {}

  void post(Job job, Failure failed = {}) override {
    queue_.push_back({std::move(job), std::move(failed)});
  }
  std::size_t waiting() const { return queue_.size(); }
  // The next `count` jobs to run fail with `error` instead, as a full disk or a lock held too long
  // would make them: their failure callbacks run, and nothing is written.
  void fail_next(std::size_t count, std::string error) {
    failures_ = count;
    error_ = std::move(error);
  }
  // Runs what is queued now (and what those jobs' completions post meanwhile); returns how many.
  std::size_t run();

 private:
  struct Entry {
    Job job;
    Failure failed;
  };
  storage::Database db_;
  std::deque<Entry> queue_;
  std::size_t failures_ = 0;
  std::string error_;
};

}  // namespace hangar::test
