// Acceptance, Fleet: 20 counter bots × 50 chats × 3 messages against sim/. Every message is
// answered exactly once, in order, with the right count; idle chat actors go away; a chat that
// writes again continues its count from SQLite.
#include <catch2/catch.hpp>

#include <string>
#include <thread>
#include <vector>

#include "sim/simulator.hpp"
#include "tests/support/hangar_server.hpp"
#include "tests/support/polling_bots.hpp"
#include "tests/support/sim_helpers.hpp"
#include "tests/support/wait_until.hpp"

using namespace hangar::test;

namespace {
constexpr int bot_count = 20;
constexpr int chats_per_bot = 50;
constexpr std::int64_t first_chat = 5000;
}  // namespace

TEST_CASE("a fleet of counter bots answers every chat in order and frees idle chats") {
  hangar::sim::Simulator sim;
  TempDir dir;
  HangarServer server(dir, sim.base_url(), {"--chat-idle-timeout", "1s"});
  const std::vector<std::string> tokens =
      start_polling_bots(server, sim, bot_count, "fleet", "counter");

  const std::vector<std::string> words{"a", "b", "c"};
  for (const auto& word : words)
    for (const auto& token : tokens)
      for (int c = 0; c < chats_per_bot; ++c) inject(sim, token, first_chat + c, word);

  const std::size_t expected = bot_count * chats_per_bot * words.size();
  auto total_sent = [&] {
    std::size_t sum = 0;
    for (const auto& token : tokens) sum += sent_count(sim, token);
    return sum;
  };
  REQUIRE(wait_until([&] { return total_sent() >= expected; }, 120s));
  // Give duplicates, if any, time to show up before counting "exactly once".
  std::this_thread::sleep_for(1s);
  CHECK(total_sent() == expected);

  const std::vector<std::string> in_order{"#1 a", "#2 b", "#3 c"};
  std::size_t wrong_chats = 0;
  for (const auto& token : tokens)
    for (int c = 0; c < chats_per_bot; ++c) {
      auto texts = sent_texts(sim, token, first_chat + c);
      if (texts != in_order) {
        if (++wrong_chats <= 3)
          UNSCOPED_INFO("chat " << first_chat + c << " got: " << nlohmann::json(texts).dump());
      }
    }
  CHECK(wrong_chats == 0);

  INFO("hangar_chat_actors after the 1 s idle timeout");
  auto chat_actor_samples = [&] {
    std::size_t count = 0;
    for (const auto& sample : server.metrics()) count += sample.name == "hangar_chat_actors";
    return count;
  };
  CHECK(chat_actor_samples() == bot_count);  // so the sum below is not vacuously 0
  CHECK(wait_until([&] { return metric_sum(server.metrics(), "hangar_chat_actors") == 0; }, 20s,
                   250ms));

  const std::string& token = tokens.front();
  inject(sim, token, first_chat, "d");
  REQUIRE(wait_for_sent(sim, token, first_chat, 4, 15s));
  CHECK(sent_texts(sim, token, first_chat).back() == "#4 d");
}
