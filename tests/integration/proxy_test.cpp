// Acceptance, proxies: `hangar serve` reaches the simulator through the test proxies
// (tests/support/test_proxy.hpp), per bot with `--proxy` and for all with HTTPS_PROXY, ALL_PROXY
// and NO_PROXY; a proxy that refuses the credentials shows in the bot's state; and the
// credentials never show, anywhere a user looks.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "sim/simulator.hpp"
#include "tests/support/hangar_server.hpp"
#include "tests/support/sim_helpers.hpp"
#include "tests/support/test_certificates.hpp"
#include "tests/support/test_proxy.hpp"
#include "tests/support/wait_until.hpp"

using namespace hangar::test;
using hangar::sim::Simulator;

namespace {

// Only the proxies resolve it: a bot that reaches it went through one.
const std::string api_host = "api.hangar.test";
const std::vector<std::string> secrets = {"user-connect-x", "pw-connect-s3cret", "user-socks-x",
                                          "pw-socks-s3cret", "pw-wrong-s3cret"};

std::string url_of(const Simulator& sim, const std::string& host) {
  const std::string scheme = sim.base_url().substr(0, sim.base_url().find("://"));
  return scheme + "://" + host + ":" + std::to_string(sim.port());
}

std::string proxy_url(const TestProxy& proxy, const std::string& scheme, const std::string& user,
                      const std::string& password) {
  return scheme + "://" + user + ":" + password + "@127.0.0.1:" + std::to_string(proxy.port());
}

Simulator tls_sim(const TestCertificates& certificates) {
  hangar::sim::SimOptions options;
  options.tls_cert = certificates.server_cert();
  options.tls_key = certificates.server_key();
  return Simulator(options);
}

// serve's flags: backoffs at test speed, and the test CA trusted.
std::vector<std::string> serve_flags(const TestCertificates& certificates) {
  return {"--tuning", "poll_timeout=1s",       "--tuning",  "api_backoff_first=100ms",
          "--tuning", "api_backoff_max=500ms", "--ca-file", certificates.ca_cert()};
}

void add_bot(const HangarServer& server, const std::string& token, const std::string& name,
             std::vector<std::string> flags) {
  std::vector<std::string> args{"bot", "add", "--token", token, "--name", name};
  args.insert(args.end(), flags.begin(), flags.end());
  const auto added = server.run_cli(args);
  INFO(added.err);
  REQUIRE(added.status.code == 0);
}

// A user writes to the bot, and the bot answers.
void expect_answer(Simulator& sim, const std::string& token, const std::string& text) {
  REQUIRE(wait_for_polls(sim, token, 1, 20s));
  inject(sim, token, 1, text);
  REQUIRE(wait_for_sent(sim, token, 1, 1, 20s));
  CHECK(sent_texts(sim, token, 1).back() == text);
}

void check_no_secret(const std::string& where, const std::string& text) {
  for (const auto& secret : secrets) {
    INFO(where << " shows " << secret);
    CHECK(text.find(secret) == std::string::npos);
  }
}

}  // namespace

TEST_CASE("bots reach the Bot API through a proxy of their own, and its secrets stay hidden",
          "[proxy]") {
  TestCertificates certificates({api_host});
  Simulator sim = tls_sim(certificates);
  TestProxy connect(TestProxy::Kind::http, "user-connect-x", "pw-connect-s3cret");
  TestProxy socks(TestProxy::Kind::socks5, "user-socks-x", "pw-socks-s3cret");
  connect.alias(api_host);
  socks.alias(api_host);
  TempDir dir;
  HangarServer server(dir, url_of(sim, api_host), serve_flags(certificates));
  add_bot(server, test_token(1), "via-connect",
          {"--proxy", proxy_url(connect, "http", "user-connect-x", "pw-connect-s3cret")});
  add_bot(server, test_token(2), "via-socks",
          {"--proxy", proxy_url(socks, "socks5h", "user-socks-x", "pw-socks-s3cret")});
  add_bot(server, test_token(3), "wrong-password",
          {"--proxy", proxy_url(socks, "socks5", "user-socks-x", "pw-wrong-s3cret")});
  server.start();

  expect_answer(sim, test_token(1), "through CONNECT");
  expect_answer(sim, test_token(2), "through SOCKS5");
  CHECK(connect.tunnels() >= 1);
  CHECK(socks.tunnels() >= 1);
  CHECK(socks.names_only());

  // The refused bot says why, and loses nothing: fixed, it answers what waited.
  inject(sim, test_token(3), 1, "waiting behind a proxy");
  nlohmann::json refused;
  REQUIRE(wait_until(
      [&] {
        refused = server.bot("wrong-password");
        return refused.value("state", "") == "backoff" && refused["last_error"].is_string();
      },
      20s));
  INFO(refused.dump());
  CHECK(refused["state_reason"] == "network");
  CHECK_THAT(refused["last_error"].get<std::string>(), Catch::Contains("authentication failed"));
  CHECK(refused["proxy"] == "socks5://\u2026@127.0.0.1:" + std::to_string(socks.port()));
  CHECK(server.bot("via-connect")["proxy"] ==
        "http://\u2026@127.0.0.1:" + std::to_string(connect.port()));
  CHECK(sent_count(sim, test_token(3)) == 0);

  check_no_secret("/api/bots", server.api_get("/api/bots").dump());
  check_no_secret("/api/events", server.api_get("/api/events").dump());
  check_no_secret("/metrics", server.get("/metrics").body);
  check_no_secret("bot list", server.run_cli({"bot", "list"}).out);
  check_no_secret("bot list --json", server.run_cli({"bot", "list", "--json"}).out);
  check_no_secret("serve's log", server.log());

  const auto fixed =
      server.run_cli({"bot", "set", "wrong-password", "--proxy",
                      proxy_url(socks, "socks5", "user-socks-x", "pw-socks-s3cret")});
  REQUIRE(fixed.status.code == 0);
  REQUIRE(wait_for_sent(sim, test_token(3), 1, 1, 20s));
  CHECK(sent_texts(sim, test_token(3), 1) == std::vector<std::string>{"waiting behind a proxy"});
  check_no_secret("serve's log", server.log());
}

