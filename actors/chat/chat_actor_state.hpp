#pragma once
// The chat actor's state and private messages, shared by its lifecycle (chat_actor.cpp) and its
// storage steps (chat_storage.cpp).
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/stateful_actor.hpp>

#include "actors/chat/chat_actor.hpp"
#include "actors/chat/chat_window.hpp"
#include "actors/common/metered_actor.hpp"
#include "storage/inbox_repository.hpp"

namespace hangar::actors::chat {

// What a chat actor read from storage when it started or ran out of updates in memory.
struct ChatLoaded {
  std::optional<std::string> state;  // set only on the first load
  std::vector<storage::InboxUpdate> pending;
  bool failed = false;  // the storage job failed; nothing was read
};

// The final outcome of one call of the reaction in hand.
struct ActionDone {
  botapi::CallResult result;
};

}  // namespace hangar::actors::chat

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hangar::actors::chat::ChatLoaded)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hangar::actors::chat::ActionDone)

namespace hangar::actors::chat {

// The update in hand is done: marked handled (true), or set aside or left for a replay (false).
using marked_atom = caf::atom_constant<caf::atom("marked")>;
using idle_timer_atom = caf::atom_constant<caf::atom("idletimer")>;
using act_now_atom = caf::atom_constant<caf::atom("actnow")>;  // a reaction's delay is over
using storage_failed_atom = caf::atom_constant<caf::atom("storfail")>;  // a storage job failed
using storage_retry_atom = caf::atom_constant<caf::atom("storretry")>;  // try it again
using bot_budget_atom = caf::atom_constant<caf::atom("botbudget")>;     // look at the bot's again
using outbox_room_atom = caf::atom_constant<caf::atom("outboxroom")>;   // the outbox took calls

using ChatImpl =
    ChatActor::extend<caf::reacts_to<ChatLoaded>, caf::reacts_to<ActionDone>,
                      caf::reacts_to<marked_atom, bool>, caf::reacts_to<idle_timer_atom>,
                      caf::reacts_to<act_now_atom>, caf::reacts_to<storage_failed_atom>,
                      caf::reacts_to<storage_retry_atom>, caf::reacts_to<bot_budget_atom>,
                      caf::reacts_to<outbox_room_atom>>;

// The actor clock, which an actor test drives by hand.
using Clock = caf::actor_clock::clock_type;

struct ChatActorState {
  ChatArgs args;
  std::unique_ptr<Behavior> behavior;
  std::shared_ptr<ChatStatus> status;  // null for the chatless lane
  std::string chat_state;
  bool loaded = false;
  ChatWindow window;
  std::optional<ChatUpdate> current;  // the update in hand
  // What marking the update in hand writes; kept until it is written, so a failed write is
  // tried again rather than the update replayed and answered twice.
  struct Mark {
    std::optional<std::string> state_to_save;
    std::optional<SetAside> set_aside;
  };
  std::optional<Mark> mark;
  unsigned storage_failures = 0;  // in a row; the wait before the next try doubles
  Reaction reaction;
  std::size_t next_action = 0;
  Clock::time_point last_activity;
  bool idle_timer_armed = false;
  bool draining = false;  // finishes the update in hand, then tells its bot (once)
  bool drained = false;
  bool budget_recheck_armed = false;
  bool waiting_for_outbox = false;  // the outbox wakes it when it has room

  ~ChatActorState() {
    if (status) args.bot_status->remove_chat(args.chat_key);
    // The outbox may have woken this chat after it stopped listening: the turn goes on.
    if (waiting_for_outbox) args.outbox->pass_turn();
  }
  std::optional<std::int64_t> chat_id() const {
    if (args.chat_key == chatless_key) return std::nullopt;
    return args.chat_key;
  }
};

using ChatSelf = caf::stateful_actor<ChatActorState, Metered<ChatImpl::base>>;

}  // namespace hangar::actors::chat
