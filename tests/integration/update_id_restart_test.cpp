// Issue 8, update ids that go backwards: Telegram restarts a bot's update ids (at a random value)
// after a week without updates, and the official server answers an offset past its newest id
// from the start of its queue. The bot must take the new updates as new, in order, in the chats
// that are still live, let its offset follow them down, not spin, and say so in an event; a
// restart of serve afterwards answers nothing twice.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "sim/simulator.hpp"
#include "tests/support/budget_helpers.hpp"
#include "tests/support/hangar_server.hpp"
#include "tests/support/polling_bots.hpp"
#include "tests/support/sim_helpers.hpp"
#include "tests/support/wait_until.hpp"

using namespace hangar::test;

namespace {

constexpr std::int64_t chat = 7;
constexpr std::int64_t new_chat = 8;
constexpr std::int64_t neighbour_chat = 9;

using Texts = std::vector<std::string>;

void say(hangar::sim::Simulator& sim, const std::string& token, std::int64_t to,
         const Texts& texts) {
  for (const auto& text : texts) inject(sim, token, to, text);
}

}  // namespace

TEST_CASE("update ids that restart below the offset are handled once, in order, without a spin") {
  hangar::sim::Simulator sim;
  TempDir dir;
  HangarServer server(dir, sim.base_url());
  const auto tokens = start_polling_bots(server, sim, 2, "ids");
  const std::string& token = tokens[0];

  // A week of traffic took the ids high; the bot's offset follows them.
  REQUIRE(sim.restart_update_ids(token, 1'000'000));
  say(sim, token, chat, {"high 1", "high 2", "high 3"});
  REQUIRE(wait_for_sent(sim, token, chat, 3, 15s));

  // Telegram restarts the ids far below the offset, while chat 7's actor is still live.
  REQUIRE(sim.restart_update_ids(token, 500));
  say(sim, token, chat, {"low 1", "low 2"});
  say(sim, token, new_chat, {"low in a new chat"});
  say(sim, token, chat, {"low 3"});
  REQUIRE(wait_for_sent(sim, token, chat, 6, 15s));
  REQUIRE(wait_for_sent(sim, token, new_chat, 1, 15s));
  CHECK(sent_texts(sim, token, chat) ==
        Texts{"high 1", "high 2", "high 3", "low 1", "low 2", "low 3"});
  CHECK(sent_texts(sim, token, new_chat) == Texts{"low in a new chat"});

  // Caught up and parked in its long poll again: a handful of polls, not thousands a second.
  std::this_thread::sleep_for(1s);
  const auto polls_before = sim.counters(token).get_updates;
  std::this_thread::sleep_for(2s);
  const auto polls = sim.counters(token).get_updates - polls_before;
  INFO(polls << " getUpdates in 2 s after the restart of the ids");
  CHECK(polls <= 4);
  CHECK(server.bot("ids0")["state"] == "running");

  const auto events = await_bot_events(server, "ids0", "ids_restarted", 10s);
  REQUIRE(events.size() == 1);
  CHECK(events[0]["reason"] == "update_ids");
  CHECK(events[0]["detail"].get<std::string>().find("below offset 1000003") != std::string::npos);

  // The neighbour never noticed.
  say(sim, tokens[1], neighbour_chat, {"neighbour"});
  REQUIRE(wait_for_sent(sim, tokens[1], neighbour_chat, 1, 15s));

  // serve starts again from the lowered offset: nothing confirmed is handled twice, and the
  // new ids go on.
  server.stop();
  server.start();
  say(sim, token, chat, {"after restart"});
  REQUIRE(wait_for_sent(sim, token, chat, 7, 15s));
  std::this_thread::sleep_for(1s);
  CHECK(sent_texts(sim, token, chat) ==
        Texts{"high 1", "high 2", "high 3", "low 1", "low 2", "low 3", "after restart"});
  CHECK(sent_texts(sim, token, new_chat).size() == 1);
  CHECK(bot_events(server, "ids0", "ids_restarted").size() == 1);
}