TEST_CASE("HTTPS_PROXY and ALL_PROXY apply to bots without a proxy, and NO_PROXY is honoured",
          "[proxy]") {
  TestCertificates certificates({api_host});
  Simulator secure = tls_sim(certificates);
  Simulator plain;
  TestProxy connect(TestProxy::Kind::http, "user-connect-x", "pw-connect-s3cret");
  TestProxy socks(TestProxy::Kind::socks5);
  connect.alias(api_host);
  socks.alias(api_host);
  TempDir dir;
  HangarServer server(dir, url_of(secure, api_host), serve_flags(certificates));
  server.set_environment({
      {"HTTPS_PROXY", proxy_url(connect, "http", "user-connect-x", "pw-connect-s3cret")},
      {"ALL_PROXY", socks.url()},
      {"NO_PROXY", "example.org, localhost"},
  });
  add_bot(server, test_token(1), "https-env", {});  // serve's https URL: HTTPS_PROXY
  add_bot(server, test_token(2), "http-env", {"--api-url", url_of(plain, api_host)});  // ALL_PROXY
  add_bot(server, test_token(3), "no-proxy", {"--api-url", url_of(plain, "localhost")});
  add_bot(server, test_token(4), "direct",
          {"--api-url", url_of(plain, "127.0.0.1"), "--proxy", "direct"});
  server.start();

  expect_answer(secure, test_token(1), "via HTTPS_PROXY");
  expect_answer(plain, test_token(2), "via ALL_PROXY");
  expect_answer(plain, test_token(3), "named in NO_PROXY");
  expect_answer(plain, test_token(4), "direct");

  const std::string secure_target = api_host + ":" + std::to_string(secure.port());
  const std::string plain_target = api_host + ":" + std::to_string(plain.port());
  for (const auto& target : connect.targets()) CHECK(target == secure_target);
  for (const auto& target : socks.targets()) CHECK(target == plain_target);
  CHECK(connect.tunnels() >= 1);
  CHECK(socks.tunnels() >= 1);

  CHECK(server.bot("https-env")["proxy"] ==
        "http://\u2026@127.0.0.1:" + std::to_string(connect.port()));
  CHECK(server.bot("http-env")["proxy"] == socks.url());
  CHECK(server.bot("no-proxy")["proxy"].is_null());
  CHECK(server.bot("direct")["proxy"].is_null());
  check_no_secret("/api/bots", server.api_get("/api/bots").dump());
  check_no_secret("serve's log", server.log());
}

TEST_CASE("a proxy variable that is not a proxy URL stops serve with its name", "[proxy]") {
  TempDir dir;
  const auto refused =
      run_hangar({"serve", "--db", dir.file("hangar.db"), "--listen", "127.0.0.1:0"}, dir,
                 {{"ALL_PROXY", "socks4://someone:pw-wrong-s3cret@proxy"}});
  CHECK(refused.status.code == 2);
  CHECK_THAT(refused.err, Catch::Contains("ALL_PROXY"));
  check_no_secret("the error", refused.err + refused.out);

  const auto bad_flag = run_hangar({"bot", "add", "--db", dir.file("hangar.db"), "--token",
                                    test_token(1), "--proxy", "ftp://someone:pw-wrong-s3cret@x"},
                                   dir);
  CHECK(bad_flag.status.code == 2);
  CHECK_THAT(bad_flag.err, Catch::Contains("--proxy"));
  check_no_secret("the error", bad_flag.err + bad_flag.out);
}
