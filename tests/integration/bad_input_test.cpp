// Acceptance, Bad input: each bad value or database exits 2 with one line naming the problem and
// changes nothing; a non-JSON Bot API reply is counted, logged once per bot per minute, and the
// bot backs off while the process stays healthy.
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
#include "tests/support/sim_helpers.hpp"
#include "tests/support/wait_until.hpp"

using namespace hangar::test;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  return lines;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

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

TEST_CASE("a non-JSON Bot API reply is counted, logged once a minute, and backed off") {
  hangar::sim::Simulator sim;
  const std::string broken = test_token(1);
  const std::string healthy = test_token(2);
  sim.set_faults(broken, hangar::sim::Faults{false, true, false});
  TempDir dir;
  HangarServer server(dir, sim.base_url());
  server.add_bot(broken, "garbled");
  server.add_bot(healthy, "fine");
  server.start();

  auto bad_responses = [&] {
    return metric_sum(server.metrics(), "hangar_api_requests_total",
                      {{"bot", "garbled"}, {"outcome", "bad_response"}});
  };
  CHECK(wait_until([&] { return bad_responses() > 0; }, 15s, 200ms));
  CHECK(wait_until([&] { return server.bot("garbled").value("state", "") == "backoff"; }, 15s));
  CHECK(server.get("/healthz", false).status == 200);

  // The healthy bot of the same process is unaffected.
  inject(sim, healthy, 1, "still fine?");
  CHECK(wait_for_sent(sim, healthy, 1, 1, 10s));

  // Several retries happen within this window; the log must not repeat itself for each.
  std::this_thread::sleep_for(12s);
  CHECK(bad_responses() >= 2);
  std::size_t complaints = 0;
  for (const auto& line : lines_of(server.log())) {
    std::string text = lower(line);
    if (text.find("garbled") != std::string::npos &&
        (text.find("bad_response") != std::string::npos ||
         text.find("bad response") != std::string::npos || text.find("json") != std::string::npos))
      ++complaints;
  }
  INFO("serve's log:\n" << server.log());
  CHECK(complaints == 1);
  CHECK(server.get("/healthz", false).status == 200);
  CHECK(server.running());
}
