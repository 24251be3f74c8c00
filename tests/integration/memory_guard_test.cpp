// Acceptance, Guard (issue 3): with --memory-limit below what many idle chats hold, idle chats
// are freed first (least recently active first), and a bot is restarted only if that is not
// enough. Nothing is lost either way.
//
// Serve runs as tests/support/guarded_fleet.hpp sets it up: --memory-limit 12MiB (the guard acts
// from 90% of it), --chat-idle-timeout 10m (so only the guard frees chats) and budgets too large
// to trip. Three situations:
// - many idle chats: 210 writes of a leak:64KiB bot (about 13 MiB in all), in an order that is
//   not the chats' order of creation; the guard evicts exactly the least recently active chats
//   and never restarts the bot;
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
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/guarded_fleet.hpp"

using namespace hangar::test;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::uint64_t limit = guard_limit;
constexpr std::int64_t first_idle_chat = 10000;

// Chats in the order of their last activity, oldest first, with when each was last written.
struct ActivityOrder {
  std::vector<std::int64_t> chats;
  std::map<std::int64_t, Clock::time_point> written_at;
  void touch(std::int64_t chat) {
    chats.erase(std::remove(chats.begin(), chats.end(), chat), chats.end());
    chats.push_back(chat);
    written_at[chat] = Clock::now();
  }
};

}  // namespace

TEST_CASE("the memory guard frees idle chats, least recently active first, without restarting") {
  GuardedFleet fleet;
  const auto token = fleet.add(1, "hoarder", "leak:64KiB", false);
  const auto bystander = fleet.add(2, "bystander", "echo", false);
  fleet.start({token, bystander});
  HeapWatcher heap(fleet.server);
  ActivityOrder order;
  auto write = [&](std::int64_t chat, const std::string& text) {
    write_message(fleet.sim, fleet.written, token, chat, text);
    order.touch(chat);
    std::this_thread::sleep_for(33ms);
  };

  // 100 chats write once (6.25 MiB), then the first 10 write again (1.25 MiB more): under 90%
  // of the limit, and the least recently active chats are now 10..99, not 0..9.
  const auto start = Clock::now();
  for (int i = 0; i < 100; ++i) write(first_idle_chat + i, "once-" + std::to_string(i));
  for (int i = 0; i < 10; ++i) write(first_idle_chat + i, "again-" + std::to_string(i));
  REQUIRE(fleet.answered(token));
  std::this_thread::sleep_for(500ms);
  {
    const auto quiet = fleet.events();
    INFO("events before the limit was reached:\n" << describe_events(quiet));
    REQUIRE(quiet.empty());
  }
  // 100 more chats (6.25 MiB more): over the limit, so the guard must free idle chats.
  for (int i = 100; i < 200; ++i) {
    write(first_idle_chat + i, "once-" + std::to_string(i));
    if (i % 10 == 0)
      write_message(fleet.sim, fleet.written, bystander, 1, "hello-" + std::to_string(i));
  }
  const bool answered = fleet.answered(token) && fleet.answered(bystander);
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
  WARN("210 writes to 200 chats in "
       << took_s << " s: " << evicts.size() << " evict events, chats " << hoarder["chats"]
       << ", live_bytes " << hoarder["live_bytes"] << ", max metered heap " << heap.max_heap()
       << " of a " << limit << " limit in " << heap.samples() << " samples (" << heap.failures()
       << " failed)");
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
  CHECK(hoarder["live_bytes"].get<std::uint64_t>() < limit);
  // The heap stayed under the limit, read every 20 ms throughout (a fair share of the reads
  // must have succeeded, or the maximum says nothing).
  CHECK(heap.samples() >= std::max<std::uint64_t>(20, HeapWatcher::expected_samples(took_s) / 4));
  CHECK(heap.max_heap() > static_cast<double>(limit) / 2);  // the chats' bytes were seen
  CHECK(heap.max_heap() < static_cast<double>(limit));

  // Least recently active first: the evicted chats are exactly the oldest in order of last
  // activity. Chats written within 100 ms of each other may have been handled in either order
  // (one getUpdates batch), so only such neighbours may trade places.
  std::set<std::int64_t> active;
  for (const auto& chat :
       fleet.server.api_get("/api/bots/" + hoarder["id"].dump() + "/chats?limit=1000"))
    active.insert(chat["chat_id"].get<std::int64_t>());
  const std::size_t evicted_count = order.chats.size() - active.size();
  std::vector<std::string> out_of_order;
  for (std::size_t p = 0; p < order.chats.size(); ++p) {
    const auto chat = order.chats[p];
    const bool should_go = p < evicted_count;
    if (should_go == (active.count(chat) == 0)) continue;
    // Misplaced: the chat on the other side of the boundary must be a near neighbour in time.
    const auto boundary = order.chats[should_go ? evicted_count : evicted_count - 1];
    const auto apart = order.written_at[chat] - order.written_at[boundary];
    if (apart > 100ms || apart < -100ms)
      out_of_order.push_back(std::to_string(chat - first_idle_chat) +
                             (should_go ? " kept" : " evicted"));
  }
  std::vector<std::int64_t> survivors;
  for (auto chat : active) survivors.push_back(chat - first_idle_chat);
  INFO("chats by last activity: 10..99, 0..9, 100..199; "
       << evicted_count << " evicted; survivors (index): " << nlohmann::json(survivors).dump());
  INFO("out of order (index): " << nlohmann::json(out_of_order).dump());
  CHECK(out_of_order.empty());
  CHECK(active.size() == hoarder["chats"].get<std::size_t>());
  // The order mattered: some untouched chats went while the rewritten ones 0..9, older by
  // creation, stayed.
  CHECK(evicted_count >= 1);
  CHECK(evicted_count <= 80);
  CHECK(active.count(first_idle_chat) == 1);
  CHECK(active.count(first_idle_chat + 10) == 0);
  CHECK(active.count(first_idle_chat + 199) == 1);

  CHECK(fleet.server.bot("bystander")["restarts"] == 0);
}

TEST_CASE("a chat whose burst has ended is freed by the memory guard, not restarted with its bot") {
  GuardedFleet fleet;
  const auto token = fleet.add(1, "hoarder", "leak:64KiB", false);
  const auto lump = fleet.add(2, "lump", "leak:2MiB", true);
  fleet.start({token, lump});

  // About 8 MiB of idle chats: under 90% of the limit, so the guard has nothing to do yet.
  CHECK(fleet.fill_idle_chats(token, first_idle_chat, 120, 10ms));
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
       << restarts.size() << " memory_limit restarts; max heap " << heap.max_heap() << " ("
       << heap.samples() << " samples)");
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
  CHECK(fleet.fill_idle_chats(token, first_idle_chat, 130, 10ms));
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
       << heap.max_heap() << " (" << heap.samples() << " samples)");
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
