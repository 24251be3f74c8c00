#include "actors/bot/chat_supervision.hpp"

#include <string>

#include "actors/bot/bot_drain.hpp"
#include "actors/common/stop_reason.hpp"
#include "platform/core/log.hpp"
#include "platform/core/units.hpp"

namespace hangar::actors::bot {

namespace {

// A chat whose actors pass their budget this often within Timings::chat_budget_window sets its
// update aside.
constexpr std::size_t budget_stops_before_dead_letter = 3;

// A hash table keeps the bucket array of its largest size; after a burst of chats those
// buckets would stay for the bot's lifetime. Shrinking once the table is an eighth full gives
// them back, and the factor keeps the cost amortised O(1) per erase.
template <typename Table>
void shrink_when_sparse(Table& table) {
  constexpr std::size_t small_table = 64;
  if (table.bucket_count() > small_table && table.size() < table.bucket_count() / 8)
    table.rehash(0);
}

void release_sparse_tables(ChatTable& chats) {
  shrink_when_sparse(chats.entries);
  shrink_when_sparse(chats.keys);
  shrink_when_sparse(chats.history);
}

// Counts a budget stop of the chat's actor; the third within the window sets the update aside.
std::optional<SetAside> after_budget_stop(BotSelf* self, ChatHistory& history) {
  const auto now = self->clock().now();
  const auto window = self->state.timings().chat_budget_window;
  auto& stops = history.budget_stops;
  stops.push_back(now);
  while (now - stops.front() > window) stops.pop_front();
  if (stops.size() < budget_stops_before_dead_letter) return std::nullopt;
  stops.clear();
  return SetAside{"budget", "passed its chat memory budget " +
                                std::to_string(budget_stops_before_dead_letter) + " times within " +
                                format_duration(window)};
}

// Counts a crash of the chat's actor; the third in a row sets the update aside.
std::optional<SetAside> after_crash(BotSelf* self, std::int64_t key, ChatHistory& history,
                                    const caf::error& reason) {
  auto crashes = ++history.crashes_in_a_row;
  spdlog::warn("bot {}: chat {} crashed ({} in a row): {}", self->state.bot_name(), key, crashes,
               caf::to_string(reason));
  if (crashes < crashes_before_dead_letter) return std::nullopt;
  history.crashes_in_a_row = 0;
  return SetAside{"crash", "crashed its chat actor " + std::to_string(crashes) + " times"};
}

}  // namespace

void spawn_chat(BotSelf* self, std::int64_t key, std::optional<SetAside> set_aside) {
  auto& st = self->state;
  ChatArgs args;
  args.services = st.args.services;
  args.bot = self;
  args.bot_id = st.args.config.id;
  args.chat_key = key;
  args.behavior = st.behavior;
  args.outbox = st.outbox;
  args.bot_status = st.args.status;
  args.meter = MemoryMeter::create(self->meter(), st.settings().chat_memory_budget);
  if (auto it = st.chats.history.find(key); it != st.chats.history.end()) {
    args.restarts = it->second.restarts;
    args.after_crash = it->second.crashes_in_a_row > 0;
  }
  args.set_aside = std::move(set_aside);
  auto actor = spawn_chat_actor(self, std::move(args));
  st.chats.keys[actor.address()] = key;
  st.chats.entries[key] = ChatEntry{ActorOwn<ChatActor>(std::move(actor)), 0};
}

void route(BotSelf* self, ChatUpdate routed) {
  auto& entries = self->state.chats.entries;
  auto key = routed.update.chat_id().value_or(chatless_key);
  auto it = entries.find(key);
  if (it == entries.end()) {
    spawn_chat(self, key);
    it = entries.find(key);
  }
  it->second.last_routed = routed.seq;
  self->send(it->second.actor.get(), std::move(routed));
}

void on_chat_idle(BotSelf* self, const ChatIdle& idle) {
  auto& chats = self->state.chats;
  auto it = chats.entries.find(idle.chat_key);
  // Something routed after what the chat last took is on its way there: it stays.
  if (it == chats.entries.end() || it->second.last_routed > idle.last_taken) return;
  self->send(it->second.actor.release(), retire_atom::value);
  chats.entries.erase(it);
  chats.history.erase(idle.chat_key);
  release_sparse_tables(chats);
}

void on_chat_recovered(BotSelf* self, const ChatRecovered& recovered) {
  auto& history = self->state.chats.history;
  if (auto it = history.find(recovered.chat_key); it != history.end())
    it->second.crashes_in_a_row = 0;
}

void on_chat_down(BotSelf* self, const caf::down_msg& down) {
  auto& chats = self->state.chats;
  auto found = chats.keys.find(down.source);
  if (found == chats.keys.end()) return;
  auto key = found->second;
  chats.keys.erase(found);
  release_sparse_tables(chats);
  auto entry = chats.entries.find(key);
  bool current = entry != chats.entries.end() && entry->second.actor.get().address() == down.source;
  if (!down.reason || !current) return;  // retired after idling, or already replaced
  entry->second.actor.release();         // it has ended already
  chats.entries.erase(entry);
  // A stopping bot starts no chat; the update stays in the inbox for the next start.
  if (self->state.draining) return finish_drain_when_done(self);
  auto& history = chats.history[key];
  ++history.restarts;
  // A budget stop was recorded by the chat itself; the bot only counts it.
  auto set_aside = stop_reason_of(down.reason) == StopReason::over_budget
                       ? after_budget_stop(self, history)
                       : after_crash(self, key, history, down.reason);
  // Its update is still in the inbox; the new actor starts from there.
  spawn_chat(self, key, std::move(set_aside));
}

void evict_chats(BotSelf* self, const EvictChats& evict) {
  auto& entries = self->state.chats.entries;
  for (auto key : evict.chat_keys)
    if (auto it = entries.find(key); it != entries.end())
      self->send(it->second.actor.get(), evict_atom::value);
}

}  // namespace hangar::actors::bot
