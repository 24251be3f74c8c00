// The `hangar` command line as a user runs it: exit statuses, one-line errors, what is printed,
// and what is (not) written to the database.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/simulator.hpp"
#include "storage/settings_repository.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait_until.hpp"

using namespace hangar::test;
using nlohmann::json;

namespace {

const std::string token_a = "123456:AAAAAAAAAAbbbbbbbbbbCCCCCCCCCC_-wxyz";
const std::string token_b = "777:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";
const std::string token_c = "99:CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCcccc";

// Runs the built binary in a directory of its own, so relative database names land there.
struct Cli {
  Cli() { std::filesystem::create_directory(cwd); }

  RunResult run(std::vector<std::string> args, std::map<std::string, std::string> env = {},
                std::string stdin_text = "") {
    args.insert(args.begin(), HANGAR_BINARY);
    ProcessOptions options;
    options.cwd = cwd;
    options.env = std::move(env);
    options.stdin_text = std::move(stdin_text);
    return run_process(args, dir.path(), std::move(options));
  }

  // Runs a command that must succeed, and returns its stdout.
  std::string ok(std::vector<std::string> args, std::map<std::string, std::string> env = {},
                 std::string stdin_text = "") {
    auto result = run(std::move(args), std::move(env), std::move(stdin_text));
    INFO("stderr: " << result.err);
    REQUIRE(result.status.code == 0);
    return result.out;
  }

  std::string file(const std::string& name) const { return cwd + "/" + name; }

  std::vector<std::string> files() const {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(cwd))
      names.push_back(entry.path().filename().string());
    return names;
  }

  TempDir dir;
  std::string cwd = dir.file("cwd");
};

// Exit status 2, nothing on stdout, and exactly one line on stderr that names `what`.
void check_refused(const RunResult& result, const std::string& what) {
  INFO("stdout: " << result.out << "\nstderr: " << result.err);
  CHECK(result.status.code == 2);
  CHECK(result.out.empty());
  REQUIRE(!result.err.empty());
  CHECK(result.err.rfind("hangar: ", 0) == 0);
  CHECK(result.err.find('\n') == result.err.size() - 1);
  CHECK(result.err.find(what) != std::string::npos);
}

void check_no_token_in(const std::string& text) {
  for (const auto& token : {token_a, token_b, token_c})
    CHECK(text.find(token) == std::string::npos);
}

// A long-running command (serve, demo, sim), stopped with SIGTERM when the test ends.
struct Running {
  Running(Cli& cli, std::vector<std::string> args, std::map<std::string, std::string> env = {})
      : process(with_binary(std::move(args)), options(cli, std::move(env))) {}

  // The port of the first "http://HOST:PORT" the command prints.
  std::uint16_t port() {
    std::string out;
    INFO("stderr: " << process.err());
    REQUIRE(wait_until([&] { return (out = process.out()).find('\n') != std::string::npos; }));
    const auto address = out.find("http://");
    REQUIRE(address != std::string::npos);
    const auto colon = out.find(':', address + 7);
    return static_cast<std::uint16_t>(std::stoi(out.substr(colon + 1)));
  }

  ~Running() {
    process.terminate();
    process.wait_for(std::chrono::seconds(30));
  }

  static std::vector<std::string> with_binary(std::vector<std::string> args) {
    args.insert(args.begin(), HANGAR_BINARY);
    return args;
  }
  static ProcessOptions options(Cli& cli, std::map<std::string, std::string> env) {
    ProcessOptions options;
    options.cwd = cli.cwd;
    options.env = std::move(env);
    options.stdout_path = cli.dir.file("running.out");
    options.stderr_path = cli.dir.file("running.err");
    return options;
  }

  Process process;
};

json bot_list(Cli& cli, std::map<std::string, std::string> env = {}) {
  return json::parse(cli.ok({"bot", "list", "--json"}, std::move(env)));
}

}  // namespace

