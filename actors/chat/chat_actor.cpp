#include "actors/chat/chat_actor.hpp"

#include <chrono>
#include <optional>
#include <utility>

#include "actors/chat/chat_window.hpp"
#include "actors/common/event_log.hpp"
#include "actors/common/metered_actor.hpp"
#include "actors/common/stop_reason.hpp"
#include "actors/common/weak_handle.hpp"
#include "platform/core/log.hpp"
#include "platform/core/wall_clock.hpp"
#include "storage/bot_runtime_repository.hpp"
#include "storage/chat_state_repository.hpp"
#include "storage/inbox_repository.hpp"

namespace hangar::actors {

namespace {

// What a chat actor read from storage when it started or ran out of updates in memory.
struct ChatLoaded {
  std::optional<std::string> state;  // set only on the first load
  std::vector<storage::InboxUpdate> pending;
  bool failed = false;  // the storage job failed; nothing was read
};

// The final outcome of one call of the reaction in hand.
struct ActionDone {
  botapi::CallResult result;
};

}  // namespace
}  // namespace hangar::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hangar::actors::ChatLoaded)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hangar::actors::ActionDone)

namespace hangar::actors {
namespace {

// The update in hand is done: marked handled (true), or set aside or left for a replay (false).
using marked_atom = caf::atom_constant<caf::atom("marked")>;
using idle_timer_atom = caf::atom_constant<caf::atom("idletimer")>;
using act_now_atom = caf::atom_constant<caf::atom("actnow")>;  // a reaction's delay is over
using storage_failed_atom = caf::atom_constant<caf::atom("storfail")>;  // a storage job failed
using storage_retry_atom = caf::atom_constant<caf::atom("storretry")>;  // try it again
using bot_budget_atom = caf::atom_constant<caf::atom("botbudget")>;     // look at the bot's again

using ChatImpl =
    ChatActor::extend<caf::reacts_to<ChatLoaded>, caf::reacts_to<ActionDone>,
                      caf::reacts_to<marked_atom, bool>, caf::reacts_to<idle_timer_atom>,
                      caf::reacts_to<act_now_atom>, caf::reacts_to<storage_failed_atom>,
                      caf::reacts_to<storage_retry_atom>, caf::reacts_to<bot_budget_atom>>;

// The actor clock, which an actor test drives by hand.
using Clock = caf::actor_clock::clock_type;
// How often a chat whose bot is past its budget looks again (the supervisor restarts the bot
// within about as long; a budget raised meanwhile lets the chat go on).
constexpr std::chrono::milliseconds bot_budget_recheck{10};

struct ChatActorState {
  ChatArgs args;
  std::unique_ptr<Behavior> behavior;
  std::shared_ptr<ChatStatus> status;  // null for the chatless lane
  std::string chat_state;
  bool loaded = false;
  ChatWindow window;
  std::optional<ChatUpdate> current;  // the update in hand
  // What marking the update in hand writes; kept until it is written, so a failed write is
  // tried again rather than the update replayed and answered twice.
  struct Mark {
    std::optional<std::string> state_to_save;
    std::optional<SetAside> set_aside;
  };
  std::optional<Mark> mark;
  unsigned storage_failures = 0;  // in a row; the wait before the next try doubles
  Reaction reaction;
  std::size_t next_action = 0;
  Clock::time_point last_activity;
  bool idle_timer_armed = false;
  bool draining = false;  // finishes the update in hand, then tells its bot (once)
  bool drained = false;
  bool budget_recheck_armed = false;

