#pragma once
// One chat of one bot: runs the bot's behaviour on the chat's updates, one at a time and in
// order, sends the resulting calls through the bot's outbox, and marks each update handled
// (saving the chat's state in the same transaction) once every call has a final outcome. After
// the idle timeout it asks its bot to retire it; its memory goes with it, its state stays in
// SQLite. Updates that belong to no chat run in a chat actor of their own (chatless_key).
// Its heap is metered; past its budget it stops before acting on the update in hand, which
// stays in the inbox for the actor that replaces it.
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>

#include <caf/local_actor.hpp>

#include "actors/behaviors/behavior.hpp"
#include "actors/bot/bot_protocol.hpp"
#include "actors/chat/chat_protocol.hpp"
#include "actors/common/services.hpp"
#include "actors/outbox/outbox.hpp"

namespace hangar::actors {

constexpr std::int64_t chatless_key = std::numeric_limits<std::int64_t>::min();
// Crashes of one chat actor on the same update before that update is dead-lettered.
constexpr int crashes_before_dead_letter = 3;

// Why a chat actor sets its first update aside (dead-letters it) instead of running it: that
// update stopped the chat's previous actors too often.
struct SetAside {
  std::string reason;  // the event's reason: "crash" or "budget"
  std::string detail;
};

struct ChatArgs {
  const Services* services = nullptr;
  BotActor bot;
  std::int64_t bot_id = 0;
  std::int64_t chat_key = 0;  // the chat id, or chatless_key
  BehaviorSpec behavior;
  std::shared_ptr<Outbox> outbox;
  std::shared_ptr<BotStatus> bot_status;
  std::shared_ptr<MemoryMeter> meter;  // the chat's own, a child of its bot's, with the budget
  std::uint32_t restarts = 0;          // of this chat's actor while its bot runs
  bool after_crash = false;            // tell the bot once an update is handled again
  std::optional<SetAside> set_aside;
};

// Spawns the chat actor, monitored by `parent` (its bot).
ChatActor spawn_chat_actor(caf::local_actor* parent, ChatArgs args);

}  // namespace hangar::actors
