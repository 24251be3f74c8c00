// Acceptance, Guard (issue 3): with --memory-limit below what many idle chats hold, idle chats
// are freed first (least recently active first), and a bot is restarted only if that is not
// enough. Nothing is lost either way.
//
// Serve runs with --memory-limit 12MiB (the guard acts from 90% of it), --chat-idle-timeout 10m
// (so only the guard frees chats) and budgets too large to trip. Three situations:
// - many idle chats: 300 chats of a leak:64KiB bot write once each (about 19 MiB in all); the
//   guard evicts idle chats and never restarts the bot;
// - a burst that has ended: a leak:2MiB chat takes the heap over the limit; its replies are
//   held up (a proxy in front of the simulator) until the guard's first eviction, then let go,
//   so the chat is idle again well before the guard looks a second time. Freeing it is enough:
//   no bot may be restarted;
// - a chat that stays busy: a burst of 300 messages into one leak:64KiB chat, whose 201st reply
//   is held up, so the chat holds more than the limit with an update in hand and refuses to go.
//   Evictions come first and cannot be enough; the guard restarts the bot (restart/memory_limit)
//   and the inbox replays what the chat had not handled.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "sim/simulator.hpp"
#include "tests/support/budget_helpers.hpp"
#include "tests/support/hangar_server.hpp"
#include "tests/support/holding_proxy.hpp"
#include "tests/support/sim_helpers.hpp"
#include "tests/support/wait_until.hpp"

using namespace hangar::test;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::uint64_t limit = 12 * 1024 * 1024;
constexpr std::int64_t first_idle_chat = 10000;

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Wall-clock microseconds of a simulator record (stamped with the steady clock).
std::int64_t wall_us_of(const hangar::sim::SentMessage& message) {
  const auto wall_minus_steady_us =
      std::chrono::duration_cast<std::chrono::microseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count() -
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now().time_since_epoch())
          .count();
  return message.at_us + wall_minus_steady_us;
}

// hangar_heap_metered_bytes from /metrics every 20 ms: the largest value, and when (wall clock)
// it was first seen at or over the limit.
class HeapWatcher {
 public:
  explicit HeapWatcher(const HangarServer& server) : server_(server), thread_([this] { run(); }) {}
  ~HeapWatcher() { stop(); }
  void stop() {
    running_ = false;
    if (thread_.joinable()) thread_.join();
  }
  double max_heap() const { return max_heap_; }
  std::int64_t first_over_limit_ms() const { return first_over_limit_ms_; }  // 0: never
  void reset() {
    max_heap_ = 0;
    first_over_limit_ms_ = 0;
  }

 private:
  void run() {
    while (running_) {
      try {
        const double heap = metric_sum(server_.metrics(), "hangar_heap_metered_bytes");
        if (heap > max_heap_) max_heap_ = heap;
        if (heap >= static_cast<double>(limit) && first_over_limit_ms_ == 0)
          first_over_limit_ms_ = wall_ms();
      } catch (const std::exception&) {
      }
      std::this_thread::sleep_for(20ms);
    }
  }
  const HangarServer& server_;
  std::atomic<bool> running_{true};
  std::atomic<double> max_heap_{0};
  std::atomic<std::int64_t> first_over_limit_ms_{0};
  std::thread thread_;
};

struct GuardedFleet {
  hangar::sim::Simulator sim;
  HoldingProxy proxy{sim.port()};
  TempDir dir;
  HangarServer server{
      dir,
      sim.base_url(),
      {"--memory-limit", "12MiB", "--chat-idle-timeout", "10m", "--chat-memory-budget", "64MiB"}};
  Written written;

  // Adds a bot; `held` ones reach the simulator through the proxy.
  std::string add(int index, const std::string& name, const std::string& behavior, bool held) {
    const std::string token = test_token(index);
    std::vector<std::string> args{"bot",    "add", "--token",    token,
                                  "--name", name,  "--behavior", behavior};
    if (held) {
      args.push_back("--api-url");
      args.push_back(proxy.url());
    }
    RunResult result = server.run_cli(args);
    INFO("bot add " << name << ": " << result.err);
    REQUIRE(result.status.code == 0);
    return token;
  }

  void start(const std::vector<std::string>& tokens) {
    server.start();
    for (const auto& token : tokens) REQUIRE(wait_for_polls(sim, token, 1, 15s));
  }

