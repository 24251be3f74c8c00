// A bot's session through a proxy (tests/support/test_proxy.hpp) to the simulator, over real
// sockets on 127.0.0.1: HTTP CONNECT and SOCKS5, plain and TLS, and each way a proxy can fail.
// The Bot API is named api.hangar.test, which only the proxy resolves: a call that gets through
// was tunnelled, and the proxy was left to resolve the name.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "platform/botapi/endpoint.hpp"
#include "platform/botapi/proxy_tunnel.hpp"
#include "platform/botapi/proxy_url.hpp"
#include "platform/botapi/session.hpp"
#include "platform/botapi/tls_context.hpp"
#include "platform/core/io_runtime.hpp"
#include "sim/simulator.hpp"
#include "tests/support/awaited_result.hpp"
#include "tests/support/test_certificates.hpp"
#include "tests/support/test_proxy.hpp"

using namespace std::chrono_literals;
using hangar::botapi::CallResult;
using hangar::botapi::Outcome;
using hangar::sim::Simulator;
using hangar::test::AwaitedResult;
using hangar::test::TestProxy;

namespace {

const std::string token = "123456:AAbbCCddEEffGGhhIIjjKKllMMnnOOppQQ";
const std::string api_host = "api.hangar.test";
const std::string user = "proxy-user-x";
const std::string password = "pw-s3cret-value";

std::string api_url(const Simulator& sim, const std::string& scheme = "http") {
  return scheme + "://" + api_host + ":" + std::to_string(sim.port());
}

struct ProxiedClient {
  ProxiedClient(const std::string& url, const std::string& proxy,
                std::shared_ptr<boost::asio::ssl::context> tls = nullptr) {
    hangar::botapi::SessionOptions options;
    options.endpoint = *hangar::botapi::parse_api_url(url);
    options.token = token;
    options.tls = std::move(tls);
    options.proxy = *hangar::botapi::parse_proxy_url(proxy);
    session = hangar::botapi::Session::create(io.context(), std::move(options));
  }
  ~ProxiedClient() { session->close(); }

  CallResult call(std::chrono::milliseconds timeout = 10s) {
    AwaitedResult result;
    session->call("getMe", nlohmann::json::object(), timeout, result.handler());
    return result.get();
  }

  hangar::IoRuntime io{1};
  std::shared_ptr<hangar::botapi::Session> session;
};

// A proxy failure: transient, one line naming the proxy, and never its user or password.
void check_failure(const CallResult& result, Outcome outcome, const std::string& expected) {
  INFO(result.summary());
  CHECK(result.outcome == outcome);
  CHECK(result.transient());
  CHECK_THAT(result.description, Catch::Contains(expected));
  CHECK_THAT(result.description, Catch::Contains("proxy"));
  CHECK(result.description.find(password) == std::string::npos);
  CHECK(result.description.find(user) == std::string::npos);
}

std::string with_credentials(const TestProxy& proxy, const std::string& secret) {
  const std::string scheme = proxy.url().substr(0, proxy.url().find("://"));
  return scheme + "://" + user + ":" + secret + "@127.0.0.1:" + std::to_string(proxy.port());
}

}  // namespace

TEST_CASE("a session tunnels through a CONNECT or a SOCKS5 proxy, plain and TLS", "[proxy]") {
  hangar::test::TestCertificates certificates({api_host});
  hangar::sim::SimOptions tls_options;
  tls_options.tls_cert = certificates.server_cert();
  tls_options.tls_key = certificates.server_key();
  Simulator plain;
  Simulator secure(tls_options);
  const auto kind = GENERATE(TestProxy::Kind::http, TestProxy::Kind::socks5);
  TestProxy proxy(kind, user, password);
  proxy.alias(api_host);
  INFO(proxy.url());

  SECTION("plain HTTP, one tunnel for a keep-alive connection") {
    ProxiedClient client(api_url(plain), proxy.url());
    CHECK(client.call().ok());
    CHECK(client.call().ok());
    CHECK(proxy.tunnels() == 1);
    CHECK(proxy.targets() ==
          std::vector<std::string>{api_host + ":" + std::to_string(plain.port())});
  }
  SECTION("TLS end to end, verified against the Bot API's name") {
    ProxiedClient client(api_url(secure, "https"), proxy.url(),
                         hangar::botapi::make_client_tls_context(certificates.ca_cert()));
    const CallResult me = client.call();
    INFO(me.summary());
    CHECK(me.ok());
    CHECK(proxy.tunnels() == 1);
  }
  CHECK(proxy.names_only());
  CHECK(proxy.auth_failures() == 0);
}

