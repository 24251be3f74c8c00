#include "actors/bot/bot_drain.hpp"

#include <algorithm>

#include "actors/common/weak_handle.hpp"

namespace hangar::actors::bot {
namespace {

// Long enough for a Bot API that answers, short enough that one that does not cannot hold the
// whole stop (serve's drain deadline bounds it anyway).
constexpr std::chrono::milliseconds confirm_timeout{3000};

void confirm_offset(BotSelf* self) {
  auto& st = self->state;
  // A bot that never polled has nothing to confirm, and one in trouble would only time out.
  if (st.poll.next_offset == 0 || st.args.status->state.load() != BotState::running)
    return on_offset_confirmed(self);
  nlohmann::json params = {{"offset", st.poll.next_offset}, {"limit", 1}, {"timeout", 0}};
  WeakHandle<BotImpl> me(self);
  st.session->call("getUpdates", std::move(params),
                   std::min(confirm_timeout, st.timings().call_timeout),
                   [me](botapi::CallResult) { me.send(confirmed_atom::value); });
}

}  // namespace

void start_drain(BotSelf* self) {
  auto& st = self->state;
  if (st.draining) return;
  st.draining.emplace();
  // A commit in flight moves the offset: confirm once it is in.
  if (!st.poll.committing) confirm_offset(self);
  for (auto& [key, entry] : st.chats.entries) self->send(entry.actor.get(), drain_atom::value);
  finish_drain_when_done(self);
}

void on_drain_commit(BotSelf* self, std::optional<std::int64_t> next_offset) {
  auto& st = self->state;
  st.poll.committing = false;
  if (next_offset) st.poll.next_offset = *next_offset;
  confirm_offset(self);
}

void on_offset_confirmed(BotSelf* self) {
  self->state.draining->offset_settled = true;
  finish_drain_when_done(self);
}

void on_chat_drained(BotSelf* self, std::int64_t chat_key) {
  auto& chats = self->state.chats;
  auto it = chats.entries.find(chat_key);
  if (it == chats.entries.end()) return;
  self->send(it->second.actor.release(), retire_atom::value);
  chats.entries.erase(it);
  finish_drain_when_done(self);
}

void finish_drain_when_done(BotSelf* self) {
  auto& st = self->state;
  if (st.draining && st.draining->offset_settled && st.chats.entries.empty()) self->quit();
}

}  // namespace hangar::actors::bot
