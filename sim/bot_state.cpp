#include "sim/bot_state.hpp"

#include <limits>

#include <boost/asio/post.hpp>

namespace hangar::sim {

namespace asio = boost::asio;

BotState::BotState(std::int64_t bot_id, const SimOptions& options)
    : bot_id_(bot_id),
      max_pending_updates_(options.max_pending_updates_per_bot),
      max_sent_(options.max_sent_per_bot),
      max_calls_logged_(options.max_calls_logged_per_bot) {}

BotState::~BotState() {
  release_parked_poll();
}

void BotState::poll(PollRequest request, const asio::any_io_executor& timers) {
  std::unique_lock lock(mutex_);
  confirm_below(request.offset);
  std::optional<ParkedPoll> displaced = std::move(parked_);
  parked_.reset();
  if (!pending_.empty() || request.wait.count() <= 0) {
    std::string updates = batch(request.limit);
    lock.unlock();
    finish(std::move(displaced), std::nullopt);
    request.answer(std::move(updates));
    return;
  }
  const std::uint64_t ticket = ++last_ticket_;
  auto timer = std::make_unique<asio::steady_timer>(timers, request.wait);
  timer->async_wait([weak = weak_from_this(), ticket](boost::system::error_code ec) {
    if (ec) return;
    if (auto self = weak.lock()) self->on_poll_timeout(ticket);
  });
  parked_ = ParkedPoll{ticket, request.limit, std::move(request.answer), std::move(timer)};
  lock.unlock();
  finish(std::move(displaced), std::nullopt);
}

std::optional<std::int64_t> BotState::inject(
    const std::function<std::string(std::int64_t, std::int64_t)>& make_update) {
  std::unique_lock lock(mutex_);
  if (pending_.size() >= max_pending_updates_) return std::nullopt;
  const std::int64_t update_id = ++last_update_id_;
  pending_.push_back({update_id, make_update(update_id, ++last_message_id_)});
  if (!parked_) return update_id;
  std::optional<ParkedPoll> woken = std::move(parked_);
  parked_.reset();
  std::string updates = batch(woken->limit);
  lock.unlock();
  finish(std::move(woken), std::move(updates));
  return update_id;
}

bool BotState::restart_update_ids(std::int64_t next_update_id) {
  if (next_update_id < 1 || next_update_id == std::numeric_limits<std::int64_t>::max())
    return false;
  std::lock_guard lock(mutex_);
  last_update_id_ = next_update_id - 1;
  return true;
}

void BotState::release_parked_poll() {
  std::unique_lock lock(mutex_);
  std::optional<ParkedPoll> parked = std::move(parked_);
  parked_.reset();
  lock.unlock();
  finish(std::move(parked), "[]");
}

void BotState::on_poll_timeout(std::uint64_t ticket) {
  std::unique_lock lock(mutex_);
  if (!parked_ || parked_->ticket != ticket) return;  // answered meanwhile
  std::optional<ParkedPoll> expired = std::move(parked_);
  parked_.reset();
  std::string updates = batch(expired->limit);
  lock.unlock();
  finish(std::move(expired), std::move(updates));
}

// Runs without the bot's mutex: answering may run the connection's write inline.
void BotState::finish(std::optional<ParkedPoll> parked, std::optional<std::string> updates) {
  if (!parked) return;
  // The timer may be waiting on an io thread right now; only its executor may touch it.
  const auto executor = parked->timer->get_executor();
  asio::post(executor, [timer = std::move(parked->timer)] { timer->cancel(); });
  parked->answer(std::move(updates));
}

void BotState::confirm_below(std::int64_t offset) {
  if (offset < 0) {
    // Telegram: a negative offset keeps only the last -offset updates.
    const auto keep = static_cast<std::size_t>(-(offset + 1)) + 1;
    while (pending_.size() > keep) pending_.pop_front();
    return;
  }
  // The official Bot API server confirms nothing for an offset past its newest update and
  // answers from the start of its queue: that is how a client sees ids that restarted lower.
  if (offset > last_update_id_ + 1) return;
  while (!pending_.empty() && pending_.front().update_id < offset) pending_.pop_front();
}

std::string BotState::batch(std::size_t limit) const {
  std::string updates = "[";
  std::size_t taken = 0;
  for (const auto& update : pending_) {
    if (taken++ == limit) break;
    if (taken > 1) updates += ',';
    updates += update.json;
  }
  return updates + "]";
}

std::int64_t BotState::next_message_id() {
  std::lock_guard lock(mutex_);
  return ++last_message_id_;
}

void BotState::record_sent(SentMessage message) {
  std::lock_guard lock(mutex_);
  if (message.method == "sendMessage") ++counters_.sent;
  if (max_sent_ == 0) return;
  if (sent_.size() >= max_sent_) sent_.pop_front();
  sent_.push_back(std::move(message));
}

std::vector<SentMessage> BotState::sent(std::optional<std::int64_t> chat_id) const {
  std::lock_guard lock(mutex_);
  std::vector<SentMessage> selected;
  for (const auto& message : sent_)
    if (!chat_id || message.chat_id == *chat_id) selected.push_back(message);
  return selected;
}

std::uint64_t BotState::count_call(bool new_connection, std::string_view method, bool get_updates) {
  using namespace std::chrono;
  const auto at_us = duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
  std::lock_guard lock(mutex_);
  ++counters_.calls;
  if (new_connection) ++counters_.connections;
  if (get_updates) ++counters_.get_updates;
  if (max_calls_logged_ == 0) return counters_.calls;
  if (calls_.size() >= max_calls_logged_) calls_.pop_front();
  calls_.push_back({std::string(method), at_us});
  return counters_.calls;
}

std::optional<int> BotState::admit_send(std::int64_t chat_id, const FloodLimits& limits,
                                        std::uint64_t call_number) {
  std::lock_guard lock(mutex_);
  const auto wait = flood_.admit(chat_id, limits, FloodLimiter::Clock::now());
  if (!wait) return std::nullopt;
  ++counters_.flood_refused;
  // The log holds the newest calls_.size() of counters_.calls calls, in order.
  const std::uint64_t first_logged = counters_.calls - calls_.size() + 1;
  if (call_number >= first_logged && call_number <= counters_.calls)
    calls_[call_number - first_logged].flood_refused = true;
  return retry_after_seconds(*wait);
}

std::vector<CallRecord> BotState::calls() const {
  std::lock_guard lock(mutex_);
  return {calls_.begin(), calls_.end()};
}

std::string BotState::webhook() const {
  std::lock_guard lock(mutex_);
  return webhook_;
}

void BotState::set_webhook(std::string url) {
  std::lock_guard lock(mutex_);
  webhook_ = std::move(url);
}

BotCounters BotState::counters() const {
  std::lock_guard lock(mutex_);
  BotCounters counters = counters_;
  counters.pending = pending_.size();
  return counters;
}

std::optional<Faults> BotState::faults() const {
  std::lock_guard lock(mutex_);
  return faults_;
}

void BotState::set_faults(Faults faults) {
  std::lock_guard lock(mutex_);
  faults_ = faults;
}

}  // namespace hangar::sim
