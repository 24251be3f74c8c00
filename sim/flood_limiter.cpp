#include "sim/flood_limiter.hpp"

#include <algorithm>

namespace hangar::sim {

namespace {

using Clock = FloodLimiter::Clock;

// A table this small is never swept: sweeping it would cost more than it holds.
constexpr std::size_t kMinSweepSize = 64;

// Drops what left the trailing window; returns how long until the window has room, or nullopt
// when it has room now.
std::optional<Clock::duration> wait_for_room(std::deque<Clock::time_point>& window,
                                             const FloodLimit& limit, Clock::time_point now) {
  const auto cutoff = now - limit.window;
  while (!window.empty() && window.front() <= cutoff) window.pop_front();
  if (window.size() < limit.count) return std::nullopt;
  // The oldest of the newest `count` must leave before one more fits (a limit lowered at run
  // time leaves more than `count` behind).
  return window[window.size() - limit.count] + limit.window - now;
}

}  // namespace

const FloodLimit& chat_limit(std::int64_t chat_id, const FloodLimits& limits) {
  return chat_id < 0 ? limits.per_group : limits.per_private_chat;
}

int retry_after_seconds(Clock::duration wait) {
  using std::chrono::seconds;
  const auto whole = std::chrono::ceil<seconds>(wait).count();
  return static_cast<int>(std::clamp<std::int64_t>(whole, 1, 24 * 3600));
}

std::optional<Clock::duration> FloodLimiter::admit(std::int64_t chat_id, const FloodLimits& limits,
                                                   Clock::time_point now) {
  if (chats_.size() >= sweep_at_) forget_idle_chats(limits, now);
  Window& chat = chats_[chat_id];
  const auto bot_wait = wait_for_room(bot_, limits.per_bot, now);
  const auto chat_wait = wait_for_room(chat, chat_limit(chat_id, limits), now);
  if (bot_wait || chat_wait)
    return std::max(bot_wait.value_or(Clock::duration::zero()),
                    chat_wait.value_or(Clock::duration::zero()));
  bot_.push_back(now);
  chat.push_back(now);
  return std::nullopt;
}

void FloodLimiter::forget_idle_chats(const FloodLimits& limits, Clock::time_point now) {
  for (auto it = chats_.begin(); it != chats_.end();) {
    const bool idle =
        it->second.empty() || it->second.back() <= now - chat_limit(it->first, limits).window;
    it = idle ? chats_.erase(it) : std::next(it);
  }
  sweep_at_ = std::max(kMinSweepSize, 2 * chats_.size());
}

}  // namespace hangar::sim
