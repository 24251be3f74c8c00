// Acceptance, Bad input: each bad value or database exits 2 with one line naming the problem and
// changes nothing; a non-JSON Bot API reply is counted, logged once per bot per minute (the
// interval is a timing, set to 1 s here to watch several), and the bot backs off while the
// process stays healthy.
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "sim/simulator.hpp"
#include "tests/support/hangar_server.hpp"
#include "tests/support/log_lines.hpp"
#include "tests/support/sim_helpers.hpp"
#include "tests/support/wait_until.hpp"

using namespace hangar::test;

namespace {

// Exit status 2 and exactly one stderr line that mentions every one of `names`.
void expect_refused(const RunResult& result, const std::vector<std::string>& names) {
  INFO("stdout: " << result.out << "\nstderr: " << result.err);
  CHECK(result.status.code == 2);
  auto lines = lines_of(result.err);
  CHECK(lines.size() == 1);
  for (const auto& name : names) CHECK(lower(result.err).find(lower(name)) != std::string::npos);
}

// What a user could observe of a database: what `bot list` says about it, and its bytes (read
// after the listing, so that only the commands under test run between two snapshots' bytes).
struct Snapshot {
  std::string listing;
  std::string bytes;
};

Snapshot snapshot(const HangarServer& server) {
  std::string listing = server.run_cli({"bot", "list", "--json"}).out;
  return Snapshot{listing, read_file(server.db_path())};
}

void expect_unchanged(const HangarServer& server, const Snapshot& before) {
  CHECK(read_file(server.db_path()) == before.bytes);
  CHECK(server.run_cli({"bot", "list", "--json"}).out == before.listing);
}

void set_user_version(const std::string& path, int version) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  std::string sql = "PRAGMA user_version=" + std::to_string(version);
  CHECK(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
  CHECK(sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, nullptr) ==
        SQLITE_OK);
  sqlite3_close(db);
}

}  // namespace

TEST_CASE("bad values exit 2 with one line naming them and change nothing") {
  TempDir dir;
  HangarServer server(dir, "http://127.0.0.1:9");
  server.add_bot(test_token(1), "existing");
  const Snapshot before = snapshot(server);
  REQUIRE(before.listing.find("existing") != std::string::npos);

  SECTION("a malformed token") {
    expect_refused(server.run_cli({"bot", "add", "--token", "12345:short"}), {"token"});
  }
  SECTION("an unknown behaviour") {
    expect_refused(
        server.run_cli({"bot", "add", "--token", test_token(2), "--behavior", "telepathy"}),
        {"telepathy"});
  }
  SECTION("a bad size") {
    expect_refused(
        server.run_cli({"bot", "add", "--token", test_token(2), "--memory-budget", "12XB"}),
        {"12XB"});
  }
  SECTION("a bad duration, as a flag and as an environment variable") {
    expect_refused(
        server.run_cli({"serve", "--listen", "127.0.0.1:0", "--chat-idle-timeout", "5 parsecs"}),
        {"parsecs"});
    expect_refused(run_hangar({"serve", "--db", server.db_path(), "--listen", "127.0.0.1:0"}, dir,
                              {{"HANGAR_CHAT_IDLE_TIMEOUT", "10x"}}),
                   {"10x"});
  }
  SECTION("a bad behaviour on an existing bot") {
    expect_refused(server.run_cli({"bot", "set", "existing", "--behavior", "leak:lots"}),
                   {"--behavior", "leak"});
  }
  expect_unchanged(server, before);
}

TEST_CASE("a database that is not Hangar's is refused and left untouched") {
  TempDir dir;
  const std::string data = dir.file("data");
  std::filesystem::create_directory(data);

  SECTION("a text file") {
    const std::string path = data + "/notes.txt";
    const std::string content = "shopping list: milk, eggs\n";
    write_file(path, content);
    expect_refused(run_hangar({"bot", "list", "--db", path}, dir), {"notes.txt"});
    expect_refused(run_hangar({"serve", "--db", path, "--listen", "127.0.0.1:0"}, dir),
                   {"notes.txt"});
    CHECK(read_file(path) == content);
    for (const char* suffix : {"-wal", "-shm", "-journal"})
      CHECK_FALSE(std::filesystem::exists(path + suffix));
  }

  SECTION("a schema newer than the binary") {
    HangarServer server(dir, "http://127.0.0.1:9");
    server.add_bot(test_token(1), "existing");
    set_user_version(server.db_path(), 999);
    const std::string bytes = read_file(server.db_path());
    expect_refused(server.run_cli({"bot", "list"}), {"999"});
    expect_refused(server.run_cli({"serve", "--listen", "127.0.0.1:0"}), {"999"});
    CHECK(read_file(server.db_path()) == bytes);
  }
}

TEST_CASE("a second serve on the same database names the process that holds it") {
  hangar::sim::Simulator sim;
  TempDir dir;
  HangarServer first(dir, sim.base_url());
  first.add_bot(test_token(1), "existing");
  first.start();
  const Snapshot before = snapshot(first);
  auto second = first.run_cli({"serve", "--listen", "127.0.0.1:0", "--api-url", sim.base_url()});
  expect_refused(second, {std::to_string(first.process().pid())});
  CHECK(first.running());
  CHECK(first.get("/healthz", false).status == 200);
  CHECK(first.run_cli({"bot", "list", "--json"}).out == before.listing);
}

