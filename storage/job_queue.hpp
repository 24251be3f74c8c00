#pragma once
// Where work on the database is posted: a job runs inside a transaction on the thread that owns
// the connection, and its completion (or its failure) is called once that transaction has
// committed (or not). StorageWorker is the process's one; actor tests run jobs on their own
// thread, step by step, against a real SQLite file.
#include <functional>
#include <string>

namespace hangar::storage {

class Database;

class JobQueue {
 public:
  // Runs after the job's transaction committed, on the thread that ran the job: keep it to a
  // send.
  using Completion = std::function<void()>;
  // Runs inside the transaction; returns the completion (or an empty one).
  using Job = std::function<Completion(Database&)>;
  // Called instead of the completion when the job threw or the commit failed.
  using Failure = std::function<void(const std::string& error)>;

  virtual ~JobQueue() = default;
  virtual void post(Job job, Failure failed = {}) = 0;
};

}  // namespace hangar::storage
