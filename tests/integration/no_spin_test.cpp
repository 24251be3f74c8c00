// Acceptance, No spin: sampled over 20 s, 20 idle bots use under 2% of one core; with sim/
// answering getUpdates at once (no long poll), under 5%, because empty polls are spaced.
#include <catch2/catch.hpp>

#include <chrono>
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
constexpr auto sample_time = 20s;

// Share of one core that serve used over `sample_time`.
double cpu_share(hangar::test::Process& serve) {
  const auto before = serve.cpu_time();
  const auto start = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(sample_time);
  const auto used = serve.cpu_time() - before;
  return used.count() /
         std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::uint64_t total_polls(const hangar::sim::Simulator& sim,
                          const std::vector<std::string>& tokens) {
  std::uint64_t sum = 0;
  for (const auto& token : tokens) sum += sim.counters(token).get_updates;
  return sum;
}

}  // namespace

TEST_CASE("idle bots do not spin, even against a server that answers polls at once") {
  hangar::sim::Simulator sim;
  TempDir dir;
  HangarServer server(dir, sim.base_url());
  const std::vector<std::string> tokens = start_polling_bots(server, sim, bot_count, "idle");
  std::this_thread::sleep_for(3s);  // startup work (getMe, migrations) is not idling

  const double long_poll_share = cpu_share(server.process());
  INFO("CPU with long polls: " << long_poll_share * 100 << "% of one core");
  CHECK(long_poll_share < 0.02);

  // A fresh serve against the switched simulator: a long poll already pending would only
  // return at its 50 s timeout, and the test need not wait for that.
  server.kill();
  sim.set_faults("", hangar::sim::Faults{true, false, false});
  server.start();
  for (const auto& token : tokens) REQUIRE(wait_for_polls(sim, token, 3, 15s));
  std::this_thread::sleep_for(3s);
  const auto polls_before = total_polls(sim, tokens);
  const double instant_share = cpu_share(server.process());
  const auto polls = total_polls(sim, tokens) - polls_before;
  INFO("CPU with instant getUpdates: " << instant_share * 100 << "% of one core, " << polls
                                       << " polls by " << bot_count << " bots in 20 s");
  CHECK(instant_share < 0.05);
  // Settings::min_empty_poll_interval is 1 s: about 20 polls per bot in 20 s, never hundreds.
  CHECK(polls <= static_cast<std::uint64_t>(bot_count) * 25);
  CHECK(polls >= static_cast<std::uint64_t>(bot_count) * 5);  // and they do keep polling
}
