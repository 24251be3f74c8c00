#include "actors/chat/chat_actor.hpp"

#include <chrono>
#include <optional>
#include <utility>

#include "actors/chat/chat_actor_state.hpp"
#include "actors/chat/chat_storage.hpp"
#include "actors/common/event_log.hpp"
#include "actors/common/stop_reason.hpp"
#include "actors/common/weak_handle.hpp"
#include "platform/core/log.hpp"
#include "platform/core/wall_clock.hpp"

namespace hangar::actors {
namespace chat {
namespace {

// How often a chat whose bot is past its budget looks again (the supervisor restarts the bot
// within about as long; a budget raised meanwhile lets the chat go on).
constexpr std::chrono::milliseconds bot_budget_recheck{10};

void arm_idle_timer(ChatSelf* self, std::chrono::milliseconds after) {
  auto& st = self->state;
  if (st.idle_timer_armed) return;
  st.idle_timer_armed = true;
  self->delayed_send(self, after, idle_timer_atom::value);
}

void handle(ChatSelf* self, const telegram::Update& update);

void set_busy(ChatSelf* self, bool busy) {
  if (self->state.status) self->state.status->busy.store(busy, std::memory_order_relaxed);
}

// A chat of a bot past its budget takes no new update: the supervisor is about to restart the
// bot, and every update handled meanwhile would add to what the bot holds.
bool waiting_for_bot_budget(ChatSelf* self) {
  const auto& meter = self->meter();
  const MemoryMeter* bot = meter ? meter->parent() : nullptr;
  if (!bot || !bot->over_budget_since()) return false;
  if (!self->state.budget_recheck_armed) {
    self->state.budget_recheck_armed = true;
    self->delayed_send(self, bot_budget_recheck, bot_budget_atom::value);
  }
  return true;
}

// A bot whose outbox holds its bound of calls: its chats take no new update, which waits in the
// inbox, until calls finish and the outbox wakes the chat.
bool waiting_for_outbox(ChatSelf* self) {
  auto& st = self->state;
  if (st.waiting_for_outbox) return true;
  WeakHandle<ChatImpl> me(self);
  if (st.args.outbox->admit([me] { return me.send(outbox_room_atom::value); })) return false;
  st.waiting_for_outbox = true;
  return true;
}

// Takes the next update when the chat is free; fetches from the inbox when memory ran dry.
void pump(ChatSelf* self) {
  auto& st = self->state;
  if (st.draining && !st.current) {
    if (!std::exchange(st.drained, true)) self->send(st.args.bot, ChatDrained{st.args.chat_key});
    return;
  }
  if (!st.loaded || st.current) return;
  if (st.window.has_next()) {
    set_busy(self, true);
    if (waiting_for_bot_budget(self) || waiting_for_outbox(self)) return;
    st.current = st.window.take();
    handle(self, st.current->update);
  } else if (st.window.needs_fetch()) {
    set_busy(self, true);
    fetch(self, false);
  } else {
    set_busy(self, false);
    arm_idle_timer(self, st.args.services->settings.chat_idle_timeout);
  }
}

// Sends the reaction's next call, or marks the update handled once all have final outcomes.
void act(ChatSelf* self) {
  auto& st = self->state;
  if (st.next_action < st.reaction.actions.size()) {
    WeakHandle<ChatImpl> me(self);
    st.args.outbox->send(st.reaction.actions[st.next_action++], [me](botapi::CallResult result) {
      me.send(ActionDone{std::move(result)});
    });
    return;
  }
  std::optional<std::string> state_to_save;
  if (st.reaction.state_changed) state_to_save = st.chat_state;
  post_mark(self, std::move(state_to_save), std::nullopt);
}

// A call failed for good (chat not found, bot blocked by the user): the reaction goes on without
// it, and the event log says what was dropped.
void report_dropped(ChatSelf* self, const botapi::CallResult& result) {
  auto& st = self->state;
  const auto detail = st.reaction.actions[st.next_action - 1].method + ": " + result.summary();
  spdlog::warn("bot {} chat {}: dropped {}", st.args.bot_status->name(), st.args.chat_key, detail);
  record_event(*st.args.services,
               make_event(st.args.bot_id, st.chat_id(), storage::EventKind::send_dropped,
                          std::string(botapi::to_string(result.outcome)), detail));
}

// A chat past its budget stops before acting on the update in hand, which stays in the inbox.
bool stopped_over_budget(ChatSelf* self) {
  const auto& meter = self->meter();
  const auto crossed = meter ? meter->over_budget_since() : std::nullopt;
  if (!crossed) return false;
  auto& st = self->state;
  auto event = make_event(st.args.bot_id, st.chat_id(), storage::EventKind::restart, "budget");
  // The meter dates the crossing on the steady clock, so the stop is dated on it too.
  add_budget_stop(event, meter->total_bytes(), meter->budget(), *crossed,
                  std::chrono::steady_clock::now());
  spdlog::warn("bot {} chat {}: {}", st.args.bot_status->name(), st.args.chat_key, event.detail);
  record_event(*st.args.services, std::move(event));
  self->quit(make_error(StopReason::over_budget));
  return true;
}

void handle(ChatSelf* self, const telegram::Update& update) {
  auto& st = self->state;
  st.last_activity = self->clock().now();
  if (st.status) st.status->last_active_ms.store(now_ms(), std::memory_order_relaxed);
  if (st.args.set_aside) {
    // This update stopped the chat's previous actors: set it aside and move on.
    auto set_aside = std::move(st.args.set_aside);
    st.args.set_aside.reset();
    post_mark(self, std::nullopt, std::move(set_aside));
    return;
  }
  st.reaction = st.behavior->on_update(update, st.chat_state);  // may throw: let it crash
  if (stopped_over_budget(self)) return;
  st.next_action = 0;
  if (st.reaction.delay.count() > 0)
    self->delayed_send(self, st.reaction.delay, act_now_atom::value);
  else
    act(self);
}

void on_marked(ChatSelf* self, bool handled) {
  auto& st = self->state;
  if (!st.current) return;
  st.current.reset();
  st.mark.reset();
  st.storage_failures = 0;
  st.reaction = Reaction{};
  if (handled) st.args.bot_status->updates_handled.fetch_add(1, std::memory_order_relaxed);
  if (st.args.after_crash) {
    // Handled something after crashing: the streak is over.
    st.args.after_crash = false;
    self->send(st.args.bot, ChatRecovered{st.args.chat_key});
  }
  pump(self);
}

bool busy(ChatSelf* self) {
  return self->state.current || self->state.window.has_next();
}

// Only the bot knows whether an update is on its way here; it answers with retire_atom.
void offer_retirement(ChatSelf* self) {
  self->send(self->state.args.bot,
             ChatIdle{self->state.args.chat_key, self->state.window.last_taken()});
}

void on_idle_timer(ChatSelf* self) {
  auto& st = self->state;
  st.idle_timer_armed = false;
  if (busy(self)) return;  // pump re-arms when idle again
  auto timeout = st.args.services->settings.chat_idle_timeout;
  auto idle_for =
      std::chrono::duration_cast<std::chrono::milliseconds>(self->clock().now() - st.last_activity);
  if (idle_for < timeout) {
    arm_idle_timer(self, timeout - idle_for);
    return;
  }
  offer_retirement(self);
}

ChatImpl::behavior_type chat_actor(ChatSelf* self, ChatArgs args) {
  self->meter(args.meter);  // first: the rest of the actor's life is charged to it
  auto& st = self->state;
  st.args = std::move(args);
  st.last_activity = self->clock().now();
  st.behavior = make_behavior(st.args.behavior);
  if (st.chat_id()) {
    st.status = st.args.bot_status->add_chat(st.args.chat_key, st.args.meter);
    st.status->last_active_ms.store(now_ms(), std::memory_order_relaxed);
    st.status->restarts.store(st.args.restarts);
  }
  fetch(self, true);
  return {
      [=](ChatUpdate& routed) {
        self->state.window.offer(std::move(routed));
        pump(self);
      },
      [=](ChatLoaded& loaded) {
        auto& st = self->state;
        if (loaded.failed) {
          st.window.fetch_failed();
          return retry_storage_later(self);
        }
        st.storage_failures = 0;
        if (loaded.state) {
          st.chat_state = std::move(*loaded.state);
          st.loaded = true;
        }
        st.window.end_fetch(updates_of(loaded.pending));
        pump(self);
      },
      [=](act_now_atom) { act(self); },
      [=](storage_failed_atom) { retry_storage_later(self); },
      [=](storage_retry_atom) {
        // Whichever step failed: the mark in hand, the first read, or a later read.
        auto& st = self->state;
        if (st.mark)
          write_mark(self);
        else if (!st.loaded)
          fetch(self, true);
        else
          pump(self);
      },
      [=](bot_budget_atom) {
        self->state.budget_recheck_armed = false;
        pump(self);
      },
      [=](outbox_room_atom) {
        self->state.waiting_for_outbox = false;
        pump(self);
      },
      [=](ActionDone& done) {
        // The bot is stopping: the update stays in the inbox, unmarked, for its next start.
        if (done.result.cancelled) return;
        if (!done.result.ok()) report_dropped(self, done.result);
        act(self);
      },
      [=](marked_atom, bool handled) { on_marked(self, handled); },
      [=](idle_timer_atom) { on_idle_timer(self); },
      // The memory guard wants idle chats gone now, not at their idle timeout.
      [=](evict_atom) {
        if (!busy(self)) offer_retirement(self);
      },
      [=](retire_atom) { self->quit(); },
      [=](drain_atom) {
        self->state.draining = true;
        pump(self);
      },
  };
}

}  // namespace
}  // namespace chat

ChatActor spawn_chat_actor(caf::local_actor* parent, ChatArgs args) {
  return parent->spawn<caf::monitored>(chat::chat_actor, std::move(args));
}

}  // namespace hangar::actors
