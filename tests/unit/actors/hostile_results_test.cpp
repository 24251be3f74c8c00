// `ok: true` answers whose result has the wrong type, found by the fuzz corpus test: on the real
// supervisor and bot actors with scripted sessions, a getUpdates result that is no list of
// updates is a bad response (backoff that grows, then polling again), never a crash of the bot,
// and a getMe result without a usable username leaves the username empty.
#include <catch2/catch.hpp>

#include "tests/unit/actors/fleet_harness.hpp"

using namespace hangar;
using namespace hangar::test;
using namespace std::chrono_literals;
using nlohmann::json;

TEST_CASE("a getUpdates result that is no list is a bad response that backs off, not a crash") {
  auto settings = FleetHarness::default_settings();
  settings.timings.api_backoff_first = 1000ms;
  settings.timings.api_backoff_max = 8000ms;
  FleetHarness harness(settings);
  const auto id = harness.start_with_bot("hostile");
  const auto token = FleetHarness::token_of("hostile");
  const auto status = harness.fleet().find(id);

  for (const json& result : {json::object(), json{{"update_id", 1}}, json(5), json("[]")}) {
    INFO(result.dump());
    auto& session = harness.session(token);
    REQUIRE(session.polling());
    session.answer_poll(ScriptedSession::ok_result(result));
    harness.settle();
    const auto report = status->state_report();
    CHECK(report.state == BotState::backoff);
    CHECK(report.reason == "bad_response");
    CHECK_THAT(status->last_error().value_or(""), Catch::Contains("not an array"));
    harness.advance(10s);  // past the backoff: it polls again
    harness.settle();
  }
  CHECK(harness.sessions(token).size() == 1);  // the same bot actor all along
  CHECK(harness.events(id, storage::EventKind::restart).empty());

  auto& session = harness.session(token);
  REQUIRE(session.polling());
  session.deliver({text_update(1, 5, "still answering")});
  harness.settle();
  CHECK(session.sent_texts(5) == std::vector<std::string>{"still answering"});
  CHECK(status->state == BotState::running);
}

TEST_CASE("a getMe result without a usable username leaves it empty, and the bot polls") {
  for (const json& me : {json(5), json::array(), json{{"id", 1}, {"username", 7}}}) {
    INFO(me.dump());
    FleetHarness harness;
    const auto id = harness.add_bot("anonymous");
    const auto token = FleetHarness::token_of("anonymous");
    harness.start();
    for (int round = 0; round < 100 && harness.sessions(token).empty(); ++round) {
      harness.run_actors();
      harness.run_storage();
    }
    REQUIRE_FALSE(harness.sessions(token).empty());
    harness.session(token).script("getMe", ScriptedSession::ok_result(me));
    harness.settle();
    CHECK(harness.session(token).polling());
    CHECK(harness.fleet().find(id)->username().empty());
    CHECK(harness.events(id, storage::EventKind::restart).empty());
  }
}
