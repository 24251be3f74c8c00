// Acceptance, Connection reuse: a bot making 1000 calls opens at most 2 TCP connections (one for
// the long poll, one for everything else), as sim/ counts them.
#include <catch2/catch.hpp>

#include <string>
#include <thread>

#include "sim/simulator.hpp"
#include "tests/support/hangar_server.hpp"
#include "tests/support/sim_helpers.hpp"
#include "tests/support/wait_until.hpp"

using namespace hangar::test;

TEST_CASE("1000 replies go over at most two connections") {
  hangar::sim::Simulator sim;
  TempDir dir;
  HangarServer server(dir, sim.base_url());
  const std::string token = test_token(1);
  server.add_bot(token, "chatty");
  server.start();
  REQUIRE(wait_for_polls(sim, token, 1, 15s));

  constexpr int messages = 1000;
  const std::int64_t chat = 42;
  // In bursts, so the bot sees both full batches and near-empty polls.
  for (int i = 1; i <= messages; ++i) {
    inject(sim, token, chat, "message " + std::to_string(i));
    if (i % 100 == 0) std::this_thread::sleep_for(50ms);
  }
  REQUIRE(wait_for_sent(sim, token, chat, messages, 60s));

  const auto texts = sent_texts(sim, token, chat);
  CHECK(texts.size() == static_cast<std::size_t>(messages));
  CHECK(texts.front() == "message 1");
  CHECK(texts.back() == "message " + std::to_string(messages));
  const auto counters = sim.counters(token);
  INFO("calls " << counters.calls << ", getUpdates " << counters.get_updates);
  CHECK(counters.calls >= static_cast<std::uint64_t>(messages));
  CHECK(counters.connections <= 2);
  CHECK(tcp_connections(server.process().pid(), sim.port()) <= 2);
}
