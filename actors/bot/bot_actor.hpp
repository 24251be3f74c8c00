#pragma once
// One bot token: owns its Bot API session (poll and calls connections) and its outbox, calls
// getMe and deleteWebhook, then long-polls getUpdates. Each batch is committed to the bot's
// inbox before the next offset confirms it; then each update goes to its chat's actor, spawned
// on demand and retired after the idle timeout. When the actor ends, its session, outbox and
// chats end with it. A chat that crashes or passes its memory budget is replaced at once; the
// third time in a row (crashes) or within a minute (budget) its update in hand is set aside.
#include <memory>

#include <caf/all.hpp>

#include "actors/common/services.hpp"
#include "storage/bot_repository.hpp"

namespace hangar::actors {

struct BotArgs {
  const Services* services = nullptr;
  storage::BotConfig config;
  std::shared_ptr<BotStatus> status;
  std::shared_ptr<MemoryMeter> meter;  // the bot's, with its budget; its chats' are children
};

// Spawns the bot actor, monitored by `parent` (the fleet supervisor).
caf::actor spawn_bot_actor(caf::event_based_actor* parent, BotArgs args);

}  // namespace hangar::actors
