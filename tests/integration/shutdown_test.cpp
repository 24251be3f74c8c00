// Acceptance, Shutdown order (issue 7): `serve` gets SIGTERM while users write to counter bots
// (inbox commits and handled-marks in flight on the storage worker) and several threads hammer
// the REST API (read jobs in flight on the same worker). Each time it exits with status 0 and no
// sanitizer report, and once it runs again on the same database nothing was lost: every message
// got a reply and no chat's count went backwards.
//
// The SIGTERMs come at different moments (right after a restart, while bots replay their inbox,
// and in steady traffic) because the parts that could be used after destruction differ with
// what is queued at that moment. Under the sanitizer build a use after destruction shows as an
// AddressSanitizer report in serve's stderr and a nonzero exit.
#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "sim/simulator.hpp"
#include "tests/support/counter_users.hpp"
#include "tests/support/hangar_server.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/polling_bots.hpp"
#include "tests/support/sim_helpers.hpp"
#include "tests/support/wait_until.hpp"

using namespace hangar::test;

namespace {

constexpr int bot_count = 3;
constexpr int chats_per_bot = 4;
constexpr int rest_threads = 4;
// How long after traffic has visibly moved each SIGTERM comes; 0 hits serve while it is still
// starting its bots and replaying what the previous run left in the inbox.
const std::vector<std::chrono::milliseconds> stop_delays{0ms, 40ms, 150ms, 400ms, 5ms};

// Threads asking /api/bots, /api/events and /metrics in a loop on keep-alive connections, so
// that read jobs sit in the storage worker's queue whenever SIGTERM comes. A request cut off by
// the shutdown, or refused while serve is down, is expected; it reconnects to whatever port
// serve listens on now.
class RestLoad {
 public:
  explicit RestLoad(std::uint16_t port) : port_(port) {
    for (int i = 0; i < rest_threads; ++i) threads_.emplace_back([this, i] { run(i); });
  }
  ~RestLoad() { stop(); }

  void stop() {
    running_ = false;
    for (auto& thread : threads_)
      if (thread.joinable()) thread.join();
    threads_.clear();
  }
  void retarget(std::uint16_t port) { port_ = port; }
  std::uint64_t answered() const { return answered_; }
  // Answers other than 200: a request serve took must be answered properly or not at all.
  std::vector<std::string> unexpected() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return unexpected_;
  }

 private:
  void run(int index) {
    static const std::vector<std::string> targets{"/api/bots", "/api/events?limit=50", "/metrics",
                                                  "/api/events?kind=restart"};
    const HttpHeaders headers{{"Authorization", "Bearer " + test_admin_token}};
    std::size_t next = static_cast<std::size_t>(index);
    while (running_) {
      try {
        HttpTestClient client("127.0.0.1", port_, std::nullopt, 5s);
        while (running_) {
          const auto& target = targets[next++ % targets.size()];
          const auto response = client.get(target, headers);
          if (response.status == 200) {
            ++answered_;
          } else {
            std::lock_guard<std::mutex> lock(mutex_);
            if (unexpected_.size() < 5)
              unexpected_.push_back(target + " answered " + std::to_string(response.status) + ": " +
                                    response.body);
          }
        }
      } catch (const std::exception&) {
        std::this_thread::sleep_for(5ms);  // serve is stopping or not up yet
      }
    }
  }

  std::atomic<std::uint16_t> port_;
  std::atomic<bool> running_{true};
  std::atomic<std::uint64_t> answered_{0};
  mutable std::mutex mutex_;
  std::vector<std::string> unexpected_;
  std::vector<std::thread> threads_;
};

std::size_t all_sent(const hangar::sim::Simulator& sim, const std::vector<std::string>& tokens) {
  std::size_t sent = 0;
  for (const auto& token : tokens) sent += sent_count(sim, token);
  return sent;
}

// What AddressSanitizer, LeakSanitizer and UndefinedBehaviorSanitizer print when they find
// something; the optimised build prints none of them.
void check_no_sanitizer_report(const std::string& log) {
  for (const char* marker : {"ERROR: AddressSanitizer", "runtime error:", "LeakSanitizer"}) {
    INFO("serve's stderr:\n" << log);
    CHECK(log.find(marker) == std::string::npos);
  }
}

}  // namespace

TEST_CASE("SIGTERM under REST load and chat traffic exits 0 and loses nothing") {
  hangar::sim::Simulator sim;
  TempDir dir;
  HangarServer server(dir, sim.base_url());
  const std::vector<std::string> tokens =
      start_polling_bots(server, sim, bot_count, "stop", "counter");

  CounterUsers users(sim, tokens, {chats_per_bot, 100, 15ms});  // about 800 messages/s
  RestLoad rest(server.port());
  for (std::size_t round = 0; round < stop_delays.size(); ++round) {
    INFO("SIGTERM " << round + 1 << ", " << stop_delays[round].count() << " ms into traffic");
    const auto sent_before = all_sent(sim, tokens);
    const auto answered_before = rest.answered();
    REQUIRE(wait_until([&] { return all_sent(sim, tokens) >= sent_before + 60; }, 20s, 5ms));
    std::this_thread::sleep_for(stop_delays[round]);
    // Round 0 comes right after start: the REST threads may still be reconnecting.
    if (round > 0) CHECK(rest.answered() > answered_before);

    server.process().terminate();
    const auto status = server.process().wait_for(20s);
    REQUIRE(status.has_value());
    CHECK(status->signal == 0);
    CHECK(status->code == 0);
    check_no_sanitizer_report(server.log());

    server.start();
    rest.retarget(server.port());
  }

  // The last serve keeps running: it answers what the earlier ones left in the inbox.
  users.stop();
  CHECK(wait_until([&] { return users.all_answered(); }, 30s, 100ms));
  std::this_thread::sleep_for(300ms);  // late duplicates, if any, count too
  rest.stop();
  for (const auto& answer : rest.unexpected()) FAIL_CHECK(answer);

  // Exactly once: each chat finished the update in hand, reply and handled-mark, before serve
  // exited, so no restart answers anything again.
  users.check_replies(0);

  server.process().terminate();
  const auto status = server.process().wait_for(20s);
  REQUIRE(status.has_value());
  CHECK(status->code == 0);
  check_no_sanitizer_report(server.log());
}

// A start that fails must not leave anything behind that the shutdown would wait for: the
// fleet starts only once the HTTP port is bound.
TEST_CASE("serve that cannot listen exits 2 at once and starts no bot") {
  hangar::sim::Simulator sim;
  TempDir dir;
  const std::string token = test_token(0);
  REQUIRE(run_hangar({"bot", "add", "--token", token, "--db", dir.file("hangar.db")}, dir)
              .status.code == 0);
  const std::vector<std::string> argv{
      HANGAR_BINARY,   "serve",
      "--db",          dir.file("hangar.db"),
      "--listen",      "127.0.0.1:" + std::to_string(sim.port()),  // taken by the simulator
      "--api-url",     sim.base_url(),
      "--admin-token", test_admin_token};
  ProcessOptions options;
  options.cwd = dir.path();
  const RunResult result = run_process(argv, dir.path(), options, 15s);
  CHECK(result.status.code == 2);
  CHECK(result.err.find("cannot listen on 127.0.0.1:" + std::to_string(sim.port())) !=
        std::string::npos);
  CHECK(sim.counters(token).calls == 0);
  check_no_sanitizer_report(result.err);
}
