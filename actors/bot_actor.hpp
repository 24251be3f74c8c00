#pragma once
// One bot token: owns its Bot API session (poll and calls connections) and its outbox, calls
// getMe and deleteWebhook, then long-polls getUpdates. Each batch is committed to the bot's
// inbox before the next offset confirms it; then each update goes to its chat's actor, spawned
// on demand and retired after the idle timeout. When the actor ends, its session, outbox and
// chats end with it.
#include <memory>

#include <caf/all.hpp>

#include "actors/services.hpp"
#include "storage/bot_repository.hpp"

namespace hangar::actors {

struct BotArgs {
  const Services* services = nullptr;
  storage::BotConfig config;
  std::shared_ptr<BotStatus> status;
};

// Spawns the bot actor, monitored by `parent` (the fleet supervisor).
caf::actor spawn_bot_actor(caf::event_based_actor* parent, BotArgs args);

}  // namespace hangar::actors
