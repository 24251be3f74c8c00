#pragma once
// Erlang-style restart intensity for one bot: up to N restarts in a period are made at once;
// one more and the bot backs off, for a delay that starts at a twelfth of the period (5 s with
// the default 5/60s), doubles with each backoff in a row and is capped at 5 minutes. After
// `quarantine_after` backoffs in a row the next trip quarantines the bot. After a backoff the
// count starts afresh (up to N restarts again before the next backoff), and a restart that comes
// a full period after the previous one ends the streak of backoffs.
#include <chrono>
#include <deque>
#include <optional>

#include "platform/core/settings.hpp"

namespace hangar::actors {

class RestartPolicy {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::milliseconds max_backoff{5 * 60 * 1000};

  enum class Action { restart, backoff, quarantine };
  struct Decision {
    Action action = Action::restart;
    std::chrono::milliseconds delay{0};
  };

  RestartPolicy(RestartIntensity intensity, unsigned quarantine_after)
      : intensity_(intensity), quarantine_after_(quarantine_after) {}

  Decision on_restart(Clock::time_point now);
  unsigned backoffs_in_a_row() const { return backoffs_in_a_row_; }

 private:
  RestartIntensity intensity_;
  unsigned quarantine_after_;
  std::deque<Clock::time_point> recent_;
  std::optional<Clock::time_point> last_restart_;
  unsigned backoffs_in_a_row_ = 0;
};

}  // namespace hangar::actors