TEST_CASE("a proxy's refusals are transient failures that say why", "[proxy]") {
  Simulator sim;

  SECTION("wrong credentials") {
    TestProxy http(TestProxy::Kind::http, user, password);
    http.alias(api_host);
    check_failure(ProxiedClient(api_url(sim), with_credentials(http, "wrong-" + password)).call(),
                  Outcome::network, "authentication failed (407");
    TestProxy socks(TestProxy::Kind::socks5, user, password);
    socks.alias(api_host);
    check_failure(ProxiedClient(api_url(sim), with_credentials(socks, "wrong-" + password)).call(),
                  Outcome::network, "authentication failed");
    CHECK(http.auth_failures() == 1);
    CHECK(socks.auth_failures() == 1);
    CHECK(http.tunnels() + socks.tunnels() == 0);
  }
  SECTION("no credentials where the proxy wants them") {
    TestProxy http(TestProxy::Kind::http, user, password);
    check_failure(
        ProxiedClient(api_url(sim), "http://127.0.0.1:" + std::to_string(http.port())).call(),
        Outcome::network, "requires authentication");
    TestProxy socks(TestProxy::Kind::socks5, user, password);
    check_failure(
        ProxiedClient(api_url(sim), "socks5://127.0.0.1:" + std::to_string(socks.port())).call(),
        Outcome::network, "requires authentication");
  }
  SECTION("a target the proxy cannot reach") {
    TestProxy http(TestProxy::Kind::http);  // no alias: api.hangar.test is unknown to it
    check_failure(ProxiedClient(api_url(sim), http.url()).call(), Outcome::network,
                  "refused the tunnel to " + api_host);
    TestProxy socks(TestProxy::Kind::socks5);
    check_failure(ProxiedClient(api_url(sim), socks.url()).call(), Outcome::network,
                  "could not reach " + api_host);
  }
  SECTION("a proxy that is not there") {
    std::uint16_t closed_port = 0;
    {
      TestProxy gone(TestProxy::Kind::http);
      closed_port = gone.port();
    }
    const std::string url =
        "http://" + user + ":" + password + "@127.0.0.1:" + std::to_string(closed_port);
    check_failure(ProxiedClient(api_url(sim), url).call(), Outcome::network,
                  "cannot connect to proxy http://\u2026@127.0.0.1:" + std::to_string(closed_port));
    // Where DNS is unreachable rather than refusing, the lookup ends at its deadline instead.
    const CallResult unresolved = ProxiedClient(api_url(sim), "http://proxy.invalid:3128").call();
    CHECK(unresolved.transient());
    CHECK_THAT(unresolved.description, Catch::Contains("proxy host proxy.invalid"));
  }
}

TEST_CASE("a proxy gets no more than the call's timeout and a capped reply", "[proxy]") {
  Simulator sim;

  SECTION("silent") {
    for (const auto kind : {TestProxy::Kind::http, TestProxy::Kind::socks5}) {
      TestProxy silent(kind, "", "", TestProxy::Manner::silent);
      ProxiedClient client(api_url(sim), silent.url());
      const auto start = std::chrono::steady_clock::now();
      check_failure(client.call(500ms), Outcome::timeout, "did not answer in time");
      CHECK(std::chrono::steady_clock::now() - start < 5s);
    }
  }
  SECTION("a CONNECT reply header that never ends") {
    TestProxy endless(TestProxy::Kind::http, "", "", TestProxy::Manner::endless_header);
    ProxiedClient client(api_url(sim), endless.url());
    check_failure(client.call(), Outcome::network,
                  "reply header over " + std::to_string(hangar::botapi::max_proxy_reply_bytes));
  }
}
