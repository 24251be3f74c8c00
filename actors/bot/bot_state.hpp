#pragma once
// Inside the bot actor: its private messages, its state, and the pointer its handlers take.
// Shared by the bot's files (bot_actor.cpp, bot_health.cpp, poller.cpp, chat_supervision.cpp) and
// by no one else.
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <caf/actor_clock.hpp>
#include <caf/atom.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/behaviors/behavior.hpp"
#include "actors/bot/bot_actor.hpp"
#include "actors/bot/retry_backoff.hpp"
#include "actors/chat/chat_protocol.hpp"
#include "actors/common/actor_own.hpp"
#include "actors/common/metered_actor.hpp"
#include "actors/outbox/outbox.hpp"
#include "platform/botapi/session.hpp"
#include "platform/telegram/types.hpp"

namespace hangar::actors::bot {

// The steps of the bot's start-up and poll loop: reading its position from storage, then the
// Bot API calls.
enum class Step { restore, get_me, delete_webhook, get_updates };

// A Bot API step's result.
struct StepDone {
  Step step;
  botapi::CallResult result;
};

// A storage job of a step failed: reading the bot's position (restore) or committing a batch
// (get_updates, which polls the same updates again).
struct StorageFailed {
  Step step;
  std::string error;
};

// A call of the outbox was answered 401: the token was revoked.
struct TokenRejected {
  std::string method;
  botapi::CallResult result;
};

// Run this step (again), after a backoff.
struct Retry {
  Step step;
};

// The bot's durable position, read when it starts.
struct Restored {
  std::int64_t next_offset = 0;
  std::size_t pending = 0;
  std::vector<std::optional<std::int64_t>> chats_with_pending;
};

// A getUpdates batch that is now durable in the inbox (duplicates already dropped).
struct BatchCommitted {
  std::vector<ChatUpdate> updates;
  std::int64_t next_offset = 0;
  bool ids_restarted = false;
};

struct InboxCounted {
  std::optional<std::size_t> pending;  // nullopt: the count failed, and is tried again
};

}  // namespace hangar::actors::bot

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hangar::actors::bot::StepDone)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hangar::actors::bot::StorageFailed)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hangar::actors::bot::TokenRejected)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hangar::actors::SendsPaused)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hangar::actors::bot::Retry)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hangar::actors::bot::Restored)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hangar::actors::bot::BatchCommitted)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hangar::actors::bot::InboxCounted)

namespace hangar::actors::bot {

using poll_atom = caf::atom_constant<caf::atom("poll")>;        // poll after a pause
using recount_atom = caf::atom_constant<caf::atom("recount")>;  // a full inbox: count again
// A draining bot's last getUpdates (the one that confirms its offset) has an answer.
using confirmed_atom = caf::atom_constant<caf::atom("confirmed")>;

using BotImpl = BotActor::extend<
    caf::reacts_to<StepDone>, caf::reacts_to<Restored>, caf::reacts_to<StorageFailed>,
    caf::reacts_to<TokenRejected>, caf::reacts_to<SendsPaused>, caf::reacts_to<Retry>,
    caf::reacts_to<BatchCommitted>, caf::reacts_to<InboxCounted>, caf::reacts_to<poll_atom>,
    caf::reacts_to<recount_atom>, caf::reacts_to<confirmed_atom>>;

// The actor clock, which an actor test drives by hand.
using Clock = caf::actor_clock::clock_type;

// Where the poll loop stands.
struct PollState {
  std::int64_t next_offset = 0;
  bool committing = false;           // a batch's inbox commit is in flight
  std::size_t pending_estimate = 0;  // inbox rows; exact after each recount
  Clock::time_point started;         // of the poll in flight
};

struct ChatEntry {
  ActorOwn<ChatActor> actor;
  std::int64_t last_routed = 0;  // inbox seq of the newest update sent to it
};

// What the bot remembers of a chat's actors that ended badly, until the chat retires.
struct ChatHistory {
  std::uint32_t restarts = 0;
  int crashes_in_a_row = 0;
  std::deque<Clock::time_point> budget_stops;  // within Timings::chat_budget_window
};

// The bot's chats: their actors (owned, so they end with the bot) and their history.
struct ChatTable {
  std::unordered_map<std::int64_t, ChatEntry> entries;
  std::unordered_map<caf::actor_addr, std::int64_t> keys;  // actor -> chat key, for down_msg
  std::unordered_map<std::int64_t, ChatHistory> history;
};

// How the bot fares with the Bot API (and its storage) since its last successful poll.
struct Health {
  // Set from the timings when the actor starts; its failures() are the streak: the failed steps
  // since the last good poll.
  RetryBackoff backoff{std::chrono::milliseconds::zero(), std::chrono::milliseconds::zero(), 0};
  // The fault last recorded as an event in this streak: a repeat of it records none.
  std::optional<std::pair<BotState, std::string>> recorded;
  bool webhook_deleted = false;  // deleteWebhook already answered a webhook conflict
  std::optional<Clock::time_point> last_bad_response_log;
};

struct BotActorState {
  BotArgs args;
  BehaviorSpec behavior;
  std::shared_ptr<botapi::Session> session;
  std::shared_ptr<Outbox> outbox;
  PollState poll;
  ChatTable chats;
  Health health;
  // Set by drain_atom: no new work; the bot ends once its offset is confirmed (or could not be)
  // and its chats have finished what they hold.
  struct Drain {
    bool offset_settled = false;
  };
  std::optional<Drain> draining;

  // The chats stop with the table (ActorOwn); the calls in flight end with their session.
  ~BotActorState() {
    if (outbox) outbox->close();
    if (session) session->close();
  }
  const Settings& settings() const { return args.services->settings; }
  const Timings& timings() const { return args.services->settings.timings; }
  std::string bot_name() const { return args.status->name(); }
};

using BotSelf = caf::stateful_actor<BotActorState, Metered<BotImpl::base>>;

}  // namespace hangar::actors::bot
