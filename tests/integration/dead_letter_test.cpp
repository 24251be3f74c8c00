// An update that crashes its chat actor three times is set aside in the dead-letter table, with
// an event, and the chat goes on with its next update. Other chats never notice.
#include <catch2/catch.hpp>

#include <string>

#include "sim/simulator.hpp"
#include "tests/support/hangar_server.hpp"
#include "tests/support/sim_helpers.hpp"
#include "tests/support/wait_until.hpp"

using namespace hangar::test;

TEST_CASE("an update that keeps crashing its chat is dead-lettered and the chat moves on") {
  hangar::sim::Simulator sim;
  TempDir dir;
  HangarServer server(dir, sim.base_url());
  const std::string token = test_token(1);
  server.add_bot(token, "fragile", "crash-on:boom");
  server.start();
  REQUIRE(wait_for_polls(sim, token, 1, 15s));

  inject(sim, token, 1, "before");
  inject(sim, token, 1, "boom");
  inject(sim, token, 1, "after");
  inject(sim, token, 2, "elsewhere");

  REQUIRE(wait_for_sent(sim, token, 1, 2, 20s));
  CHECK(sent_texts(sim, token, 1) == std::vector<std::string>{"before", "after"});
  CHECK(sent_texts(sim, token, 2) == std::vector<std::string>{"elsewhere"});

  nlohmann::json events;
  REQUIRE(wait_until(
      [&] {
        events = server.api_get("/api/events?kind=dead_letter");
        return events.size() == 1;
      },
      10s, 50ms));
  CHECK(events[0]["bot"] == "fragile");
  CHECK(events[0]["chat"] == 1);
  CHECK(events[0]["reason"] == "crash");
  CHECK_THAT(events[0]["detail"].get<std::string>(), Catch::Contains("crashed its chat actor 3"));

  // The bot itself was never restarted: only the chat's actor crashed.
  CHECK(server.bot("fragile")["restarts"] == 0);
  CHECK(server.bot("fragile")["state"] == "running");
}