TEST_CASE("every command prints its --help and exits 0 without touching anything") {
  Cli cli;
  const std::vector<std::vector<std::string>> commands = {{},
                                                          {"serve"},
                                                          {"demo"},
                                                          {"sim"},
                                                          {"bot"},
                                                          {"bot", "add"},
                                                          {"bot", "set"},
                                                          {"bot", "list"},
                                                          {"bot", "remove"},
                                                          {"bot", "enable"},
                                                          {"bot", "disable"},
                                                          {"admin-token"},
                                                          {"admin-token", "reset"}};
  for (auto command : commands) {
    std::string name = "hangar";
    for (const auto& word : command) name += " " + word;
    INFO(name);
    command.push_back("--help");
    auto result = cli.run(command);
    CHECK(result.status.code == 0);
    CHECK(result.out.find("Usage: " + name) != std::string::npos);
    CHECK(result.err.empty());
  }
  CHECK(cli.files().empty());
}

TEST_CASE("a bad flag or value exits 2 with one line naming it, and creates nothing") {
  Cli cli;
  cli.ok({"--help"});  // the binary runs at all
  struct Case {
    std::vector<std::string> args;
    std::map<std::string, std::string> env;
    std::string named;
  };
  const std::vector<Case> cases = {
      {{"serve", "--chat-idle-timeout", "10x"},
       {},
       "--chat-idle-timeout: \"10x\" is not a duration (use 250ms, 2s, 10m, 1h30m)"},
      {{"serve"}, {{"HANGAR_CHAT_IDLE_TIMEOUT", "10x"}}, "HANGAR_CHAT_IDLE_TIMEOUT: \"10x\""},
      {{"serve", "--bot-memory-budget", "64MB"}, {}, "--bot-memory-budget: \"64MB\""},
      {{"serve", "--chat-memory-budget", "0"}, {}, "--chat-memory-budget"},
      {{"serve", "--memory-limit", "lots"}, {}, "--memory-limit"},
      {{"serve", "--listen", "nowhere"}, {}, "--listen"},
      {{"serve"}, {{"HANGAR_LISTEN", "nowhere"}}, "HANGAR_LISTEN"},
      {{"serve", "--log-level", "loud"}, {}, "--log-level"},
      {{"serve", "--restart-intensity", "5"}, {}, "--restart-intensity"},
      {{"serve", "--quarantine-after", "0"}, {}, "--quarantine-after"},
      {{"serve", "--flood-limits", "chat=0/1s"},
       {},
       "--flood-limits: \"chat=0/1s\" is not a flood limit"},
      {{"serve"}, {{"HANGAR_FLOOD_LIMITS", "fast"}}, "HANGAR_FLOOD_LIMITS: \"fast\""},
      {{"serve", "--api-url", "ftp://example.org"}, {}, "--api-url"},
      {{"serve", "--ca-file", "missing.pem"}, {}, "--ca-file"},
      {{"serve", "--admin-token", ""}, {}, "--admin-token"},
      {{"serve", "--metrics-token", "has space"}, {}, "--metrics-token"},
      {{"serve", "--no-such-flag"}, {}, "--no-such-flag"},
      {{"demo", "--bots", "0"}, {}, "--bots"},
      {{"demo", "--rate", "fast"}, {}, "--rate"},
      {{"demo"}, {{"HANGAR_BOT_MEMORY_BUDGET", "1.5MiB"}}, "HANGAR_BOT_MEMORY_BUDGET"},
      {{"sim", "--threads", "many"}, {}, "--threads"},
      {{"sim", "--listen", "8081"}, {}, "--listen"},
      {{"sim", "--tls-cert", "cert.pem"}, {}, "--tls-key"},
      {{"sim", "--flood-per-bot", "30"}, {}, "--flood-per-bot"},
      {{"sim", "--flood-per-group", "20/0s"}, {}, "--flood-per-group"},
      {{"bot", "add", "--token", "abc"}, {}, "--token: malformed bot token"},
      {{"bot", "add"}, {}, "--token"},
      {{"bot", "add", "--token", token_a, "--behavior", "foo"}, {}, "--behavior"},
      {{"bot", "add", "--token", token_a, "--memory-budget", "1MB"}, {}, "--memory-budget"},
      {{"bot", "add", "--token", token_a, "--name", "two words"}, {}, "--name"},
      {{"bot", "add", "--token", token_a, "--name", "42"}, {}, "--name"},
      {{"bot", "add", "--token", token_a, "--api-url", "api.telegram.org"}, {}, "--api-url"},
      {{"bot", "add", "--token", token_a, "--token-file", "t.txt"}, {}, "--token"},
      {{"bot", "add", "--token-file", "missing.txt"}, {}, "--token-file"},
      {{"bot", "add", "--token", "-"}, {}, "--token"},  // nothing on stdin
      {{"bot", "list", "--log-level", "chatty"}, {}, "--log-level"},
      {{"bot", "list"}, {{"HANGAR_LOG_LEVEL", "chatty"}}, "HANGAR_LOG_LEVEL"},
      {{"bot", "set", "alpha"}, {}, "at least one of"},
      {{"bot", "remove"}, {}, "bot"},
      {{"bot"}, {}, "subcommand"},
      {{"fly"}, {}, "fly"},
  };
  for (const auto& c : cases) {
    std::string shown;
    for (const auto& arg : c.args) shown += arg + " ";
    INFO("hangar " << shown);
    check_refused(cli.run(c.args, c.env), c.named);
  }
  CHECK(cli.files().empty());  // no hangar.db, no hangar-demo.db
}

