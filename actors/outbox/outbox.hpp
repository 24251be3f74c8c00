#pragma once
// A bot's outgoing Bot API calls (sendMessage and the like), made on the session's "calls"
// connection. A transient failure (network, timeout, 5xx, 429) is retried with capped
// exponential backoff, honouring retry_after, so the caller sees exactly one final result per
// call: success, a permanent Bot API error, or "outbox closed" when the bot stops. A 401 is
// none of these: the token was revoked, so no call of the bot can succeed until the operator acts.
// The caller gets it as cancelled (not final: its update stays in the inbox) and the bot is told.
// Its retry timers and posts run with the bot's meter current.
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <set>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "actors/behaviors/behavior.hpp"
#include "platform/botapi/session.hpp"
#include "platform/core/settings.hpp"
#include "platform/memory/memory_meter.hpp"
#include "platform/memory/metered_executor.hpp"

namespace hangar::actors {

class Outbox : public std::enable_shared_from_this<Outbox> {
 public:
  // Runs on an io thread with the method and the answer that refused the token.
  using TokenRejected = std::function<void(const std::string& method, botapi::CallResult result)>;

  // From `timings`: call_timeout and the outbox_retry_* backoff. `meter` null: the retries are
  // charged to nobody.
  Outbox(boost::asio::io_context& io, std::shared_ptr<botapi::Session> session,
         const Timings& timings, std::shared_ptr<MemoryMeter> meter = nullptr,
         TokenRejected token_rejected = nullptr);

  // `done` runs once, on an io thread.
  void send(Action action, botapi::ResultHandler done);
  // Fails every waiting retry with "outbox closed"; calls in flight end with the session.
  void close();

 private:
  struct Attempt;
  void start(std::shared_ptr<Attempt> attempt);
  void finish(std::shared_ptr<Attempt> attempt, botapi::CallResult result);
  void retry_later(std::shared_ptr<Attempt> attempt, std::chrono::milliseconds delay);

  using Executor = MeteredExecutor<boost::asio::io_context::executor_type>;
  Executor executor_;
  const std::chrono::milliseconds call_timeout_;
  const std::chrono::milliseconds first_retry_;
  const std::chrono::milliseconds max_retry_;
  std::shared_ptr<botapi::Session> session_;
  const TokenRejected token_rejected_;
  std::mutex mutex_;
  bool closed_ = false;
  std::set<std::shared_ptr<Attempt>> waiting_;  // retries whose timer runs
};

}  // namespace hangar::actors
