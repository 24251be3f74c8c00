#include "actors/chat_actor.hpp"

#include <chrono>
#include <optional>

#include "actors/deliver.hpp"
#include "actors/messages.hpp"
#include "platform/log.hpp"
#include "storage/chat_state_repository.hpp"
#include "storage/event_repository.hpp"
#include "storage/inbox_repository.hpp"
#include "actors/chat_window.hpp"

namespace hangar::actors {

namespace {

using Clock = std::chrono::steady_clock;

struct ChatActorState {
  ChatArgs args;
  std::unique_ptr<Behavior> behavior;
  std::shared_ptr<ChatStatus> status;  // null for the chatless lane
  std::string chat_state;
  bool loaded = false;
  ChatWindow window;
  std::optional<telegram::Update> current;  // the update in hand
  Reaction reaction;
  std::size_t next_action = 0;
  Clock::time_point last_activity = Clock::now();
  bool idle_timer_armed = false;

  ~ChatActorState() {
    if (status) args.bot_status->remove_chat(args.chat_key);
  }
  std::optional<std::int64_t> chat_id() const {
    if (args.chat_key == chatless_key) return std::nullopt;
    return args.chat_key;
  }
};

using ChatSelf = caf::stateful_actor<ChatActorState>;

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

telegram::Update from_inbox(const storage::InboxUpdate& row) {
  try {
    return telegram::parse_update(row.payload);
  } catch (const std::exception&) {
    // Unreadable updates still pass through, so they are marked handled and not replayed forever.
    telegram::Update update;
    update.update_id = row.update_id;
    update.raw_json = row.payload;
    return update;
  }
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
  WeakActor me(self);
  st.args.services->storage.post(
      [=](storage::Database& db) -> storage::StorageWorker::Completion {
        ChatLoaded loaded;
        if (with_state && chat_id) loaded.state = storage::ChatStateRepository(db).load(bot_id, *chat_id);
        if (with_state && !loaded.state) loaded.state = std::string();
        loaded.pending = storage::InboxRepository(db).pending(bot_id, chat_id, after, limit);
        return [me, loaded = std::move(loaded)]() mutable { me.send(std::move(loaded)); };
      },
      [me](const std::string&) { me.send(ChatLoaded{std::nullopt, {}, true}); });
}

void arm_idle_timer(ChatSelf* self, std::chrono::milliseconds after) {
  auto& st = self->state;
  if (st.idle_timer_armed) return;
  st.idle_timer_armed = true;
  self->delayed_send(self, after, idle_atom::value);
}

void handle(ChatSelf* self, const telegram::Update& update);

// Takes the next update when the chat is free; fetches from the inbox when memory ran dry.
void pump(ChatSelf* self) {
  auto& st = self->state;
  if (!st.loaded || st.current) return;
  if (st.window.has_next()) {
    st.current = st.window.take();
    handle(self, *st.current);
  } else if (st.window.needs_fetch()) {
    fetch(self, false);
  } else {
    arm_idle_timer(self, st.args.services->settings.chat_idle_timeout);
  }
}

void post_mark(ChatSelf* self, std::optional<std::string> state_to_save,
               std::optional<std::string> dead_letter_reason) {
  auto& st = self->state;
  auto bot_id = st.args.bot_id;
  auto chat_id = st.chat_id();
  auto update_id = st.current->update_id;
  WeakActor me(self);
  st.args.services->storage.post(
      [=](storage::Database& db) -> storage::StorageWorker::Completion {
        storage::InboxRepository inbox(db);
        if (dead_letter_reason) {
          inbox.dead_letter(bot_id, update_id, *dead_letter_reason);
          storage::Event event;
          event.at_ms = now_ms();
          event.bot_id = bot_id;
          event.chat_id = chat_id;
          event.kind = "dead_letter";
          event.reason = "crash";
          event.detail = "update " + std::to_string(update_id) + ": " + *dead_letter_reason;
          storage::EventRepository(db).append(event);
        } else {
          inbox.mark_handled(bot_id, update_id);
        }
        if (state_to_save && chat_id) storage::ChatStateRepository(db).save(bot_id, *chat_id, *state_to_save);
        return [me] { me.send(marked_atom::value); };
      },
      // The update stays in the inbox and is replayed later; the chat moves on meanwhile.
      [me](const std::string&) { me.send(marked_atom::value); });
}

// Sends the reaction's next call, or marks the update handled once all have final outcomes.
void act(ChatSelf* self) {
  auto& st = self->state;
  if (st.next_action < st.reaction.actions.size()) {
    WeakActor me(self);
    st.args.outbox->send(st.reaction.actions[st.next_action++],
                         [me](botapi::ApiResult result) { me.send(ActionDone{std::move(result)}); });
    return;
  }
  std::optional<std::string> state_to_save;
  if (st.reaction.state_changed) state_to_save = st.chat_state;
  post_mark(self, std::move(state_to_save), std::nullopt);
}

void handle(ChatSelf* self, const telegram::Update& update) {
  auto& st = self->state;
  st.last_activity = Clock::now();
  if (st.status) st.status->last_active_ms.store(now_ms(), std::memory_order_relaxed);
  if (st.args.crashes >= crashes_before_dead_letter) {
    // This is the update that crashed the chat's previous actors: set it aside and move on.
    st.args.crashes = 0;
    self->send(st.args.bot, healthy_atom::value, st.args.chat_key);
    post_mark(self, std::nullopt,
              "crashed its chat actor " + std::to_string(crashes_before_dead_letter) + " times");
    return;
  }
  st.reaction = st.behavior->on_update(update, st.chat_state);  // may throw: let it crash
  st.next_action = 0;
  if (st.reaction.delay.count() > 0)
    self->delayed_send(self, st.reaction.delay, act_atom::value);
  else
    act(self);
}

void on_marked(ChatSelf* self) {
  auto& st = self->state;
  if (!st.current) return;
  st.current.reset();
  st.reaction = Reaction{};
  st.args.bot_status->updates_handled.fetch_add(1, std::memory_order_relaxed);
  if (st.args.crashes > 0) {
    // Handled something after crashing: the streak is over.
    st.args.crashes = 0;
    self->send(st.args.bot, healthy_atom::value, st.args.chat_key);
  }
  pump(self);
}

void on_idle_timer(ChatSelf* self) {
  auto& st = self->state;
  st.idle_timer_armed = false;
  if (st.current || st.window.has_next()) return;  // busy: pump re-arms when idle again
  auto timeout = st.args.services->settings.chat_idle_timeout;
  auto idle_for = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - st.last_activity);
  if (idle_for < timeout) {
    arm_idle_timer(self, timeout - idle_for);
    return;
  }
  // Only the bot knows whether an update is on its way here; it answers with retire_atom.
  self->send(st.args.bot, idle_atom::value, st.args.chat_key, st.window.last_taken());
}

caf::behavior chat_actor(ChatSelf* self, ChatArgs args) {
  auto& st = self->state;
  st.args = std::move(args);
  st.behavior = make_behavior(st.args.behavior);
  if (st.chat_id()) {
    st.status = st.args.bot_status->add_chat(st.args.chat_key);
    st.status->last_active_ms.store(now_ms(), std::memory_order_relaxed);
    st.status->restarts.store(static_cast<std::uint32_t>(st.args.crashes));
  }
  fetch(self, true);
  return {
      [=](ChatUpdate& routed) {
        self->state.window.offer(std::move(routed.update));
        pump(self);
      },
      [=](ChatLoaded& loaded) {
        auto& st = self->state;
        if (loaded.failed) {
          st.window.fetch_failed();
          // Without its state the chat cannot run; its restart reads again.
          if (!st.loaded) self->quit(caf::make_error(caf::sec::runtime_error, "cannot read chat state"));
          else self->delayed_send(self, std::chrono::seconds(1), recheck_atom::value);
          return;
        }
        if (loaded.state) {
          st.chat_state = std::move(*loaded.state);
          st.loaded = true;
        }
        std::vector<telegram::Update> updates;
        updates.reserve(loaded.pending.size());
        for (const auto& row : loaded.pending) updates.push_back(from_inbox(row));
        st.window.end_fetch(std::move(updates));
        pump(self);
      },
      [=](act_atom) { act(self); },
      [=](recheck_atom) { pump(self); },
      [=](ActionDone& done) {
        if (!done.result.ok())
          spdlog::warn("bot {} chat {}: {} gave up: {}", self->state.args.bot_status->name(),
                       self->state.args.chat_key,
                       self->state.reaction.actions[self->state.next_action - 1].method,
                       done.result.summary());
        act(self);
      },
      [=](marked_atom) { on_marked(self); },
      [=](idle_atom) { on_idle_timer(self); },
      [=](retire_atom) { self->quit(); },
  };
}

}  // namespace

caf::actor spawn_chat_actor(caf::event_based_actor* parent, ChatArgs args) {
  return parent->spawn<caf::monitored>(chat_actor, std::move(args));
}

}  // namespace hangar::actors
