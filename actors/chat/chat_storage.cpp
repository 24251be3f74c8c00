#include "actors/chat/chat_storage.hpp"

#include <algorithm>
#include <utility>

#include "actors/common/event_log.hpp"
#include "actors/common/weak_handle.hpp"
#include "storage/bot_runtime_repository.hpp"
#include "storage/chat_state_repository.hpp"

namespace hangar::actors::chat {

namespace {

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

}  // namespace

std::vector<ChatUpdate> updates_of(const std::vector<storage::InboxUpdate>& rows) {
  std::vector<ChatUpdate> updates;
  updates.reserve(rows.size());
  for (const auto& row : rows) updates.push_back(from_inbox(row));
  return updates;
}

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

}  // namespace hangar::actors::chat
