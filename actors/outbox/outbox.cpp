#include "actors/outbox/outbox.hpp"

#include <algorithm>
#include <vector>

#include <boost/asio/post.hpp>

#include "platform/core/units.hpp"

namespace hangar::actors {

struct Outbox::Attempt {
  Attempt(const Executor& executor, Action action, botapi::ResultHandler done,
          std::chrono::milliseconds first_retry)
      : timer(executor),
        action(std::move(action)),
        done(std::move(done)),
        next_delay(first_retry) {}
  // On the metered executor, so that the retry it wakes up is charged to the bot.
  Timer timer;
  Action action;
  botapi::ResultHandler done;
  std::chrono::milliseconds next_delay;
  FloodGate::Target target;
};

namespace {

botapi::CallResult closed_result() {
  return botapi::cancelled("outbox closed");
}

// The chat a call writes to. A channel named by its @username counts as a group (its limit is
// the group's); a call without a chat_id counts toward the bot's limit only.
FloodGate::Target target_of(const nlohmann::json& params) {
  const auto chat = params.find("chat_id");
  if (chat == params.end()) return std::nullopt;
  if (chat->is_number_integer()) return chat->get<std::int64_t>();
  if (chat->is_string())
    return -static_cast<std::int64_t>(std::hash<std::string>()(chat->get<std::string>()) >> 1) - 1;
  return std::nullopt;
}

std::string scope_of(FloodGate::Target target, bool whole_bot) {
  if (whole_bot || !target) return "all chats";
  return "chat " + std::to_string(*target);
}

}  // namespace

Outbox::Outbox(boost::asio::io_context& io, std::shared_ptr<botapi::Session> session,
               const Settings& settings, std::shared_ptr<MemoryMeter> meter,
               OutboxObserver observer)
    : executor_(io.get_executor(), std::move(meter)),
      call_timeout_(settings.timings.call_timeout),
      first_retry_(settings.timings.outbox_retry_first),
      max_retry_(settings.timings.outbox_retry_max),
      retry_after_max_(settings.timings.retry_after_max),
      open_calls_limit_(settings.open_calls_per_bot),
      session_(std::move(session)),
      observer_(std::move(observer)),
      gate_(settings.flood_limits),
      gate_timer_(executor_) {}

void Outbox::send(Action action, botapi::ResultHandler done) {
  auto attempt =
      std::make_shared<Attempt>(executor_, std::move(action), std::move(done), first_retry_);
  attempt->target = target_of(attempt->action.params);
  bool accepted = false;
  {
    std::lock_guard lock(mutex_);
    if (!closed_) {
      accepted = true;
      ++open_calls_;
      queue_.push_back(attempt);
    }
  }
  if (!accepted) return attempt->done(closed_result());
  dispatch();
}

bool Outbox::admit(std::function<bool()> wake) {
  {
    std::lock_guard lock(mutex_);
    if (!closed_ && open_calls_ >= open_calls_limit_) {
      waiters_.push_back(std::move(wake));
      return false;
    }
  }
  wake_waiters();  // room left over from a chat that went before it could use it
  return true;
}

void Outbox::wake_waiters() {
  for (;;) {
    std::function<bool()> wake;
    {
      std::lock_guard lock(mutex_);
      if (waiters_.empty() || (!closed_ && open_calls_ >= open_calls_limit_)) return;
      wake = std::move(waiters_.front());
      waiters_.pop_front();
    }
    // A chat that is alive takes the room; one that has gone passes it on.
    if (wake()) return;
  }
}

// Starts every waiting call the gate lets through, in order, skipping the chats that must wait,
// and sets the timer for the earliest that waits for a time.
void Outbox::dispatch() {
  std::vector<AttemptPtr> due;
  bool pause_over = false;
  {
    std::lock_guard lock(mutex_);
    const auto now = FloodGate::Clock::now();
    std::optional<FloodGate::TimePoint> wake_at;
    for (auto next = queue_.begin(); next != queue_.end();) {
      const auto bot_ready = gate_.ready_at(std::nullopt, now);
      if (!bot_ready || *bot_ready > now) {
        wake_at = bot_ready;
        break;
      }
      const auto ready = gate_.ready_at((*next)->target, now);
      if (ready && *ready <= now) {
        gate_.started((*next)->target);
        due.push_back(std::move(*next));
        next = queue_.erase(next);
        continue;
      }
      if (ready) wake_at = wake_at ? std::min(*wake_at, *ready) : *ready;
      ++next;
    }
    if (wake_at) arm_gate_timer(*wake_at);
    if (pause_reported_ && !gate_.paused_until(now)) {
      pause_reported_ = false;
      pause_over = true;
    }
  }
  if (pause_over && observer_.sends_paused) observer_.sends_paused(SendsPaused{});
  for (auto& attempt : due) start(std::move(attempt));
}

void Outbox::arm_gate_timer(FloodGate::TimePoint at) {
  if (gate_timer_at_ && *gate_timer_at_ <= at) return;
  gate_timer_at_ = at;
  gate_timer_.expires_at(at);
  gate_timer_.async_wait([self = shared_from_this()](boost::system::error_code error) {
    if (error == boost::asio::error::operation_aborted) return;
    {
      std::lock_guard lock(self->mutex_);
      self->gate_timer_at_.reset();
    }
    self->dispatch();
  });
}

void Outbox::start(AttemptPtr attempt) {
  auto method = attempt->action.method;
  auto params = attempt->action.params;
  session_->call(std::move(method), std::move(params), call_timeout_,
                 [self = shared_from_this(), attempt](botapi::CallResult result) {
                   self->finish(attempt, std::move(result));
                 });
}

void Outbox::finish(AttemptPtr attempt, botapi::CallResult result) {
  bool closed;
  {
    std::lock_guard lock(mutex_);
    gate_.finished(attempt->target, FloodGate::Clock::now());
    closed = closed_;
  }
  if (result.unauthorized()) {
    auto summary = result.summary();
    if (observer_.token_rejected)
      observer_.token_rejected(attempt->action.method, std::move(result));
    return complete(std::move(attempt), botapi::cancelled("token rejected: " + summary));
  }
  if (result.ok() || !result.transient() || result.cancelled || closed)
    return complete(std::move(attempt), std::move(result));
  if (result.too_many_requests()) return pause(std::move(attempt), result);
  auto delay = attempt->next_delay;
  attempt->next_delay = std::min(attempt->next_delay * 2, max_retry_);
  retry_later(std::move(attempt), delay);
}

// Flood control: the chat (or the whole bot) waits retry_after, and the call goes first in line
// once it is over. The bot stays running; its status says why its replies wait.
void Outbox::pause(AttemptPtr attempt, const botapi::CallResult& result) {
  std::chrono::milliseconds retry_after = attempt->next_delay;
  if (result.retry_after_seconds)
    retry_after = std::chrono::seconds(*result.retry_after_seconds);
  else
    attempt->next_delay = std::min(attempt->next_delay * 2, max_retry_);
  retry_after = std::min(retry_after, retry_after_max_);
  bool whole_bot;
  {
    std::lock_guard lock(mutex_);
    whole_bot = gate_.too_many_requests(attempt->target, retry_after, FloodGate::Clock::now());
    pause_reported_ = true;
    queue_.push_front(attempt);
  }
  if (observer_.sends_paused)
    observer_.sends_paused(SendsPaused{attempt->action.method + ": " + result.summary(),
                                       scope_of(attempt->target, whole_bot), retry_after});
  dispatch();
}

void Outbox::retry_later(AttemptPtr attempt, std::chrono::milliseconds delay) {
  {
    std::lock_guard lock(mutex_);
    if (!closed_) {
      retrying_.insert(attempt);
      attempt->timer.expires_after(delay);
      attempt->timer.async_wait([self = shared_from_this(), attempt](boost::system::error_code) {
        bool closed;
        {
          std::lock_guard lock(self->mutex_);
          self->retrying_.erase(attempt);
          closed = self->closed_;
          if (!closed) self->queue_.push_front(attempt);
        }
        if (closed) return self->complete(attempt, closed_result());
        self->dispatch();
      });
      return;
    }
  }
  complete(std::move(attempt), closed_result());
}

void Outbox::complete(AttemptPtr attempt, botapi::CallResult result) {
  {
    std::lock_guard lock(mutex_);
    --open_calls_;
  }
  attempt->done(std::move(result));
  wake_waiters();
  dispatch();  // the answer may have freed a window
}

void Outbox::close() {
  std::set<AttemptPtr> retrying;
  std::deque<AttemptPtr> queued;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    retrying.swap(retrying_);
    queued.swap(queue_);
    waiters_.clear();
    if (gate_timer_at_)
      boost::asio::post(executor_, [self = shared_from_this()] {
        std::lock_guard lock(self->mutex_);
        self->gate_timer_.cancel();
      });
  }
  // On the metered executor, like every other completion of the outbox.
  for (auto& attempt : queued)
    boost::asio::post(executor_, [self = shared_from_this(), attempt] {
      self->complete(attempt, closed_result());
    });
  // Their timer handlers see closed_ and report "outbox closed".
  for (const auto& attempt : retrying)
    boost::asio::post(executor_, [attempt] { attempt->timer.cancel(); });
}

}  // namespace hangar::actors
