#pragma once
// The messages between Hangar's actors. Completions from Asio and the storage worker arrive as
// these messages too, sent anonymously to a weak handle of the actor that started the work.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <caf/all.hpp>

#include "platform/botapi/call_result.hpp"
#include "platform/telegram/types.hpp"
#include "storage/bot_repository.hpp"
#include "storage/bot_runtime_repository.hpp"
#include "storage/inbox_repository.hpp"

namespace hangar::actors {

// Bot actor.
using start_atom = caf::atom_constant<caf::atom("start")>;
using poll_atom = caf::atom_constant<caf::atom("poll")>;
using idle_atom = caf::atom_constant<caf::atom("idle")>;
using retire_atom = caf::atom_constant<caf::atom("retire")>;
using recheck_atom = caf::atom_constant<caf::atom("recheck")>;
using evict_atom = caf::atom_constant<caf::atom("evict")>;
// Chat actor.
using act_atom = caf::atom_constant<caf::atom("act")>;
using marked_atom = caf::atom_constant<caf::atom("marked")>;
using healthy_atom = caf::atom_constant<caf::atom("healthy")>;
using budget_atom = caf::atom_constant<caf::atom("budget")>;
// Fleet supervisor.
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using respawn_atom = caf::atom_constant<caf::atom("respawn")>;
using watch_atom = caf::atom_constant<caf::atom("watch")>;

// Which step of the bot's start-up or poll loop an API result answers.
enum class BotCall { get_me, delete_webhook, get_updates };

struct BotApiReply {
  BotCall call;
  botapi::CallResult result;
};

// The bot's durable position, read when it starts.
struct BotRestored {
  std::int64_t next_offset = 0;
  std::size_t pending = 0;
  std::vector<std::optional<std::int64_t>> chats_with_pending;
};

// A getUpdates batch that is now durable in the inbox (duplicates already dropped).
struct BatchCommitted {
  std::vector<telegram::Update> updates;
  std::int64_t next_offset = 0;
};

struct InboxCount {
  std::size_t pending = 0;
};

// An update handed from the bot to the chat actor of its chat.
struct ChatUpdate {
  telegram::Update update;
};

// What a chat actor reads when it starts or runs out of updates in memory.
struct ChatLoaded {
  std::optional<std::string> state;  // set only on the first load
  std::vector<storage::InboxUpdate> pending;
  bool failed = false;  // the storage job failed; nothing was read
};

struct ActionDone {
  botapi::CallResult result;
};

// The memory guard's request to a bot: retire these chats now if they are idle.
struct EvictChats {
  std::vector<std::int64_t> chat_keys;
};

// The supervisor's view of the bots table.
struct FleetConfig {
  std::int64_t version = 0;
  std::vector<storage::BotConfig> bots;
  std::vector<storage::BotRuntime> runtimes;  // one per bot, same order
};

}  // namespace hangar::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hangar::actors::BotApiReply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hangar::actors::BotRestored)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hangar::actors::BatchCommitted)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hangar::actors::InboxCount)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hangar::actors::ChatUpdate)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hangar::actors::ChatLoaded)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hangar::actors::ActionDone)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hangar::actors::EvictChats)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hangar::actors::FleetConfig)
