// Issue 8, storage errors, end to end: another program holds SQLite's write lock past serve's
// busy timeout, again and again, while counter bots take traffic in chats that retire between
// messages. The storage jobs of those moments fail (mostly the bots' inbox commits: the bots back
// off and poll the same updates again). Nothing is lost or answered twice, no count goes wrong,
// no chat crashes and no update is dead-lettered. tests/unit/actors/storage_failure_test.cpp
// fails a chat's state read and a mark at a chosen moment.
#include <sqlite3.h>

#include <catch2/catch.hpp>

#include <string>
#include <thread>
#include <vector>

#include "sim/simulator.hpp"
#include "tests/support/budget_helpers.hpp"
#include "tests/support/counter_users.hpp"
#include "tests/support/hangar_server.hpp"
#include "tests/support/polling_bots.hpp"
#include "tests/support/sim_helpers.hpp"
#include "tests/support/wait_until.hpp"

using namespace hangar::test;

namespace {

constexpr int bot_count = 2;
constexpr int chats_per_bot = 30;
constexpr int outages = 12;

// Another program's write transaction on serve's database, held for `how_long`.
void hold_write_lock(const std::string& db_path, std::chrono::milliseconds how_long) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(db_path.c_str(), &db) == SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  REQUIRE(sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
  std::this_thread::sleep_for(how_long);
  sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(db);
}

}  // namespace

TEST_CASE("storage that fails for a while loses nothing, repeats nothing and crashes no chat") {
  hangar::sim::Simulator sim;
  TempDir dir;
  // A transaction gives up after 5 tries of 20 ms; chats retire after 100 ms without a message,
  // so many read their state again, some of them while the lock is held.
  HangarServer server(dir, sim.base_url(),
                      {"--chat-idle-timeout", "100ms", "--tuning", "storage_busy_timeout=20ms",
                       "--tuning", "storage_retry=50ms", "--tuning", "api_backoff_first=50ms",
                       "--tuning", "api_backoff_max=400ms"});
  const auto tokens = start_polling_bots(server, sim, bot_count, "store", "counter");

  CounterUsers users(sim, tokens, {chats_per_bot, 100, 150ms});
  std::this_thread::sleep_for(1s);
  for (int outage = 0; outage < outages; ++outage) {
    hold_write_lock(server.db_path(), 400ms);
    std::this_thread::sleep_for(200ms);
  }
  std::this_thread::sleep_for(1s);
  users.stop();

  CHECK(wait_until([&] { return users.all_answered(); }, 60s, 200ms));
  std::this_thread::sleep_for(1s);  // late duplicates, if any, count too
  users.check_replies(0);

  // The outages did make storage jobs fail, and the bots are back to polling.
  CHECK(server.log().find("storage: job failed") != std::string::npos);
  for (int i = 0; i < bot_count; ++i) {
    const auto name = "store" + std::to_string(i);
    CHECK(wait_until([&] { return server.bot(name)["state"] == "running"; }, 10s));
    const auto events = bot_events(server, name);
    INFO(name << "'s events: " << events.dump());
    CHECK(events_where(events, {{"kind", "dead_letter"}}).empty());
    CHECK(events_where(events, {{"kind", "restart"}}).empty());
  }
}