TEST_CASE("a non-JSON Bot API reply is counted, logged once per interval, and backed off") {
  hangar::sim::Simulator sim;
  const std::string broken = test_token(1);
  const std::string healthy = test_token(2);
  sim.set_faults(broken, hangar::sim::Faults{false, true, false});
  TempDir dir;
  // The bot retries every 50 to 200 ms, so it fails several times in every 1 s interval.
  constexpr auto interval = 1000ms;
  constexpr auto retry_max = 200ms;
  HangarServer server(dir, sim.base_url(),
                      {"--tuning", "bad_response_log_interval=1s", "--tuning",
                       "api_backoff_first=50ms", "--tuning", "api_backoff_max=200ms"});
  server.add_bot(broken, "garbled");
  server.add_bot(healthy, "fine");
  server.start();

  auto bad_responses = [&] {
    return metric_sum(server.metrics(), "hangar_api_requests_total",
                      {{"bot", "garbled"}, {"outcome", "bad_response"}});
  };
  auto complaints = [&] {
    return lines_mentioning(server.log(), {"garbled"}, {"bad_response", "bad response", "json"});
  };
  REQUIRE(wait_until([&] { return !complaints().empty(); }, 15s, 20ms));
  const double failures_before = bad_responses();
  CHECK(wait_until([&] { return server.bot("garbled").value("state", "") == "backoff"; }, 15s));
  CHECK(server.get("/healthz", false).status == 200);

  // The healthy bot of the same process is unaffected.
  inject(sim, healthy, 1, "still fine?");
  CHECK(wait_for_sent(sim, healthy, 1, 1, 10s));

  // Watch six intervals.
  auto wall_now_ms = [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  const auto watch_start_ms = wall_now_ms();
  std::this_thread::sleep_for(6 * interval);
  const auto now_ms = wall_now_ms();
  const double failures = bad_responses() - failures_before;
  const auto lines = complaints();
  std::size_t in_window = 0;
  for (const auto& line : lines)
    if (log_line_ms(line) >= watch_start_ms && log_line_ms(line) <= now_ms) ++in_window;
  std::vector<std::int64_t> gaps;
  for (std::size_t i = 1; i < lines.size(); ++i)
    gaps.push_back(log_line_ms(lines[i]) - log_line_ms(lines[i - 1]));
  INFO("serve's log:\n" << server.log());
  WARN(lines.size() << " log lines about garbled's bad replies, " << in_window
                    << " of them in the six 1 s intervals watched, in which " << failures
                    << " bad replies were counted; gaps between lines (ms): "
                    << nlohmann::json(gaps).dump());
  // At least one line per interval, and at most one: every gap is the interval, plus at most
  // one retry (and a generous allowance for a loaded machine).
  CHECK(in_window >= 4);
  CHECK(in_window <= 7);
  for (auto gap : gaps) {
    CHECK(gap >= interval.count() - 50);
    CHECK(gap <= (interval + retry_max + 800ms).count());
  }
  // Still logging at the end: the last line is no older than one interval and a retry.
  CHECK(now_ms - log_line_ms(lines.back()) <= (interval + retry_max + 800ms).count());
  // The log held back the repeats: the bot failed far more often than it said so.
  CHECK(failures >= 3.0 * 6);
  CHECK(server.get("/healthz", false).status == 200);
  CHECK(server.running());
}

// Tried as a new user would: a Bot API answer nested a million levels deep took the whole process
// down (SIGSEGV), and since the update was never confirmed, again after every restart. Now the
// answer is a bad_response of that bot alone, and it backs off like any other.
TEST_CASE("a Bot API answer nested a million levels deep is a bad response, not a crash") {
  hangar::sim::Simulator sim;
  const std::string hostile = test_token(1);
  const std::string healthy = test_token(2);
  hangar::sim::Faults nested;
  nested.deeply_nested = true;
  sim.set_faults(hostile, nested);
  TempDir dir;
  HangarServer server(dir, sim.base_url(),
                      {"--tuning", "api_backoff_first=50ms", "--tuning", "api_backoff_max=200ms"});
  server.add_bot(hostile, "nested");
  server.add_bot(healthy, "fine");
  server.start();

  auto bad_responses = [&] {
    return metric_sum(server.metrics(), "hangar_api_requests_total",
                      {{"bot", "nested"}, {"outcome", "bad_response"}});
  };
  // Several deep answers in a row: any one of them would have crashed serve.
  REQUIRE(wait_until([&] { return bad_responses() >= 3; }, 15s, 20ms));
  CHECK(server.running());
  CHECK(server.bot("nested").value("state", "") == "backoff");
  CHECK_THAT(server.bot("nested").value("last_error", ""), Catch::Contains("nests deeper"));
  CHECK(server.get("/healthz", false).status == 200);

  // The other bot is unaffected, and the hostile one recovers once the answers are sane again.
  inject(sim, healthy, 1, "still fine?");
  CHECK(wait_for_sent(sim, healthy, 1, 1, 10s));
  sim.set_faults(hostile, {});
  inject(sim, hostile, 1, "hello again");
  CHECK(wait_for_sent(sim, hostile, 1, 1, 15s));
  CHECK(server.running());
}
