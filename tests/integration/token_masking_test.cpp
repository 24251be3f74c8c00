// Tokens are secrets (README): serve's own log, even at --log-level debug, shows them masked
// (`123456:…abcd`) or not at all, however its bots fail. Bots here fail in every way that gets
// logged: a revoked token (401), a server that answers with a page instead of JSON, a server
// whose error description quotes the request target (and so the token), a server that cannot be
// reached, and a token changed with `bot set` while serve runs. Failures repeat every 50 to
// 200 ms, so each is logged many times over, except a refused token: that bot makes no further
// call, so it is logged once. The API and /metrics are searched as well.
#include <catch2/catch.hpp>

#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "sim/simulator.hpp"
#include "tests/support/bot_checks.hpp"
#include "tests/support/budget_helpers.hpp"
#include "tests/support/echoing_bot_api.hpp"
#include "tests/support/hangar_server.hpp"
#include "tests/support/log_lines.hpp"
#include "tests/support/sim_helpers.hpp"
#include "tests/support/wait_until.hpp"

using namespace hangar::test;

namespace {

// Where a token (or its secret, the part after the colon) shows in `text`; "" when nowhere.
std::string leaks(const std::string& text, const std::string& token) {
  const std::string secret = token.substr(token.find(':') + 1);
  for (const auto& needle : {token, secret}) {
    const auto at = text.find(needle);
    if (at == std::string::npos) continue;
    const auto line_start = text.rfind('\n', at);
    const auto line_end = text.find('\n', at);
    return text.substr(
        line_start == std::string::npos ? 0 : line_start + 1,
        line_end == std::string::npos ? std::string::npos : line_end - line_start - 1);
  }
  return "";
}

}  // namespace

TEST_CASE("serve's log never shows a token in full, at any log level, however bots fail") {
  hangar::sim::Simulator sim;
  EchoingBotApi echoing;
  TempDir dir;
  HangarServer server(dir, sim.base_url(),
                      {"--log-level", "debug", "--tuning", "api_backoff_first=50ms", "--tuning",
                       "api_backoff_max=200ms", "--tuning", "bad_response_log_interval=100ms"});
  // name -> token; each name is in the log lines about its bot.
  const std::map<std::string, std::string> bots{{"revoked", test_token(1)},
                                                {"garbled", test_token(2)},
                                                {"echoed", test_token(3)},
                                                {"unreachable", test_token(4)},
                                                {"switched", test_token(5)}};
  const std::string new_token = test_token(6);
  sim.set_faults(bots.at("revoked"), hangar::sim::Faults{false, false, true});
  sim.set_faults(bots.at("garbled"), hangar::sim::Faults{false, true, false});
  for (const auto& [name, token] : bots) {
    std::vector<std::string> args{"bot", "add", "--token", token, "--name", name};
    if (name == "echoed") args.insert(args.end(), {"--api-url", echoing.url()});
    if (name == "unreachable") args.insert(args.end(), {"--api-url", "http://127.0.0.1:9"});
    run_cli_ok(server, args);
  }
  server.start();
  REQUIRE(wait_for_polls(sim, bots.at("switched"), 1, 15s));
  run_cli_ok(server, {"bot", "set", "switched", "--token", new_token});
  REQUIRE(wait_for_polls(sim, new_token, 1, 15s));

  // Every failure was seen and logged, those that repeat several times over.
  const std::map<std::string, std::string> states{{"revoked", "unauthorized"},
                                                  {"garbled", "backoff"},
                                                  {"echoed", "unauthorized"},
                                                  {"unreachable", "backoff"}};
  auto seen_enough = [&] {
    for (const auto& [name, state] : states) {
      const std::size_t lines = state == "unauthorized" ? 1 : 5;
      if (server.bot(name).value("state", "") != state ||
          lines_mentioning(server.log(), {"bot " + name}).size() < lines)
        return false;
    }
    return !bot_events(server, "switched", "restart").empty();
  };
  {
    const bool seen = wait_until(seen_enough, 20s, 100ms);
    INFO("serve's log:\n" << log_tail(server, 80));
    REQUIRE(seen);
  }
  REQUIRE(echoing.requests() >= 1);
  // The echoing server's description reached the bot: what it says is in last_error.
  CHECK_THAT(server.bot("echoed").value("last_error", ""), Catch::Contains("Unauthorized"));

  std::map<std::string, std::string> outputs{{"stderr", server.log()},
                                             {"stdout", server.process().out()}};
  outputs["/api/bots"] = server.get("/api/bots").body;
  outputs["/api/events"] = server.get("/api/events?limit=1000").body;
  outputs["/metrics"] = server.get("/metrics", false).body;
  for (const auto& entry : bots)
    WARN(lines_mentioning(server.log(), {"bot " + entry.first}).size()
         << " log lines about bot " << entry.first);
  auto all_tokens = bots;
  all_tokens["switched (new)"] = new_token;
  for (const auto& [where, text] : outputs)
    for (const auto& [name, token] : all_tokens) {
      INFO(name << "'s token in " << where << ": " << leaks(text, token));
      CHECK(leaks(text, token).empty());
    }
}
