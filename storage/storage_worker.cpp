#include "storage/storage_worker.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <optional>
#include <vector>

#include "platform/core/log.hpp"

namespace hangar::storage {
namespace {

struct Outcome {
  StorageWorker::Completion completion;
  std::optional<std::string> error;
};

// Runs a BEGIN or COMMIT, retrying while another process holds the write lock. Each attempt
// already waited busy_timeout inside SQLite.
void with_busy_retries(Database& db, const char* sql) {
  for (int attempt = 1;; ++attempt) {
    try {
      db.prepare(sql).run();
      return;
    } catch (const BusyError& e) {
      if (attempt >= StorageWorker::busy_retries) throw;
      spdlog::warn("storage: {} busy ({}), retrying", sql, e.what());
    }
  }
}

template <typename Callback, typename... Args>
void call_safely(const Callback& callback, Args&&... args) {
  if (!callback) return;
  try {
    callback(std::forward<Args>(args)...);
  } catch (const std::exception& e) {
    spdlog::error("storage: a job's completion threw: {}", e.what());
  } catch (...) {
    spdlog::error("storage: a job's completion threw");
  }
}

}  // namespace

StorageWorker::StorageWorker(const std::string& path, std::size_t max_batch,
                             std::chrono::milliseconds busy_timeout)
    : db_(path, false), max_batch_(max_batch == 0 ? 1 : max_batch) {
  sqlite3_busy_timeout(db_.handle(), static_cast<int>(busy_timeout.count()));
  thread_ = std::thread([this] { run(); });
}

StorageWorker::~StorageWorker() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void StorageWorker::post(Job job, Failure failed) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back({std::move(job), std::move(failed)});
    ++posted_;
  }
  wake_.notify_one();
}

void StorageWorker::flush() {
  if (std::this_thread::get_id() == thread_.get_id())
    throw StorageError("StorageWorker::flush() called from the storage worker thread");
  std::unique_lock<std::mutex> lock(mutex_);
  const std::uint64_t target = posted_;
  drained_.wait(lock, [&] { return finished_ >= target; });
}

std::size_t StorageWorker::queued() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return queue_.size() + in_flight_;
}

void StorageWorker::run() {
  std::deque<Entry> batch;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything ran
      const std::size_t take = std::min(queue_.size(), max_batch_);
      for (std::size_t i = 0; i < take; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      in_flight_ = take;
    }
    run_batch(batch);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      finished_ += batch.size();
      in_flight_ = 0;
    }
    batch.clear();
    drained_.notify_all();
  }
}

void StorageWorker::run_batch(std::deque<Entry>& batch) {
  std::vector<Outcome> outcomes(batch.size());
  // Gives `error` to the jobs in [from, to) that had not failed yet.
  const auto fail = [&](std::size_t from, std::size_t to, const std::string& error) {
    for (std::size_t i = from; i < to; ++i)
      if (!outcomes[i].error) outcomes[i] = {{}, error};
  };
  bool open = false;
  std::size_t begun_at = 0;  // the first job of the open transaction
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (!open) {
      try {
        with_busy_retries(db_, "BEGIN IMMEDIATE");
      } catch (const std::exception& e) {
        fail(i, batch.size(), std::string("cannot begin a transaction: ") + e.what());
        break;
      }
      open = true;
      begun_at = i;
    }
    try {
      db_.prepare("SAVEPOINT hangar_job").run();
      outcomes[i].completion = batch[i].job(db_);
      db_.prepare("RELEASE hangar_job").run();
      continue;
    } catch (const std::exception& e) {
      outcomes[i] = {{}, std::string(e.what())};
    } catch (...) {
      outcomes[i] = {{}, std::string("unknown error")};
    }
    if (!try_exec("ROLLBACK TO hangar_job; RELEASE hangar_job")) {
      // SQLite rolled the whole transaction back (I/O error, disk full): the jobs before this
      // one went with it, and the rest start a new transaction.
      fail(begun_at, i, "transaction rolled back: " + *outcomes[i].error);
      try_exec("ROLLBACK");
      open = false;
    }
  }
  if (open) {
    try {
      with_busy_retries(db_, "COMMIT");
    } catch (const std::exception& e) {
      try_exec("ROLLBACK");
      fail(begun_at, batch.size(), std::string("commit failed: ") + e.what());
    }
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (outcomes[i].error) {
      spdlog::error("storage: job failed: {}", *outcomes[i].error);
      call_safely(batch[i].failed, *outcomes[i].error);
    } else {
      call_safely(outcomes[i].completion);
    }
  }
}

bool StorageWorker::try_exec(const char* sql) noexcept {
  if (sqlite3_get_autocommit(db_.handle())) return false;  // no transaction left to act on
  return sqlite3_exec(db_.handle(), sql, nullptr, nullptr, nullptr) == SQLITE_OK;
}

}  // namespace hangar::storage