  // `count` chats write one message each, `gap` apart; waits until all are answered.
  void fill_idle_chats(const std::string& token, int count, std::chrono::milliseconds gap) {
    for (int i = 0; i < count; ++i) {
      write_message(sim, written, token, first_idle_chat + i, "once-" + std::to_string(i));
      std::this_thread::sleep_for(gap);
    }
    std::vector<std::string> examples;
    const bool answered =
        wait_until([&] { return written.unanswered(sim, token) == 0; }, 30s, 100ms);
    const auto missing = written.unanswered(sim, token, &examples);
    INFO(missing << " unanswered, e.g. " << nlohmann::json(examples).dump());
    CHECK(answered);
  }

  // The events of every bot, newest first.
  nlohmann::json events() const { return server.api_get("/api/events?limit=1000"); }
};

std::vector<nlohmann::json> memory_limit_restarts(const nlohmann::json& events) {
  return events_where(events, {{"kind", "restart"}, {"reason", "memory_limit"}});
}

}  // namespace

TEST_CASE("the memory guard frees idle chats, least recently active first, without restarting") {
  GuardedFleet fleet;
  const auto token = fleet.add(1, "hoarder", "leak:64KiB", false);
  const auto bystander = fleet.add(2, "bystander", "echo", false);
  fleet.start({token, bystander});
  HeapWatcher heap(fleet.server);

  // 300 chats write once each, about 30 a second: 300 x 64 KiB would be 19 MiB.
  const auto start = Clock::now();
  for (int i = 0; i < 300; ++i) {
    write_message(fleet.sim, fleet.written, token, first_idle_chat + i,
                  "once-" + std::to_string(i));
    if (i % 10 == 0)
      write_message(fleet.sim, fleet.written, bystander, 1, "hello-" + std::to_string(i));
    std::this_thread::sleep_for(33ms);
  }
  const bool answered = wait_until(
      [&] {
        return fleet.written.unanswered(fleet.sim, token) == 0 &&
               fleet.written.unanswered(fleet.sim, bystander) == 0;
      },
      30s, 100ms);
  const double took_s = std::chrono::duration<double>(Clock::now() - start).count();
  std::this_thread::sleep_for(1500ms);  // a restart decided late would show by now
  heap.stop();

  const auto events = bot_events(fleet.server, "hoarder");
  const auto evicts = events_where(events, {{"kind", "evict"}});
  const auto hoarder = fleet.server.bot("hoarder");
  std::vector<std::string> examples;
  const auto missing = fleet.written.unanswered(fleet.sim, token, &examples);
  INFO(missing << " unanswered, e.g. " << nlohmann::json(examples).dump());
  INFO("hoarder: " << hoarder.dump() << "\nevents:\n" << describe_events(events));
  INFO("serve log tail:\n" << log_tail(fleet.server));
  WARN("300 chats in " << took_s << " s: " << evicts.size() << " evict events, chats "
                       << hoarder["chats"] << ", live_bytes " << hoarder["live_bytes"]
                       << ", max metered heap " << heap.max_heap() << " of a " << limit
                       << " limit");
  CHECK(answered);
  CHECK(missing == 0);
  REQUIRE_FALSE(evicts.empty());
  for (const auto& event : evicts) {
    INFO(event.dump());
    CHECK(event["reason"] == "memory_limit");
    CHECK(event["chat"].is_null());
    CHECK(event["budget"] == limit);
    CHECK(event["live_bytes"].get<std::int64_t>() > 0);
  }
  CHECK(events_where(events, {{"kind", "restart"}}).empty());
  CHECK(hoarder["restarts"] == 0);
  CHECK(hoarder["state"] == "running");
  CHECK(hoarder["chats"].get<int>() < 300);
  CHECK(hoarder["live_bytes"].get<std::uint64_t>() < limit);
  CHECK(heap.max_heap() < static_cast<double>(limit));

  // Least recently active first: the newest chats are still there, the oldest are gone.
  std::set<std::int64_t> active;
  for (const auto& chat :
       fleet.server.api_get("/api/bots/" + hoarder["id"].dump() + "/chats?limit=1000"))
    active.insert(chat["chat_id"].get<std::int64_t>());
  CHECK(active.count(first_idle_chat + 299) == 1);
  CHECK(active.count(first_idle_chat) == 0);

  CHECK(fleet.server.bot("bystander")["restarts"] == 0);
}

