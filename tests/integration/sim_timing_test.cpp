// Timing group: the simulator's speed bounds, which hold only in the optimised build on a quiet
// machine. sim_test.cpp checks the same behaviour for correctness under any load.
#include <catch2/catch.hpp>

#include <chrono>
#include <future>
#include <optional>
#include <thread>

#include <nlohmann/json.hpp>

#include "sim/simulator.hpp"
#include "tests/support/sim_bot_client.hpp"
#include "tests/support/sim_helpers.hpp"
#include "tests/support/wait_until.hpp"

using namespace hangar::test;
using Clock = std::chrono::steady_clock;

namespace {
double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}
}  // namespace

TEST_CASE("a long poll answers within 100 ms of an injected message") {
  hangar::sim::Simulator sim;
  const std::string token = test_token(1);
  SimBotClient bot(sim, token);
  auto reply = std::async(std::launch::async, [&] {
    return bot.call("getUpdates", {{"timeout", 10}});
  });
  REQUIRE(wait_for_polls(sim, token, 1, 5s));
  std::this_thread::sleep_for(50ms);  // let the poll park

  const auto injected_at = Clock::now();
  REQUIRE(sim.inject_message(token, 77, "wake up"));
  const auto updates = reply.get();
  const double waited = seconds_since(injected_at);
  WARN("the long poll answered " << waited * 1000 << " ms after the injection");
  CHECK(waited < 0.1);
  CHECK(updates["result"].size() == 1);
}

TEST_CASE("the traffic generator stops within 0.2 s") {
  hangar::sim::Simulator sim;
  SimBotClient(sim, test_token(14)).call("getMe");
  std::optional<hangar::sim::TrafficGenerator> traffic;
  traffic.emplace(sim, hangar::sim::TrafficOptions{3, 200, 500});
  REQUIRE(wait_until([&] { return traffic->injected() >= 60; }, 5s, 10ms));
  const auto stopping = Clock::now();
  traffic.reset();
  const double took = seconds_since(stopping);
  WARN("the traffic generator stopped in " << took * 1000 << " ms");
  CHECK(took < 0.2);
}
