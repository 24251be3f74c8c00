// Issue 8, a 429 on a send: Telegram names no limit, so a refused chat waits retry_after alone,
// and refusals of two chats within a second pause the whole bot. The bot runs on and says why its
// replies wait; each reply is sent after the pause, once, and no other chat waits for a chat's
// pause. Hangar's own limits are off here, so that only the simulator's refuse.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "sim/simulator.hpp"
#include "tests/support/budget_helpers.hpp"
#include "tests/support/hangar_server.hpp"
#include "tests/support/polling_bots.hpp"
#include "tests/support/sim_helpers.hpp"
#include "tests/support/wait_until.hpp"

using namespace hangar::test;
using namespace std::chrono_literals;

namespace {

using Texts = std::vector<std::string>;

hangar::sim::SimOptions one_per_second_per_chat(std::size_t count) {
  hangar::sim::SimOptions options;
  options.flood_limits.enabled = true;
  options.flood_limits.per_private_chat = {count, 1s};  // retry_after: 1 s
  return options;
}

Texts say(hangar::sim::Simulator& sim, const std::string& token, std::int64_t chat, int count) {
  Texts texts;
  for (int i = 0; i < count; ++i) {
    texts.push_back("chat " + std::to_string(chat) + " #" + std::to_string(i));
    inject(sim, token, chat, texts.back());
  }
  return texts;
}

// When the simulator refused a send (steady clock, microseconds), in order.
std::vector<std::int64_t> refusals(const hangar::sim::Simulator& sim, const std::string& token) {
  std::vector<std::int64_t> at;
  for (const auto& call : sim.calls(token))
    if (call.flood_refused) at.push_back(call.at_us);
  return at;
}

}  // namespace

TEST_CASE("a 429 on a send pauses that chat for retry_after, and its replies follow, once") {
  hangar::sim::Simulator sim(one_per_second_per_chat(2));
  TempDir dir;
  HangarServer server(dir, sim.base_url());  // Hangar's own limits off
  const auto tokens = start_polling_bots(server, sim, 1, "paused");
  const std::string& token = tokens[0];

  const auto flooded = say(sim, token, 7, 4);
  // The bot says why its replies wait while the chat is paused.
  bool seen_waiting = wait_until(
      [&] {
        const auto bot = server.bot("paused0");
        return bot["state"] == "running" && bot["state_reason"] == "send_flood_wait";
      },
      5s, 20ms);
  CHECK(seen_waiting);
  // Another chat is answered while chat 7 waits.
  say(sim, token, 8, 1);
  REQUIRE(wait_for_sent(sim, token, 8, 1, 5s));
  CHECK(sent_texts(sim, token, 7).size() < 4);

  REQUIRE(wait_for_sent(sim, token, 7, 4, 15s));
  CHECK(sent_texts(sim, token, 7) == flooded);
  const auto refused = refusals(sim, token);
  REQUIRE(refused.size() == 1);
  // Nothing went to the chat before retry_after had passed.
  const auto after = sim.sent(token, 7);
  CHECK(after[2].at_us - refused[0] >= 1'000'000);
  CHECK(wait_until([&] { return server.bot("paused0")["state_reason"].is_null(); }, 5s));

  const auto events = await_bot_events(server, "paused0", "flood_wait", 5s);
  REQUIRE(!events.empty());
  CHECK(events[0]["reason"] == "sends");
  CHECK_THAT(events[0]["detail"].get<std::string>(),
             Catch::Contains("429") && Catch::Contains("chat 7"));
}

TEST_CASE("429s of two chats within a second pause all of the bot's sends") {
  hangar::sim::Simulator sim(one_per_second_per_chat(1));
  TempDir dir;
  HangarServer server(dir, sim.base_url());
  const auto tokens = start_polling_bots(server, sim, 1, "crowded");
  const std::string& token = tokens[0];

  say(sim, token, 7, 2);
  say(sim, token, 8, 2);
  REQUIRE(wait_until([&] { return refusals(sim, token).size() >= 2; }, 5s));
  // A third chat, within its own limit, now waits for the bot's pause too.
  say(sim, token, 9, 1);
  REQUIRE(wait_for_sent(sim, token, 9, 1, 10s));
  const auto refused = refusals(sim, token);
  CHECK(sim.sent(token, 9)[0].at_us - refused[1] >= 1'000'000);

  REQUIRE(wait_for_sent(sim, token, 7, 2, 15s));
  REQUIRE(wait_for_sent(sim, token, 8, 2, 15s));
  const auto events = await_bot_events(server, "crowded0", "flood_wait", 5s);
  bool whole_bot = false;
  for (const auto& event : events)
    whole_bot |= event["detail"].get<std::string>().find("all chats") != std::string::npos;
  CHECK(whole_bot);
}
