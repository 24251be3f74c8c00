#pragma once
// What a bot actor takes from its chats and from the fleet supervisor. Everything else it
// handles (timers, storage and Bot API completions) is private to the bot's own files.
#include <cstdint>
#include <vector>

#include <caf/typed_actor.hpp>

#include "actors/common/drain_atom.hpp"

namespace hangar::actors {

// A chat actor idle past its timeout asks to retire. The bot agrees (retire_atom) only when it
// has routed nothing to that chat after `last_taken`, the inbox seq of the newest update the
// chat took.
struct ChatIdle {
  std::int64_t chat_key = 0;
  std::int64_t last_taken = 0;
};

// A chat actor handled an update after its predecessor crashed: the crash streak is over.
struct ChatRecovered {
  std::int64_t chat_key = 0;
};

// The memory guard's request: retire these chats now, those of them that are idle.
struct EvictChats {
  std::vector<std::int64_t> chat_keys;
};

// A draining chat has nothing in hand any more: the bot retires it.
struct ChatDrained {
  std::int64_t chat_key = 0;
};

using BotActor = caf::typed_actor<caf::reacts_to<ChatIdle>, caf::reacts_to<ChatRecovered>,
                                  caf::reacts_to<EvictChats>, caf::reacts_to<ChatDrained>,
                                  caf::reacts_to<drain_atom>>;

}  // namespace hangar::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hangar::actors::ChatIdle)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hangar::actors::ChatRecovered)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hangar::actors::EvictChats)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hangar::actors::ChatDrained)
