#pragma once
// One chat of one bot: runs the bot's behaviour on the chat's updates, one at a time and in
// order, sends the resulting calls through the bot's outbox, and marks each update handled
// (saving the chat's state in the same transaction) once every call has a final outcome. After
// the idle timeout it asks its bot to retire it; its memory goes with it, its state stays in
// SQLite. Updates that belong to no chat run in a chat actor of their own (chatless_key).
#include <cstdint>
#include <limits>
#include <memory>

#include <caf/all.hpp>

#include "actors/behavior.hpp"
#include "actors/outbox.hpp"
#include "actors/services.hpp"

namespace hangar::actors {

constexpr std::int64_t chatless_key = std::numeric_limits<std::int64_t>::min();
// Crashes of one chat actor on the same update before that update is dead-lettered.
constexpr int crashes_before_dead_letter = 3;

struct ChatArgs {
  const Services* services = nullptr;
  caf::actor bot;
  std::int64_t bot_id = 0;
  std::int64_t chat_key = 0;  // the chat id, or chatless_key
  BehaviorSpec behavior;
  std::shared_ptr<Outbox> outbox;
  std::shared_ptr<BotStatus> bot_status;
  int crashes = 0;  // how often this chat's actor crashed in a row before this one started
};

// Spawns the chat actor, monitored by `parent` (the bot actor).
caf::actor spawn_chat_actor(caf::event_based_actor* parent, ChatArgs args);

}  // namespace hangar::actors
