// A chat going idle while an update is routed to it: the bot must not retire a chat that has an
// update on its way, and whichever way the race goes, the update is answered once.
#include <catch2/catch.hpp>

#include "tests/unit/actors/fleet_harness.hpp"

using namespace hangar;
using namespace hangar::test;

namespace {

constexpr std::int64_t chat = 7;

// A started fleet of one echo bot whose chat 7 has handled "one" and is now idle, with its
// bot's next poll waiting.
struct IdleChat {
  IdleChat() {
    harness.session(token).deliver({text_update(1, chat, "one")});
    harness.settle();
    REQUIRE(harness.session(token).sent_texts(chat) == std::vector<std::string>{"one"});
    REQUIRE(harness.fleet().find(bot_id)->chat_count() == 1);
  }
  std::size_t chats() { return harness.fleet().find(bot_id)->chat_count(); }

  FleetHarness harness;
  const std::int64_t bot_id = harness.start_with_bot("alpha");
  const std::string token = FleetHarness::token_of("alpha");
};

}  // namespace

TEST_CASE("a chat whose idle timer fires as an update is routed to it stays and answers it") {
  IdleChat fleet;
  auto& session = fleet.harness.session(fleet.token);
  // The update is committed (its completion waits in the bot's mailbox) before the chat's idle
  // timer fires: the bot routes it, then hears the chat ask to retire. The reply is still on
  // its way when the bot decides.
  session.hold_calls(true);
  session.deliver({text_update(2, chat, "two")});
  fleet.harness.run_actors();   // the bot posts the batch's commit
  fleet.harness.run_storage();  // committed: BatchCommitted waits for the bot
  fleet.harness.advance(fleet.harness.settings().chat_idle_timeout);  // the chat's timer is due
  fleet.harness.settle();
  REQUIRE(session.held().size() == 1);
  session.hold_calls(false);
  session.answer_held(ScriptedSession::ok_result());
  fleet.harness.settle();

  CHECK(session.sent_texts(chat) == std::vector<std::string>{"one", "two"});
  CHECK(fleet.harness.pending_updates(fleet.bot_id) == 0);
  CHECK(fleet.chats() == 1);  // it asked to retire with an update on its way, and stayed

  // Idle for a whole timeout with nothing routed, it retires.
  fleet.harness.advance(fleet.harness.settings().chat_idle_timeout);
  fleet.harness.settle();
  CHECK(fleet.chats() == 0);
}

TEST_CASE("a chat that retires just before an update arrives is replaced, and answers it once") {
  IdleChat fleet;
  auto& session = fleet.harness.session(fleet.token);
  // The chat's retirement is agreed first; the update comes right after.
  fleet.harness.advance(fleet.harness.settings().chat_idle_timeout);
  fleet.harness.run_actors();
  CHECK(fleet.chats() == 0);
  session.deliver({text_update(2, chat, "two")});
  fleet.harness.settle();

  CHECK(session.sent_texts(chat) == std::vector<std::string>{"one", "two"});
  CHECK(fleet.harness.pending_updates(fleet.bot_id) == 0);
  CHECK(fleet.chats() == 1);
}
