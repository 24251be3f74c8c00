#include "actors/outbox/flood_gate.hpp"

#include <algorithm>

namespace hangar::actors {

namespace {
// Telegram's 429s name no limit: two chats refused this close together mean the bot's own.
constexpr std::chrono::seconds bot_wide_flood_window{1};
}  // namespace

const RateLimit& FloodGate::limit_of(std::int64_t chat) const {
  return chat < 0 ? limits_.per_group : limits_.per_chat;
}

std::optional<FloodGate::TimePoint> FloodGate::window_ready_at(Window& window,
                                                               const RateLimit& limit,
                                                               TimePoint now) const {
  const auto earliest = std::max(now, window.paused_until);
  if (!limits_.enabled) return earliest;
  auto& answered = window.answered;
  const auto aged = std::find_if(answered.begin(), answered.end(),
                                 [&](TimePoint at) { return at + limit.period > now; });
  answered.erase(answered.begin(), aged);
  if (window.in_flight >= limit.count) return std::nullopt;
  const auto held = window.in_flight + answered.size();
  if (held < limit.count) return earliest;
  // The slot that frees the window for one more call: the oldest answers age out first.
  const auto freeing = answered[held - limit.count];
  return std::max(earliest, freeing + limit.period);
}

std::optional<FloodGate::TimePoint> FloodGate::ready_at(Target target, TimePoint now) {
  forget_quiet_chats(now);
  auto ready = window_ready_at(bot_, limits_.per_bot, now);
  if (!ready || !target) return ready;
  const auto chat = chats_.find(*target);
  if (chat == chats_.end()) return ready;
  const auto chat_ready = window_ready_at(chat->second, limit_of(*target), now);
  if (!chat_ready) return std::nullopt;
  return std::max(*ready, *chat_ready);
}

void FloodGate::started(Target target) {
  if (!limits_.enabled) return;
  ++bot_.in_flight;
  if (target) ++chats_[*target].in_flight;
}

void FloodGate::finish_in(Window& window, const RateLimit& limit, TimePoint now) {
  if (window.in_flight > 0) --window.in_flight;
  window.answered.push_back(now);
  if (window.answered.size() > limit.count)
    window.answered.erase(window.answered.begin(),
                          window.answered.end() - static_cast<std::ptrdiff_t>(limit.count));
}

void FloodGate::finished(Target target, TimePoint now) {
  if (!limits_.enabled) return;
  finish_in(bot_, limits_.per_bot, now);
  if (!target) return;
  const auto chat = chats_.find(*target);
  if (chat != chats_.end()) finish_in(chat->second, limit_of(*target), now);
}

bool FloodGate::too_many_requests(Target target, std::chrono::milliseconds retry_after,
                                  TimePoint now) {
  const auto until = now + retry_after;
  const bool other_chat_lately = last_too_many_ && last_too_many_->target != target &&
                                 now - last_too_many_->at < bot_wide_flood_window;
  last_too_many_ = TooMany{now, target};
  latest_pause_end_ = std::max(latest_pause_end_, until);
  if (!target || other_chat_lately) {
    bot_.paused_until = std::max(bot_.paused_until, until);
    return true;
  }
  auto& chat = chats_[*target];
  chat.paused_until = std::max(chat.paused_until, until);
  return false;
}

std::optional<FloodGate::TimePoint> FloodGate::paused_until(TimePoint now) const {
  if (latest_pause_end_ <= now) return std::nullopt;
  return latest_pause_end_;
}

void FloodGate::forget_quiet_chats(TimePoint now) {
  if (now < next_sweep_) return;
  next_sweep_ = now + std::max(limits_.per_chat.period, limits_.per_group.period);
  for (auto chat = chats_.begin(); chat != chats_.end();) {
    const auto& window = chat->second;
    const bool quiet =
        window.in_flight == 0 && window.paused_until <= now &&
        (window.answered.empty() || window.answered.back() + limit_of(chat->first).period <= now);
    chat = quiet ? chats_.erase(chat) : std::next(chat);
  }
}

}  // namespace hangar::actors