TEST_CASE("a chat whose burst has ended is freed by the memory guard, not restarted with its bot") {
  GuardedFleet fleet;
  const auto token = fleet.add(1, "hoarder", "leak:64KiB", false);
  const auto lump = fleet.add(2, "lump", "leak:2MiB", true);
  fleet.start({token, lump});

  // About 8 MiB of idle chats: under 90% of the limit, so the guard has nothing to do yet.
  fleet.fill_idle_chats(token, 120, 10ms);
  std::this_thread::sleep_for(500ms);
  const auto quiet_events = fleet.events();
  INFO("events before the burst:\n" << describe_events(quiet_events));
  REQUIRE(quiet_events.empty());

  // The lump chat answers 2 messages, then keeps its 3rd update in hand (its reply held up)
  // with 3 more queued: about 6 MiB more, over the limit, and busy.
  HeapWatcher heap(fleet.server);
  fleet.proxy.hold_after(2);
  std::vector<std::string> burst;
  for (int i = 0; i < 6; ++i) {
    burst.push_back("lump-" + std::to_string(i));
    write_message(fleet.sim, fleet.written, lump, 30000, burst.back());
  }
  // The guard's first move: evicting idle chats, which the busy lump chat is not.
  nlohmann::json evicts;
  const bool evicted = wait_until(
      [&] {
        evicts = events_where(fleet.events(), {{"kind", "evict"}});
        return !evicts.empty();
      },
      20s, 10ms);
  const auto released_ms = wall_ms();
  fleet.proxy.release();
  INFO("serve log tail:\n" << log_tail(fleet.server));
  REQUIRE(evicted);
  // Let go, the chat answers the rest within moments and is idle: 12 MiB in one idle chat.
  const bool answered =
      wait_until([&] { return fleet.written.unanswered(fleet.sim, lump) == 0; }, 20s, 10ms);
  std::int64_t last_reply_ms = 0;
  for (const auto& message : fleet.sim.sent(lump, 30000))
    last_reply_ms = std::max<std::int64_t>(last_reply_ms, wall_us_of(message) / 1000);
  // Give the guard time to act again (it escalates 300 ms to 1.2 s after evicting).
  std::this_thread::sleep_for(3s);
  const bool heap_back = wait_until(
      [&] {
        return metric_sum(fleet.server.metrics(), "hangar_heap_metered_bytes") <
               static_cast<double>(limit);
      },
      5s, 50ms);
  heap.stop();

  const auto events = fleet.events();
  const auto restarts = memory_limit_restarts(events);
  INFO("events:\n" << describe_events(events));
  WARN("burst that ended: first eviction answered at "
       << format_ms(released_ms) << ", lump's last reply at " << format_ms(last_reply_ms) << "; "
       << restarts.size() << " memory_limit restarts; max heap " << heap.max_heap());
  CHECK(answered);
  CHECK(fleet.written.unanswered(fleet.sim, lump) == 0);
  CHECK(fleet.written.unanswered(fleet.sim, token) == 0);
  CHECK(heap_back);
  // Freeing idle chats was enough once the lump chat was idle: no bot is restarted.
  for (const auto& restart : restarts) {
    const auto stopped_ms = parse_rfc3339_ms(restart["stopped_at"].get<std::string>());
    FAIL_CHECK("bot " << restart["bot"] << " restarted for the memory limit at "
                      << restart["stopped_at"] << ", " << (stopped_ms - last_reply_ms)
                      << " ms after the lump chat's last reply (idle since; it held " << 6 * 2
                      << " MiB that eviction would have freed)");
  }
  CHECK(fleet.server.bot("lump")["restarts"] == 0);
  CHECK(fleet.server.bot("hoarder")["restarts"] == 0);
}

