#pragma once
// The process-wide guard of --memory-limit. Checked on the supervisor's watch tick: once the
// metered heap reaches 90% of the limit it frees idle chats, least recently active first, enough
// to come back to 80%; busy chats (an update in hand or waiting) are left alone. When the heap is
// at or over the limit and even the idle chats chosen cannot bring it under, it also names the
// bot holding the most bytes, for the supervisor to restart.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "platform/status/fleet_status.hpp"

namespace hangar::actors {

class MemoryGuard {
 public:
  using Clock = std::chrono::steady_clock;
  // How long evictions get to land before the guard acts again, and the pause after a restart.
  static constexpr std::chrono::milliseconds settle_time{300};
  static constexpr std::chrono::milliseconds restart_pause{1000};

  struct Eviction {
    std::vector<std::int64_t> chat_keys;
    std::uint64_t bytes = 0;  // what those chats held when chosen
  };
  struct Plan {
    std::map<std::int64_t, Eviction> evict;  // by bot id
    std::optional<std::int64_t> restart_bot;
    Clock::time_point over_limit_since;  // when the heap was first seen at the limit
  };

  explicit MemoryGuard(std::uint64_t limit) : limit_(limit) {}

  std::uint64_t limit() const { return limit_; }
  // What to do now, given the metered heap and the fleet's live figures; nothing while under
  // 90% of the limit or while earlier actions settle. `running` says which bots may be
  // restarted.
  template <class IsRunning>
  std::optional<Plan> check(std::uint64_t metered, Clock::time_point now, const FleetStatus& fleet,
                            IsRunning running) {
    if (metered < limit_)
      over_limit_since_.reset();
    else if (!over_limit_since_)
      over_limit_since_ = now;
    if (metered < limit_ / 10 * 9 || now < quiet_until_) return std::nullopt;
    Plan plan;
    std::uint64_t evictable = 0;
    plan.evict = choose_idle_chats(metered - std::min(metered, limit_ / 10 * 8), fleet, evictable);
    // Restart only when even every idle chat chosen cannot bring the heap under the limit.
    if (metered >= limit_ && metered - evictable >= limit_) {
      plan.restart_bot = biggest_bot(fleet, running);
      plan.over_limit_since = *over_limit_since_;
    }
    if (plan.evict.empty() && !plan.restart_bot) return std::nullopt;
    quiet_until_ = now + (plan.restart_bot ? restart_pause : settle_time);
    return plan;
  }

 private:
  // Idle chats, least recently active first, until they hold `to_free`; adds what they hold to
  // `chosen_bytes`.
  static std::map<std::int64_t, Eviction> choose_idle_chats(std::uint64_t to_free,
                                                            const FleetStatus& fleet,
                                                            std::uint64_t& chosen_bytes);
  template <class IsRunning>
  static std::optional<std::int64_t> biggest_bot(const FleetStatus& fleet, IsRunning running) {
    std::optional<std::int64_t> biggest;
    std::uint64_t most = 0;
    for (const auto& bot : fleet.bots()) {
      const auto bytes = bot->live_bytes();
      if (running(bot->id) && bytes > most) {
        most = bytes;
        biggest = bot->id;
      }
    }
    return biggest;
  }

  std::uint64_t limit_;
  Clock::time_point quiet_until_{};
  std::optional<Clock::time_point> over_limit_since_;
};

}  // namespace hangar::actors
