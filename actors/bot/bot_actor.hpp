#pragma once
// One bot token: owns its Bot API session (poll and calls connections) and its outbox, reads its
// position from storage, calls getMe and deleteWebhook, then long-polls getUpdates (poller.cpp).
// Each batch is committed to the bot's inbox before the next offset confirms it; then each update
// goes to its chat's actor, spawned on demand and retired after the idle timeout
// (chat_supervision.cpp). A failed step is retried after a backoff, or ends the bot when the Bot
// API refused its token (bot_health.cpp). When the actor ends, its session, outbox and chats end
// with it.
#include <memory>

#include <caf/local_actor.hpp>

#include "actors/bot/bot_protocol.hpp"
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
BotActor spawn_bot_actor(caf::local_actor* parent, BotArgs args);

}  // namespace hangar::actors