TEST_CASE("a chat that stays busy over the memory limit gets its bot restarted, after evictions") {
  GuardedFleet fleet;
  const auto token = fleet.add(1, "hoarder", "leak:64KiB", true);
  const auto bystander = fleet.add(2, "bystander", "echo", false);
  fleet.start({token, bystander});
  write_message(fleet.sim, fleet.written, bystander, 1, "hello");

  // About 8.5 MiB of idle chats, under 90% of the limit.
  fleet.fill_idle_chats(token, 130, 10ms);
  std::this_thread::sleep_for(500ms);
  REQUIRE(fleet.events().empty());

  // A burst of 300 into one chat; its 201st reply is held up, so the chat keeps 201 x 64 KiB
  // (more than the limit on its own) with an update in hand and 99 queued.
  constexpr int burst = 300;
  constexpr int answered_before_hold = 200;
  constexpr std::int64_t burst_chat = 20000;
  HeapWatcher heap(fleet.server);
  fleet.proxy.hold_after(answered_before_hold);
  const auto burst_ms = wall_ms();
  for (int i = 0; i < burst; ++i)
    write_message(fleet.sim, fleet.written, token, burst_chat, "burst-" + std::to_string(i));

  std::vector<nlohmann::json> restarts;
  const bool restarted = wait_until(
      [&] {
        restarts = memory_limit_restarts(fleet.events());
        return !restarts.empty();
      },
      30s, 20ms);
  // Read before anything else: the stopped bot closed the connection its reply was held on.
  const std::size_t holds = fleet.proxy.holds_begun();
  fleet.proxy.release();
  const bool answered =
      wait_until([&] { return fleet.written.unanswered(fleet.sim, token) == 0; }, 60s, 200ms);
  heap.stop();

  const auto events = fleet.events();
  std::vector<std::string> examples;
  const auto missing = fleet.written.unanswered(fleet.sim, token, &examples);
  const auto hoarder = fleet.server.bot("hoarder");
  INFO(missing << " unanswered, e.g. " << nlohmann::json(examples).dump());
  INFO("hoarder: " << hoarder.dump() << "\nevents:\n" << describe_events(events));
  INFO("serve log tail:\n" << log_tail(fleet.server));
  REQUIRE(restarted);
  const auto first_restart = memory_limit_restarts(events).back();  // newest first
  const auto first_restart_id = first_restart["id"].get<std::int64_t>();
  const auto stopped_ms = parse_rfc3339_ms(first_restart["stopped_at"].get<std::string>());
  const auto crossed_ms = parse_rfc3339_ms(first_restart["crossed_at"].get<std::string>());
  std::set<std::string> answered_before_stop;
  for (const auto& message : fleet.sim.sent(token, burst_chat))
    if (wall_us_of(message) / 1000 < stopped_ms) answered_before_stop.insert(message.text);
  WARN("busy chat: restart/memory_limit "
       << (stopped_ms - burst_ms) << " ms after the burst began, with "
       << answered_before_stop.size() << " of " << burst << " answered and " << holds
       << " reply(ies) held up; heap first seen over the "
          "limit at "
       << format_ms(heap.first_over_limit_ms()) << ", the event says crossed at "
       << first_restart["crossed_at"] << " (stopped_at " << first_restart["stopped_at"] << "); "
       << memory_limit_restarts(events).size() << " memory_limit restarts; max heap "
       << heap.max_heap());
  CHECK(answered);
  CHECK(missing == 0);

  // The chat was busy when its bot was stopped: eviction could not have been enough.
  CHECK(answered_before_stop.size() < static_cast<std::size_t>(burst));
  CHECK(holds >= 1);

  // Evictions came first: one after the burst began and before the restart.
  bool evicted_first = false;
  for (const auto& event : events_where(events, {{"kind", "evict"}}))
    if (event["id"].get<std::int64_t>() < first_restart_id) evicted_first = true;
  CHECK(evicted_first);

  CHECK(first_restart["bot"] == "hoarder");  // the bot holding the most
  CHECK(first_restart["chat"].is_null());
  CHECK(first_restart["budget"] == limit);
  CHECK(first_restart["live_bytes"].get<std::uint64_t>() >= limit);
  CHECK(stopped_ms >= crossed_ms);
  CHECK(hoarder["restarts"].get<std::size_t>() ==
        events_where(events, {{"kind", "restart"}}).size());
  CHECK(metric_sum(fleet.server.metrics(), "hangar_restarts_total",
                   {{"bot", "hoarder"}, {"reason", "budget"}}) >= 1);

  // The bystander, holding almost nothing, was left alone.
  CHECK(fleet.server.bot("bystander")["restarts"] == 0);
  CHECK(bot_events(fleet.server, "bystander", "restart").empty());
  CHECK(fleet.written.unanswered(fleet.sim, bystander) == 0);
}
