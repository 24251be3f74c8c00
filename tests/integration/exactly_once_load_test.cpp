// Issue 8, exactly once in normal operation: tens of thousands of chats write, round after round,
// while their chat actors retire after a 1 s idle timeout and come back for the next round, some
// of them while an update is on its way. With no crash, restart or fault, the README allows no
// duplicate: every update is answered once, and none twice.
#include <catch2/catch.hpp>

#include <chrono>
#include <map>
#include <sstream>
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

constexpr std::int64_t chats = 30'000;
constexpr int rounds = 3;
constexpr std::int64_t first_chat = 1'000'000;

std::string text(std::int64_t chat, int round) {
  return std::to_string(chat) + "/" + std::to_string(round);
}

// Each round is injected in slices, so that chats retire and respawn while updates arrive.
void write_round(hangar::sim::Simulator& sim, const std::string& token, int round) {
  constexpr std::int64_t slices = 20;
  for (std::int64_t slice = 0; slice < slices; ++slice) {
    for (std::int64_t chat = slice; chat < chats; chat += slices)
      inject(sim, token, first_chat + chat, text(chat, round));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace

TEST_CASE("every update is answered exactly once while chats retire and respawn") {
  hangar::sim::Simulator sim;
  TempDir dir;
  // 30,000 live chats need more than the default 64 MiB: a budget restart would be allowed to
  // answer an update twice, and this test is about normal operation.
  HangarServer server(dir, sim.base_url(),
                      {"--chat-idle-timeout", "1s", "--bot-memory-budget", "1GiB"});
  const auto token = start_polling_bots(server, sim, 1, "busy")[0];

  for (int round = 0; round < rounds; ++round) {
    write_round(sim, token, round);
    // Let this round's chats go idle and start retiring as the next round arrives.
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
  }
  const auto expected = static_cast<std::size_t>(chats) * rounds;
  const bool all_answered =
      wait_until([&] { return sent_count(sim, token) >= expected; }, std::chrono::seconds(240));
  std::this_thread::sleep_for(std::chrono::seconds(2));  // a late duplicate would show by now

  std::map<std::string, int> replies;
  for (const auto& message : sim.sent(token)) ++replies[message.text];
  std::size_t missing = 0, doubled = 0;
  std::vector<std::string> examples;
  for (std::int64_t chat = 0; chat < chats; ++chat) {
    for (int round = 0; round < rounds; ++round) {
      const auto count = replies[text(chat, round)];
      if (count == 0) ++missing;
      if (count > 1) ++doubled;
      if (count != 1 && examples.size() < 5)
        examples.push_back(text(chat, round) + " x" + std::to_string(count));
    }
  }
  INFO("answered " << sent_count(sim, token) << " of " << expected << "; " << missing
                   << " unanswered, " << doubled << " answered twice or more, e.g. "
                   << (examples.empty() ? "none" : examples.front()));
  std::string warnings;
  std::istringstream lines(server.log());
  for (std::string line; std::getline(lines, line);)
    if (line.find(" info ") == std::string::npos) warnings += line + "\n";
  INFO("serve's warnings:\n" << warnings.substr(0, 4000));
  CHECK(all_answered);
  CHECK(missing == 0);
  CHECK(doubled == 0);
  CHECK(sent_count(sim, token) == expected);
  CHECK(server.bot("busy0")["restarts"] == 0);
  // And the chats did retire: with rounds 2.8 s apart, each round met chats that were gone.
  CHECK(wait_until([&] { return server.bot("busy0")["chats"] == 0; }, std::chrono::seconds(20)));
}
