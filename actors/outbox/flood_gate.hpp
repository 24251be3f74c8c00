#pragma once
// When a bot's next call may start, under Telegram's flood limits: at most N messages in any
// window W per bot, per private chat and per group, and the pauses that its 429s impose.
//
// A call holds a slot of its chat's window and of its bot's from the moment it starts, and the
// slot's time is the moment its answer came. The server stamps a message somewhere between
// those two, so counting from the answer keeps every window the server sees within its limit,
// whatever the network delay. Only plain bookkeeping on a clock given by the caller, so tests
// drive it without waiting.
//
// Memory follows the chats that sent within their window: a chat's record goes once its last
// slot has aged out and it is not paused (looked for once per the longest window).
#include <chrono>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "platform/core/settings.hpp"

namespace hangar::actors {

class FloodGate {
 public:
  using Clock = std::chrono::steady_clock;
  using TimePoint = Clock::time_point;
  // Where a call goes: a chat id (negative for groups and channels), or none for calls that
  // belong to no chat, which count only toward the bot's window.
  using Target = std::optional<std::int64_t>;

  explicit FloodGate(FloodLimits limits) : limits_(limits) {}

  // When a call to `target` may start: `now` or later, or nullopt while it waits for a call in
  // flight to finish (its window is full of calls that have no answer yet).
  std::optional<TimePoint> ready_at(Target target, TimePoint now);
  void started(Target target);
  void finished(Target target, TimePoint now);

  // The Bot API answered a call to `target` with 429. Telegram does not say which limit was hit,
  // so one chat pauses alone, and two chats within a second, or a call of no chat, pause the
  // whole bot. Returns whether the whole bot now waits.
  bool too_many_requests(Target target, std::chrono::milliseconds retry_after, TimePoint now);
  // The end of the latest pause (of the bot or of any chat), if it is not over at `now`.
  std::optional<TimePoint> paused_until(TimePoint now) const;

  std::size_t chats_tracked() const { return chats_.size(); }

 private:
  struct Window {
    unsigned in_flight = 0;
    std::vector<TimePoint> answered;  // oldest first, at most the limit's count
    TimePoint paused_until{};
  };

  std::optional<TimePoint> window_ready_at(Window& window, const RateLimit& limit,
                                           TimePoint now) const;
  void finish_in(Window& window, const RateLimit& limit, TimePoint now);
  const RateLimit& limit_of(std::int64_t chat) const;
  void forget_quiet_chats(TimePoint now);

  const FloodLimits limits_;
  Window bot_;
  std::unordered_map<std::int64_t, Window> chats_;
  TimePoint next_sweep_{};
  TimePoint latest_pause_end_{};
  struct TooMany {
    TimePoint at;
    Target target;
  };
  std::optional<TooMany> last_too_many_;
};

}  // namespace hangar::actors
