#pragma once
// The bot as its chats' supervisor: routes each update to its chat's actor, spawning it on
// demand; agrees to a chat's retirement only when nothing is on its way to it; replaces a chat
// actor that crashed or passed its memory budget at once, and sets the update in hand aside
// after the third crash in a row, or the third budget stop within Timings::chat_budget_window.
#include <optional>

#include <caf/system_messages.hpp>

#include "actors/bot/bot_state.hpp"
#include "actors/chat/chat_actor.hpp"

namespace hangar::actors::bot {

void spawn_chat(BotSelf* self, std::int64_t key, std::optional<SetAside> set_aside = std::nullopt);
void route(BotSelf* self, ChatUpdate routed);
void on_chat_idle(BotSelf* self, const ChatIdle& idle);
void on_chat_recovered(BotSelf* self, const ChatRecovered& recovered);
void on_chat_down(BotSelf* self, const caf::down_msg& down);
void evict_chats(BotSelf* self, const EvictChats& evict);

}  // namespace hangar::actors::bot
