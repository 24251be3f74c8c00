// Acceptance, Hot config: `hangar bot add/remove/set` from another process while `serve` runs
// take effect within 2 s, and a removed bot's connections close.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>

#include "sim/simulator.hpp"
#include "tests/support/hangar_server.hpp"
#include "tests/support/sim_helpers.hpp"
#include "tests/support/wait_until.hpp"

using namespace hangar::test;
using Clock = std::chrono::steady_clock;

namespace {
// README: a running serve follows a CLI change within 2 s.
constexpr auto follow_time = 2s;

void run_ok(const HangarServer& server, const std::vector<std::string>& args) {
  RunResult result = server.run_cli(args);
  INFO("hangar " << nlohmann::json(args).dump() << " stderr: " << result.err);
  REQUIRE(result.status.code == 0);
}
}  // namespace

TEST_CASE("serve follows bot changes made with the CLI") {
  hangar::sim::Simulator sim;
  TempDir dir;
  HangarServer server(dir, sim.base_url());
  const std::string resident = test_token(1);  // so serve has a fleet before the change
  server.add_bot(resident, "resident");
  server.start();
  REQUIRE(wait_for_polls(sim, resident, 1, 15s));

  SECTION("a bot added while serve runs is polling within 2 s") {
    const std::string token = test_token(2);
    run_ok(server, {"bot", "add", "--token", token, "--name", "newcomer"});
    const auto added = Clock::now();
    CHECK(wait_for_polls(sim, token, 1, follow_time));
    INFO("polling after " << std::chrono::duration<double>(Clock::now() - added).count() << " s");
    CHECK(wait_until([&] { return server.bot("newcomer").value("state", "") == "running"; },
                     follow_time));
    inject(sim, token, 7, "hello");
    REQUIRE(wait_for_sent(sim, token, 7, 1, 10s));
    CHECK(sent_texts(sim, token, 7).front() == "hello");
  }

  SECTION("a removed bot stops polling and closes its connections") {
    const auto pid = server.process().pid();
    const std::size_t resident_connections = tcp_connections(pid, sim.port());
    const std::string token = test_token(3);
    run_ok(server, {"bot", "add", "--token", token, "--name", "leaver"});
    REQUIRE(wait_for_polls(sim, token, 1, 10s));
    inject(sim, token, 7, "open the second connection");
    REQUIRE(wait_for_sent(sim, token, 7, 1, 10s));
    CHECK(tcp_connections(pid, sim.port()) > resident_connections);

    run_ok(server, {"bot", "remove", "leaver"});
    CHECK(wait_until([&] { return server.bot("leaver").is_null(); }, follow_time));
    // Only the resident bot's connections to sim/ may remain.
    CHECK(wait_until([&] { return tcp_connections(pid, sim.port()) <= resident_connections; },
                     follow_time));
    const auto polls = sim.counters(token).get_updates;
    std::this_thread::sleep_for(3s);
    CHECK(sim.counters(token).get_updates == polls);
    CHECK(tcp_connections(pid, sim.port()) <= resident_connections);
    inject(sim, token, 7, "anyone there?");
    std::this_thread::sleep_for(1s);
    CHECK(sent_texts(sim, token, 7).size() == 1);
  }

  SECTION("bot set --behavior takes effect within 2 s") {
    inject(sim, resident, 9, "before");
    REQUIRE(wait_for_sent(sim, resident, 9, 1, 10s));
    CHECK(sent_texts(sim, resident, 9).back() == "before");

    run_ok(server, {"bot", "set", "resident", "--behavior", "counter"});
    std::this_thread::sleep_for(follow_time);
    inject(sim, resident, 9, "after");
    REQUIRE(wait_for_sent(sim, resident, 9, 2, 10s));
    const std::string reply = sent_texts(sim, resident, 9).back();
    INFO("reply: " << reply);
    CHECK(counter_value(reply) >= 1);
    CHECK(reply.substr(reply.find(' ') + 1) == "after");
  }
}
