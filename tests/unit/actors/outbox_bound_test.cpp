// The outbox's bound on a bot's open calls: while it holds its limit, the bot's chats take no
// further update (they wait in the inbox, on disk), and as calls finish the waiting chats go on
// in turn, until every update is answered once.
#include <catch2/catch.hpp>

#include "tests/unit/actors/fleet_harness.hpp"

using namespace hangar;
using namespace hangar::test;

TEST_CASE("chats wait in the inbox while the outbox holds its bound of calls") {
  auto settings = FleetHarness::default_settings();
  settings.open_calls_per_bot = 2;
  FleetHarness harness(settings);
  const auto bot_id = harness.start_with_bot("bounded");
  auto& session = harness.session(FleetHarness::token_of("bounded"));

  session.hold_calls(true);
  nlohmann::json updates = nlohmann::json::array();
  for (std::int64_t chat = 1; chat <= 6; ++chat) {
    updates.push_back(text_update(chat * 2 - 1, chat, "first"));
    updates.push_back(text_update(chat * 2, chat, "second"));
  }
  session.deliver(updates);
  harness.settle();

  // Two calls open; the other chats hold their updates unhandled.
  REQUIRE(session.held().size() == 2);
  CHECK(harness.pending_updates(bot_id) == 12);

  // Each answer lets one more call in: never more than two open.
  for (int answered = 1; answered <= 12; ++answered) {
    REQUIRE(!session.held().empty());
    session.answer_held(ScriptedSession::ok_result(nlohmann::json::object()));
    harness.settle();
    CHECK(session.held().size() <= 2);
  }
  CHECK(session.held().empty());
  CHECK(harness.pending_updates(bot_id) == 0);
  for (std::int64_t chat = 1; chat <= 6; ++chat)
    CHECK(session.sent_texts(chat) == std::vector<std::string>{"first", "second"});
}