TEST_CASE("a token is never echoed in an error") {
  Cli cli;
  const std::string almost = token_a + "!";  // malformed, but mostly secret
  auto result = cli.run({"bot", "add", "--token", almost});
  check_refused(result, "--token");
  CHECK(result.err.find(token_a.substr(7, 20)) == std::string::npos);
  cli.ok({"bot", "add", "--token", token_b});
  result = cli.run({"bot", "remove", token_a});  // a token where the name belongs
  check_refused(result, "no bot named or numbered 123456:\u2026wxyz");
  check_no_token_in(result.err);
  result = cli.run({"bot", "add", "--token", token_b});  // already registered
  check_refused(result, "already exists");
  check_no_token_in(result.err);
}

TEST_CASE("bot add, list, set, disable, enable and remove round trip, tokens masked") {
  Cli cli;
  CHECK(cli.ok({"bot", "add", "--token", token_a, "--name", "alpha"}) == "1\n");
  CHECK(cli.ok({"bot", "add", "--token", "-", "--behavior", "counter", "--api-url",
                "http://127.0.0.1:9000/", "--memory-budget", "2MiB"},
               {}, token_b + "\n") == "2\n");
  write_file(cli.file("token.txt"), token_c + "\r\n");
  CHECK(cli.ok({"bot", "add", "--token-file", "token.txt", "--behavior", "leak:1KiB"}) == "3\n");

  struct stat info {};
  REQUIRE(stat(cli.file("hangar.db").c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);

  auto list = bot_list(cli);
  REQUIRE(list.size() == 3);
  CHECK(list[0]["name"] == "alpha");
  CHECK(list[0]["token"] == "123456:\u2026wxyz");
  CHECK(list[0]["behavior"] == "echo");
  CHECK(list[0]["api_url"].is_null());
  CHECK(list[0]["memory_budget"].is_null());
  CHECK(list[0]["enabled"] == true);
  CHECK(list[1]["name"] == "bot2");
  CHECK(list[1]["token"] == "777:\u2026BBBB");
  CHECK(list[1]["behavior"] == "counter");
  CHECK(list[1]["api_url"] == "http://127.0.0.1:9000");
  CHECK(list[1]["memory_budget"] == 2 << 20);
  CHECK(list[2]["token"] == "99:\u2026cccc");
  CHECK(list[2]["behavior"] == "leak:1KiB");
  check_no_token_in(list.dump());

  const auto table = cli.ok({"bot", "list"});
  check_no_token_in(table);
  CHECK(table.rfind("ID", 0) == 0);
  CHECK(table.find("123456:\u2026wxyz") != std::string::npos);
  CHECK(table.find("2MiB") != std::string::npos);

  CHECK(cli.ok({"bot", "set", "alpha", "--name", "beta", "--memory-budget", "1KiB", "--behavior",
                "counter"})
            .empty());
  CHECK(cli.ok({"bot", "set", "2", "--api-url", "default", "--memory-budget", "default"}).empty());
  cli.ok({"bot", "set", "beta", "--token", "-"}, {}, token_a.substr(0, 7) + std::string(36, 'N'));
  cli.ok({"bot", "disable", "beta"});
  list = bot_list(cli);
  CHECK(list[0]["name"] == "beta");
  CHECK(list[0]["memory_budget"] == 1024);
  CHECK(list[0]["behavior"] == "counter");
  CHECK(list[0]["enabled"] == false);
  CHECK(list[0]["token"] == "123456:\u2026NNNN");
  CHECK(list[1]["api_url"].is_null());
  CHECK(list[1]["memory_budget"].is_null());

  cli.ok({"bot", "enable", "1"});
  CHECK(bot_list(cli)[0]["enabled"] == true);
  cli.ok({"bot", "remove", "bot2"});
  list = bot_list(cli);
  REQUIRE(list.size() == 2);
  CHECK(list[1]["id"] == 3);
  check_refused(cli.run({"bot", "enable", "bot2"}), "no bot named or numbered bot2");
}

TEST_CASE("a refused command leaves an existing database byte for byte as it was") {
  Cli cli;
  cli.ok({"bot", "add", "--token", token_a, "--name", "alpha"});
  const std::string before = read_file(cli.file("hangar.db"));
  const auto files_before = cli.files();
  REQUIRE(!before.empty());

  check_refused(cli.run({"bot", "set", "alpha", "--memory-budget", "1MB"}), "--memory-budget");
  check_refused(cli.run({"bot", "set", "gamma", "--name", "delta"}),
                "no bot named or numbered gamma");
  check_refused(cli.run({"bot", "add", "--token", token_b, "--name", "alpha"}), "alpha");
  check_refused(cli.run({"bot", "remove", "7"}), "no bot named or numbered 7");
  check_refused(cli.run({"bot", "add", "--token", token_b, "--behavior", "leak:lots"}),
                "--behavior");
  CHECK(read_file(cli.file("hangar.db")) == before);
  CHECK(cli.files() == files_before);
}

TEST_CASE("a flag beats its environment variable, which beats the default") {
  Cli cli;
  cli.ok({"bot", "add", "--token", token_a}, {{"HANGAR_DB", "env.db"}});
  CHECK(cli.files() == std::vector<std::string>{"env.db"});
  cli.ok({"bot", "add", "--token", token_b, "--db", "flag.db"}, {{"HANGAR_DB", "env.db"}});
  CHECK(bot_list(cli, {{"HANGAR_DB", "env.db"}}).size() == 1);
  CHECK(json::parse(cli.ok({"bot", "list", "--json", "--db", "flag.db"}))[0]["token"] ==
        "777:\u2026BBBB");
  CHECK(bot_list(cli).empty());  // the default, hangar.db, is a third database
  CHECK(std::filesystem::exists(cli.file("hangar.db")));
}

TEST_CASE("a file that is not a Hangar database is refused and left untouched") {
  Cli cli;
  const std::string content = "these are somebody's notes, not a database\n";
  write_file(cli.file("notes.txt"), content);
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"bot", "list", "--db", "notes.txt"},
           {"bot", "add", "--token", token_a, "--db", "notes.txt"},
           {"admin-token", "reset", "--db", "notes.txt"}}) {
    auto result = cli.run(args);
    check_refused(result, "notes.txt");
  }
  CHECK(read_file(cli.file("notes.txt")) == content);
  CHECK(cli.files() == std::vector<std::string>{"notes.txt"});
}

