#include "actors/fleet/restart_policy.hpp"

#include <algorithm>

namespace hangar::actors {

RestartPolicy::Decision RestartPolicy::on_restart(Clock::time_point now) {
  while (!recent_.empty() && now - recent_.front() > intensity_.period) recent_.pop_front();
  if (last_restart_ && now - *last_restart_ > intensity_.period) backoffs_in_a_row_ = 0;
  last_restart_ = now;
  recent_.push_back(now);
  if (recent_.size() <= intensity_.restarts) return {Action::restart, {}};
  recent_.clear();
  if (++backoffs_in_a_row_ > quarantine_after_) return {Action::quarantine, {}};
  auto delay = intensity_.period / 12;
  for (unsigned i = 1; i < backoffs_in_a_row_ && delay < max_backoff; ++i) delay *= 2;
  return {Action::backoff, std::min(delay, max_backoff)};
}

}  // namespace hangar::actors
