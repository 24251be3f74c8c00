// Issue 8, rate limits: a flood in one chat and in one group is sent at their limits, as the
// simulator measures them on arrival, while the bot's other chats are answered at once. The
// simulator enforces the same limits on its own (sim/flood_limiter.cpp), and never has to
// refuse a send. Millisecond-scale limits keep the test short; the outbox treats them as it
// treats Telegram's.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "sim/simulator.hpp"
#include "tests/support/hangar_server.hpp"
#include "tests/support/polling_bots.hpp"
#include "tests/support/sim_helpers.hpp"
#include "tests/support/wait_until.hpp"

using namespace hangar::test;
using namespace std::chrono_literals;

namespace {

constexpr std::int64_t flooded_chat = 7;
constexpr std::int64_t flooded_group = -100;
constexpr std::int64_t first_quiet_chat = 20;
constexpr int quiet_chats = 5;

struct Limit {
  std::size_t count;
  std::chrono::microseconds period;
};

// The shortest time any `count + 1` consecutive arrivals took: under the limit it is at least
// `period`, because no window of that length holds more than `count`.
std::chrono::microseconds tightest_window(const std::vector<hangar::sim::SentMessage>& sent,
                                          std::size_t count) {
  auto tightest = std::chrono::microseconds::max();
  for (std::size_t i = 0; i + count < sent.size(); ++i)
    tightest = std::min(tightest, std::chrono::microseconds(sent[i + count].at_us - sent[i].at_us));
  return tightest;
}

}  // namespace

TEST_CASE("a flooded chat and group are sent at their limits, and other chats are not delayed") {
  const Limit chat_limit{2, 400ms};
  const Limit group_limit{4, 2s};
  hangar::sim::SimOptions sim_options;
  sim_options.flood_limits.enabled = true;
  sim_options.flood_limits.per_bot = {30, 1s};
  sim_options.flood_limits.per_private_chat = {chat_limit.count, 400ms};
  sim_options.flood_limits.per_group = {group_limit.count, 2s};
  hangar::sim::Simulator sim(sim_options);
  TempDir dir;
  HangarServer server(dir, sim.base_url(), {"--flood-limits", "bot=30/1s,chat=2/400ms,group=4/2s"});
  const auto tokens = start_polling_bots(server, sim, 1, "flood");
  const std::string& token = tokens[0];

  for (int i = 0; i < 12; ++i) inject(sim, token, flooded_chat, "chat " + std::to_string(i));
  for (int i = 0; i < 10; ++i)
    REQUIRE(sim.inject_group_message(token, flooded_group, 42, "group " + std::to_string(i)));

  // While both floods wait out their windows, other chats write within their own limit.
  const auto injected_at = std::chrono::steady_clock::now();
  for (int chat = 0; chat < quiet_chats; ++chat)
    inject(sim, token, first_quiet_chat + chat, "quiet " + std::to_string(chat));
  for (int chat = 0; chat < quiet_chats; ++chat)
    REQUIRE(wait_for_sent(sim, token, first_quiet_chat + chat, 1, 10s));
  const auto quiet_answered_in = std::chrono::steady_clock::now() - injected_at;
  INFO("the quiet chats were answered within "
       << std::chrono::duration_cast<std::chrono::milliseconds>(quiet_answered_in).count()
       << " ms");
  CHECK(quiet_answered_in < 1s);  // the chat flood alone takes 2 s, the group's 4 s

  REQUIRE(wait_for_sent(sim, token, flooded_chat, 12, 20s));
  REQUIRE(wait_for_sent(sim, token, flooded_group, 10, 20s));
  const auto chat_sent = sim.sent(token, flooded_chat);
  const auto group_sent = sim.sent(token, flooded_group);
  CHECK(tightest_window(chat_sent, chat_limit.count) >= chat_limit.period);
  CHECK(tightest_window(group_sent, group_limit.count) >= group_limit.period);
  // At the limit, not far below it: 12 replies in windows of 2 take 5 windows, 10 in windows of
  // 4 take 2 (with a generous margin for a loaded machine).
  const auto span = [](const std::vector<hangar::sim::SentMessage>& sent) {
    return std::chrono::microseconds(sent.back().at_us - sent.front().at_us);
  };
  CHECK(span(chat_sent) < 5 * chat_limit.period + 1500ms);
  CHECK(span(group_sent) < 2 * group_limit.period + 1500ms);

  // Every message answered once, in order.
  std::vector<std::string> expected;
  for (int i = 0; i < 12; ++i) expected.push_back("chat " + std::to_string(i));
  CHECK(sent_texts(sim, token, flooded_chat) == expected);
  CHECK(sim.counters(token).flood_refused == 0);
  CHECK(server.bot("flood0")["state"] == "running");
}
