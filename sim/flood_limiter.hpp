#pragma once
// One bot's sliding windows for Telegram's flood limits: its accepted sendMessage and
// editMessageText requests, in all and per chat. A request is refused when accepting it would
// put more than a limit's count into that limit's trailing window; a refused request is not
// remembered, so it does not push the window further out. Not thread-safe: the bot's state
// holds it under its own mutex.
#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <unordered_map>

#include "sim/flood_limits.hpp"

namespace hangar::sim {

class FloodLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // Accepts a request to `chat_id` arriving at `now` (nullopt), or refuses it and says how long
  // until the windows that are full would let it through.
  std::optional<Clock::duration> admit(std::int64_t chat_id, const FloodLimits& limits,
                                       Clock::time_point now);

  // Chats with a window kept. Chats whose window emptied are forgotten as the table grows, so it
  // holds about the chats written to within the longest window, at most twice over.
  std::size_t chats_tracked() const { return chats_.size(); }

 private:
  using Window = std::deque<Clock::time_point>;  // accepted requests, oldest first

  void forget_idle_chats(const FloodLimits& limits, Clock::time_point now);

  Window bot_;
  std::unordered_map<std::int64_t, Window> chats_;
  std::size_t sweep_at_ = 0;  // the table's size that triggers the next forget_idle_chats
};

// The chat's own limit: a group's or channel's for a negative id, a private chat's otherwise.
const FloodLimit& chat_limit(std::int64_t chat_id, const FloodLimits& limits);

// Telegram's retry_after for a wait: whole seconds, rounded up, at least 1.
int retry_after_seconds(FloodLimiter::Clock::duration wait);

}  // namespace hangar::sim
