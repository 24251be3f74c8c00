#include "actors/outbox/outbox.hpp"

#include <algorithm>

#include <boost/asio/post.hpp>

namespace hangar::actors {

struct Outbox::Attempt {
  Attempt(const Executor& executor, Action action, botapi::ResultHandler done,
          std::chrono::milliseconds first_retry)
      : timer(executor),
        action(std::move(action)),
        done(std::move(done)),
        next_delay(first_retry) {}
  // On the metered executor, so that the retry it wakes up is charged to the bot.
  boost::asio::basic_waitable_timer<std::chrono::steady_clock,
                                    boost::asio::wait_traits<std::chrono::steady_clock>, Executor>
      timer;
  Action action;
  botapi::ResultHandler done;
  std::chrono::milliseconds next_delay;
};

namespace {
botapi::CallResult closed_result() {
  return botapi::cancelled("outbox closed");
}
}  // namespace

Outbox::Outbox(boost::asio::io_context& io, std::shared_ptr<botapi::Session> session,
               const Timings& timings, std::shared_ptr<MemoryMeter> meter,
               TokenRejected token_rejected)
    : executor_(io.get_executor(), std::move(meter)),
      call_timeout_(timings.call_timeout),
      first_retry_(timings.outbox_retry_first),
      max_retry_(timings.outbox_retry_max),
      session_(std::move(session)),
      token_rejected_(std::move(token_rejected)) {}

void Outbox::send(Action action, botapi::ResultHandler done) {
  start(std::make_shared<Attempt>(executor_, std::move(action), std::move(done), first_retry_));
}

void Outbox::start(std::shared_ptr<Attempt> attempt) {
  auto method = attempt->action.method;
  auto params = attempt->action.params;
  session_->call(std::move(method), std::move(params), call_timeout_,
                 [self = shared_from_this(), attempt](botapi::CallResult result) {
                   self->finish(attempt, std::move(result));
                 });
}

void Outbox::finish(std::shared_ptr<Attempt> attempt, botapi::CallResult result) {
  bool closed;
  {
    std::lock_guard lock(mutex_);
    closed = closed_;
  }
  if (result.unauthorized()) {
    auto summary = result.summary();
    if (token_rejected_) token_rejected_(attempt->action.method, std::move(result));
    attempt->done(botapi::cancelled("token rejected: " + summary));
    return;
  }
  if (result.ok() || !result.transient() || result.cancelled || closed) {
    attempt->done(std::move(result));
    return;
  }
  auto delay = attempt->next_delay;
  if (result.retry_after_seconds)
    delay = std::max<std::chrono::milliseconds>(delay,
                                                std::chrono::seconds(*result.retry_after_seconds));
  attempt->next_delay = std::min(attempt->next_delay * 2, max_retry_);
  retry_later(std::move(attempt), delay);
}

void Outbox::retry_later(std::shared_ptr<Attempt> attempt, std::chrono::milliseconds delay) {
  bool closed;
  {
    std::lock_guard lock(mutex_);
    closed = closed_;
    if (!closed) waiting_.insert(attempt);
  }
  if (closed) {
    attempt->done(closed_result());
    return;
  }
  attempt->timer.expires_after(delay);
  attempt->timer.async_wait([self = shared_from_this(), attempt](boost::system::error_code) {
    bool closed;
    {
      std::lock_guard lock(self->mutex_);
      self->waiting_.erase(attempt);
      closed = self->closed_;
    }
    if (closed)
      attempt->done(closed_result());
    else
      self->start(attempt);
  });
}

void Outbox::close() {
  std::set<std::shared_ptr<Attempt>> waiting;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    waiting.swap(waiting_);
  }
  // Their timer handlers see closed_ and report "outbox closed".
  for (const auto& attempt : waiting)
    boost::asio::post(executor_, [attempt] { attempt->timer.cancel(); });
}

}  // namespace hangar::actors
