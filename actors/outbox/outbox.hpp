#pragma once
// A bot's outgoing Bot API calls (sendMessage and the like), made on the session's "calls"
// connection under Telegram's flood limits (flood_gate.hpp): a call waits until its bot's and
// its chat's windows allow it, and a 429 pauses the chat, or the whole bot, for retry_after.
// Any other transient failure (network, timeout, 5xx) is retried with capped exponential
// backoff, so the caller sees exactly one final result per call: success, a permanent Bot API
// error, or "outbox closed" when the bot stops. A 401 is none of these: the token was revoked,
// so no call of the bot can succeed until the operator acts. The caller gets it as cancelled (not
// final: its update stays in the inbox) and the bot is told.
//
// Bounded: a chat makes one call at a time, and takes its next update only while the outbox
// holds fewer than `open_calls_per_bot` calls (admit), so a backlog waits in the inbox, on disk.
// Its timers and posts run with the bot's meter current.
#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <set>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "actors/behaviors/behavior.hpp"
#include "actors/outbox/flood_gate.hpp"
#include "platform/botapi/session.hpp"
#include "platform/core/settings.hpp"
#include "platform/memory/memory_meter.hpp"
#include "platform/memory/metered_executor.hpp"

namespace hangar::actors {

// A 429 paused sends (`wait` > 0), or the last pause is over (`wait` 0).
struct SendsPaused {
  std::string error;  // "sendMessage: api_error 429: Too Many Requests: retry after 5"
  std::string scope;  // "chat 42" or "all chats"
  std::chrono::milliseconds wait{0};
};

struct OutboxObserver {
  // Runs on an io thread with the method and the answer that refused the token.
  std::function<void(const std::string& method, botapi::CallResult result)> token_rejected;
  std::function<void(SendsPaused)> sends_paused;  // on an io thread or the caller's
};

class Outbox : public std::enable_shared_from_this<Outbox> {
 public:
  // From `settings`: flood_limits, open_calls_per_bot, and the timings call_timeout,
  // outbox_retry_* and retry_after_max. `meter` null: the timers are charged to nobody.
  Outbox(boost::asio::io_context& io, std::shared_ptr<botapi::Session> session,
         const Settings& settings, std::shared_ptr<MemoryMeter> meter = nullptr,
         OutboxObserver observer = {});

  // `done` runs once, on an io thread (or at once when the outbox is closed).
  void send(Action action, botapi::ResultHandler done);
  // True when a chat may take its next update. Otherwise `wake` runs once there is room; it
  // returns false when its chat has gone, so that the room goes to the next chat instead.
  bool admit(std::function<bool()> wake);
  // A chat that was woken, or was about to be, has gone: its turn goes to the next.
  void pass_turn() { wake_waiters(); }
  // Fails every call that waits with "outbox closed"; calls in flight end with the session.
  void close();

 private:
  struct Attempt;
  using AttemptPtr = std::shared_ptr<Attempt>;
  using Executor = MeteredExecutor<boost::asio::io_context::executor_type>;
  using Timer = boost::asio::basic_waitable_timer<
      std::chrono::steady_clock, boost::asio::wait_traits<std::chrono::steady_clock>, Executor>;

  void dispatch();
  void arm_gate_timer(FloodGate::TimePoint at);  // with mutex_ held
  void start(AttemptPtr attempt);
  void finish(AttemptPtr attempt, botapi::CallResult result);
  void pause(AttemptPtr attempt, const botapi::CallResult& result);
  void retry_later(AttemptPtr attempt, std::chrono::milliseconds delay);
  void complete(AttemptPtr attempt, botapi::CallResult result);
  void wake_waiters();

  Executor executor_;
  const std::chrono::milliseconds call_timeout_;
  const std::chrono::milliseconds first_retry_;
  const std::chrono::milliseconds max_retry_;
  const std::chrono::milliseconds retry_after_max_;
  const std::size_t open_calls_limit_;
  std::shared_ptr<botapi::Session> session_;
  const OutboxObserver observer_;

  std::mutex mutex_;  // guards everything below
  bool closed_ = false;
  FloodGate gate_;
  std::deque<AttemptPtr> queue_;   // waiting for the gate, oldest first
  std::set<AttemptPtr> retrying_;  // waiting for their retry timer
  std::size_t open_calls_ = 0;     // sent to `send` and not yet done
  std::deque<std::function<bool()>> waiters_;
  Timer gate_timer_;
  std::optional<FloodGate::TimePoint> gate_timer_at_;
  bool pause_reported_ = false;
};

}  // namespace hangar::actors
