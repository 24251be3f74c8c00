// Sends that fail for good (chat not found, the user blocked the bot): the reply is dropped with
// an event, the update counts as handled, and the chat goes on; never a retry loop.
#include <catch2/catch.hpp>

#include "storage/event_repository.hpp"
#include "tests/unit/actors/fleet_harness.hpp"

using namespace hangar;
using namespace hangar::test;

TEST_CASE("a reply refused for good is dropped with an event, and the chat goes on") {
  FleetHarness harness;
  const auto bot_id = harness.start_with_bot("blocked");
  auto& session = harness.session(FleetHarness::token_of("blocked"));

  auto refused =
      botapi::failure(botapi::Outcome::api_error, "Forbidden: bot was blocked by the user");
  refused.http_status = 403;
  refused.error_code = 403;
  session.script("sendMessage", refused);
  session.deliver({text_update(1, 5, "one"), text_update(2, 5, "two")});
  harness.settle();

  CHECK(session.count("sendMessage") == 2);  // one try each: a final error is not retried
  CHECK(session.sent_texts(5) == std::vector<std::string>{"two"});
  CHECK(harness.pending_updates(bot_id) == 0);
  const auto events = harness.events(bot_id, storage::EventKind::send_dropped);
  REQUIRE(events.size() == 1);
  CHECK(events[0].reason == "api_error");
  CHECK(events[0].chat_id == 5);
  CHECK_THAT(events[0].detail, Catch::Contains("sendMessage") && Catch::Contains("blocked"));
}