TEST_CASE("admin-token reset prints a new token once and invalidates the old one") {
  Cli cli;
  const auto first = cli.ok({"admin-token", "reset"});
  const auto second = cli.ok({"admin-token", "reset"});
  REQUIRE(first.size() == 44);  // 43 base64url characters and a newline
  REQUIRE(second.size() == 44);
  CHECK(first != second);
  hangar::storage::Database db(cli.file("hangar.db"));
  hangar::storage::SettingsRepository settings(db);
  CHECK(settings.check_admin_token(second.substr(0, 43)));
  CHECK_FALSE(settings.check_admin_token(first.substr(0, 43)));
}

TEST_CASE("demo uses hangar-demo.db unless told otherwise, never hangar.db") {
  Cli cli;
  {
    Running demo(cli, {"demo", "--listen", "127.0.0.1:0", "--bots", "1", "--chats", "1"});
    demo.port();
  }
  CHECK(std::filesystem::exists(cli.file("hangar-demo.db")));
  CHECK_FALSE(std::filesystem::exists(cli.file("hangar.db")));
}

TEST_CASE("serve takes its tokens from flags over variables") {
  Cli cli;
  Running serve(cli, {"serve", "--listen", "127.0.0.1:0", "--admin-token", "admin-from-flag"},
                {{"HANGAR_ADMIN_TOKEN", "admin-from-env"}, {"HANGAR_METRICS_TOKEN", "scrape-me"}});
  const auto port = serve.port();
  auto bearer = [](const std::string& token) {
    return HttpHeaders{{"Authorization", "Bearer " + token}};
  };
  CHECK(http_get("127.0.0.1", port, "/api/bots", bearer("admin-from-flag")).status == 200);
  CHECK(http_get("127.0.0.1", port, "/api/bots", bearer("admin-from-env")).status == 401);
  CHECK(http_get("127.0.0.1", port, "/metrics").status == 401);
  CHECK(http_get("127.0.0.1", port, "/metrics", bearer("scrape-me")).status == 200);
  CHECK(serve.process.out().find("admin-from") == std::string::npos);
  CHECK(serve.process.err().find("admin-from") == std::string::npos);
}

