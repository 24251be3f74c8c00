#include "tests/unit/actors/stepped_jobs.hpp"

#include <exception>
#include <optional>
#include <string>

namespace hangar::test {

std::size_t SteppedJobs::run() {
  std::size_t ran = 0;
  while (!queue_.empty()) {
    auto entry = std::move(queue_.front());
    queue_.pop_front();
    Completion completion;
    std::optional<std::string> error;
    if (failures_ > 0) {
      --failures_;
      error = error_;
    } else {
      try {
        storage::Transaction transaction(db_);
        completion = entry.job(db_);
        transaction.commit();
      } catch (const std::exception& e) {
        error = e.what();
      }
    }
    if (error) {
      if (entry.failed) entry.failed(*error);
    } else if (completion) {
      completion();
    }
    ++ran;
  }
  return ran;
}

}  // namespace hangar::test
