#pragma once
// What a chat actor takes from its bot. Everything else it handles (timers, storage and Bot API
// completions) is private to chat_actor.cpp.
#include <caf/atom.hpp>
#include <caf/typed_actor.hpp>

#include "actors/common/drain_atom.hpp"
#include "platform/telegram/types.hpp"

namespace hangar::actors {

// An update of this chat, already durable in the inbox.
struct ChatUpdate {
  // Its place in the bot's inbox, the order the chat handles its updates in (update ids are not:
  // Telegram restarts them).
  std::int64_t seq = 0;
  telegram::Update update;
};

// The bot agrees that the chat may retire (it asked with ChatIdle): quit now.
using retire_atom = caf::atom_constant<caf::atom("retire")>;
// The memory guard wants idle chats gone now: ask the bot to retire, unless busy.
using evict_atom = caf::atom_constant<caf::atom("evict")>;

using ChatActor = caf::typed_actor<caf::reacts_to<ChatUpdate>, caf::reacts_to<retire_atom>,
                                   caf::reacts_to<evict_atom>, caf::reacts_to<drain_atom>>;

}  // namespace hangar::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hangar::actors::ChatUpdate)