TEST_CASE("sim serves with the fault switches given") {
  Cli cli;
  Running sim(cli, {"sim", "--listen", "127.0.0.1:0", "--non-json"});
  auto response = http_get("127.0.0.1", sim.port(), "/bot" + token_b + "/getMe");
  INFO(response.body);
  CHECK_FALSE(json::accept(response.body));

  Running conflicted(cli, {"sim", "--listen", "127.0.0.1:0", "--other-poller"});
  CHECK(http_get("127.0.0.1", conflicted.port(), "/bot" + token_b + "/getUpdates").status == 409);
  CHECK(http_get("127.0.0.1", conflicted.port(), "/bot" + token_b + "/getMe").status == 200);
}

TEST_CASE("sim enforces the flood limits given, which are off without them") {
  Cli cli;
  Running limited(cli, {"sim", "--listen", "127.0.0.1:0", "--flood-per-private-chat", "1/10s"});
  CHECK(json::parse(http_get("127.0.0.1", limited.port(), "/control/flood_limits").body) ==
        json{{"enabled", true},
             {"per_bot", "30/1s"},
             {"per_private_chat", "1/10s"},
             {"per_group", "20/1m"}});
  const std::string send = "/bot" + token_b + "/sendMessage?chat_id=5&text=hi";
  CHECK(http_get("127.0.0.1", limited.port(), send).status == 200);
  CHECK(http_get("127.0.0.1", limited.port(), send).status == 429);

  Running defaults(cli, {"sim", "--listen", "127.0.0.1:0", "--flood-limits"});
  CHECK(json::parse(
            http_get("127.0.0.1", defaults.port(), "/control/flood_limits").body)["enabled"] ==
        true);
  Running unlimited(cli, {"sim", "--listen", "127.0.0.1:0"});
  for (int i = 0; i < 5; ++i) CHECK(http_get("127.0.0.1", unlimited.port(), send).status == 200);
}

TEST_CASE("sim exits 2 when it cannot listen, and 0 after SIGTERM") {
  Cli cli;
  hangar::sim::Simulator occupant;
  const auto taken = "127.0.0.1:" + std::to_string(occupant.port());
  const auto refused = cli.run({"sim", "--listen", taken});
  CHECK(refused.status.code == 2);
  CHECK_THAT(refused.err, Catch::Contains("hangar sim:"));

  Running sim(cli, {"sim", "--listen", "127.0.0.1:0"});
  REQUIRE(http_get("127.0.0.1", sim.port(), "/control/tokens").status == 200);
  sim.process.terminate();
  const auto status = sim.process.wait_for(std::chrono::seconds(10));
  REQUIRE(status);
  CHECK(status->code == 0);
}