  ~ChatActorState() {
    if (status) args.bot_status->remove_chat(args.chat_key);
  }
  std::optional<std::int64_t> chat_id() const {
    if (args.chat_key == chatless_key) return std::nullopt;
    return args.chat_key;
  }
};

using ChatSelf = caf::stateful_actor<ChatActorState, Metered<ChatImpl::base>>;

ChatUpdate from_inbox(const storage::InboxUpdate& row) {
  ChatUpdate routed{row.seq, {}};
  try {
    routed.update = telegram::parse_update(row.payload);
  } catch (const std::exception&) {
    // Unreadable updates still pass through, so they are marked handled and not replayed forever.
    routed.update.update_id = row.update_id;
    routed.update.raw_json = row.payload;
  }
  return routed;
}

// Reads the chat's state (on the first load only) and the oldest pending updates after the
// window's last one.
void fetch(ChatSelf* self, bool with_state) {
  auto& st = self->state;
  st.window.begin_fetch();
  auto bot_id = st.args.bot_id;
  auto chat_id = st.chat_id();
  auto after = st.window.last_taken();
  auto limit = st.window.capacity();
  WeakHandle<ChatImpl> me(self);
  st.args.services->storage.post(
      [=](storage::Database& db) -> storage::JobQueue::Completion {
        ChatLoaded loaded;
        if (with_state && chat_id)
          loaded.state = storage::ChatStateRepository(db).load(bot_id, *chat_id);
        if (with_state && !loaded.state) loaded.state = std::string();
        loaded.pending = storage::InboxRepository(db).pending(bot_id, chat_id, after, limit);
        return [me, loaded = std::move(loaded)]() mutable { me.send(std::move(loaded)); };
      },
      [me](const std::string&) {
        me.send(ChatLoaded{std::nullopt, {}, true});
      });
}

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
    if (waiting_for_bot_budget(self)) return;
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

// A storage job failed (lock held too long, disk full, SQLite's heap limit): the chat waits and
// tries the same step again. It is not a crash of the chat, so it never dead-letters an update.
void retry_storage_later(ChatSelf* self) {
  auto& st = self->state;
  auto delay =
      st.args.services->settings.timings.storage_retry * (1u << std::min(st.storage_failures, 5u));
  ++st.storage_failures;
  self->delayed_send(self, delay, storage_retry_atom::value);
}

void write_mark(ChatSelf* self) {
  auto& st = self->state;
  auto bot_id = st.args.bot_id;
  auto chat_id = st.chat_id();
  auto seq = st.current->seq;
  auto update_id = st.current->update.update_id;
  auto mark = *st.mark;
  const Settings& settings = st.args.services->settings;
  WeakHandle<ChatImpl> me(self);
  st.args.services->storage.post(
      [=, &settings](storage::Database& db) -> storage::JobQueue::Completion {
        storage::InboxRepository inbox(db);
        if (mark.set_aside) {
          inbox.dead_letter(bot_id, seq, mark.set_aside->detail);
          append_event(
              db, settings,
              make_event(bot_id, chat_id, storage::EventKind::dead_letter, mark.set_aside->reason,
                         "update " + std::to_string(update_id) + ": " + mark.set_aside->detail));
        } else {
          inbox.mark_handled(bot_id, seq);
          storage::BotRuntimeRepository(db).add_handled(bot_id, 1);
        }
        if (mark.state_to_save && chat_id)
          storage::ChatStateRepository(db).save(bot_id, *chat_id, *mark.state_to_save);
        const bool handled = !mark.set_aside;
        return [me, handled] { me.send(marked_atom::value, handled); };
      },
      [me](const std::string&) { me.send(storage_failed_atom::value); });
}

void post_mark(ChatSelf* self, std::optional<std::string> state_to_save,
               std::optional<SetAside> set_aside) {
  self->state.mark = ChatActorState::Mark{std::move(state_to_save), std::move(set_aside)};
  write_mark(self);
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
        std::vector<ChatUpdate> updates;
        updates.reserve(loaded.pending.size());
        for (const auto& row : loaded.pending) updates.push_back(from_inbox(row));
        st.window.end_fetch(std::move(updates));
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

ChatActor spawn_chat_actor(caf::local_actor* parent, ChatArgs args) {
  return parent->spawn<caf::monitored>(chat_actor, std::move(args));
}

}  // namespace hangar::actors
