#pragma once
// The process-wide guard of --memory-limit. Checked on the supervisor's watch tick: once the
// metered heap reaches 90% of the limit it frees idle chats, least recently active first, enough
// to come back to 80%; chats that are busy refuse and stay. If the heap is still at or over the
// limit once those evictions had time to land, it names the bot holding the most bytes, for the
// supervisor to restart.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "platform/fleet_status.hpp"

namespace hangar::actors {

class MemoryGuard {
 public:
  using Clock = std::chrono::steady_clock;
  // How long evictions get to land before the guard escalates, and the pause after a restart.
  static constexpr std::chrono::milliseconds settle_time{300};
  static constexpr std::chrono::milliseconds restart_pause{1000};

  struct Eviction {
    std::vector<std::int64_t> chat_keys;
    std::uint64_t bytes = 0;  // what those chats held when chosen
  };
  struct Plan {
    std::map<std::int64_t, Eviction> evict;  // by bot id
    std::optional<std::int64_t> restart_bot;
  };

  explicit MemoryGuard(std::uint64_t limit) : limit_(limit) {}

  std::uint64_t limit() const { return limit_; }
  // What to do now, given the metered heap and the fleet's live figures; nothing while under
  // 90% of the limit or while earlier actions settle. `running` says which bots may be
  // restarted.
  template <class IsRunning>
  std::optional<Plan> check(std::uint64_t metered, Clock::time_point now, const FleetStatus& fleet,
                            IsRunning running) {
    if (metered < limit_ / 10 * 9 || now < quiet_until_) return std::nullopt;
    Plan plan;
    const bool evicted_lately = last_eviction_ && now - *last_eviction_ < 4 * settle_time;
    if (!evicted_lately || metered < limit_) {
      plan.evict = choose_idle_chats(metered - std::min(metered, limit_ / 10 * 8), fleet);
      if (!plan.evict.empty()) {
        last_eviction_ = now;
        quiet_until_ = now + settle_time;
        return plan;
      }
    }
    if (metered < limit_) return std::nullopt;
    plan.restart_bot = biggest_bot(fleet, running);
    if (!plan.restart_bot) return std::nullopt;
    quiet_until_ = now + restart_pause;
    return plan;
  }

 private:
  static std::map<std::int64_t, Eviction> choose_idle_chats(std::uint64_t to_free,
                                                            const FleetStatus& fleet);
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
  std::optional<Clock::time_point> last_eviction_;
};

}  // namespace hangar::actors
