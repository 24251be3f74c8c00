#pragma once
// The admin token as /api/ checks it: against its SHA-256 hash held in memory, on the thread
// that took the request, so a request with a wrong token costs no storage work. The hash is read
// from SQLite again when it is older than `max_age` (so `hangar admin-token reset` takes effect
// on a running serve), at most once per max_age however many requests arrive; requests that come
// while it is read wait for it and are decided on the fresh hash.
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "storage/job_queue.hpp"

namespace hangar::rest {

class AdminCredential {
 public:
  // `unknown`: the hash could not be read (storage failing) and none was read before.
  enum class Verdict { admin, not_admin, unknown };
  using Decided = std::function<void(Verdict)>;

  AdminCredential(storage::JobQueue& storage, std::chrono::milliseconds max_age)
      : storage_(storage), max_age_(max_age) {}

  // Calls `decided` once, on this thread or on the storage worker's. The caller keeps this
  // object alive until its jobs ran (the storage worker is flushed before it goes).
  void check(std::string candidate, Decided decided);

 private:
  using Clock = std::chrono::steady_clock;
  // `hash` nullopt: the read failed, and the hash read before (if any) still holds.
  void on_read(std::optional<std::optional<std::string>> hash);
  Verdict verdict(const std::string& candidate) const;  // with mutex_ held

  storage::JobQueue& storage_;
  const std::chrono::milliseconds max_age_;
  std::mutex mutex_;
  std::optional<std::string> hash_;  // nullopt: none stored (no token is right)
  std::optional<Clock::time_point> read_at_;
  bool reading_ = false;
  std::vector<std::pair<std::string, Decided>> waiting_;  // one per request in flight
};

}  // namespace hangar::rest
