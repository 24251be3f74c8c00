// Session against the Bot API simulator over real sockets on 127.0.0.1.
#include <catch2/catch.hpp>

#include <thread>

#include "platform/botapi/endpoint.hpp"
#include "platform/botapi/session.hpp"
#include "platform/botapi/tls_context.hpp"
#include "platform/core/io_runtime.hpp"
#include "platform/status/fleet_status.hpp"
#include "platform/telegram/types.hpp"
#include "sim/simulator.hpp"
#include "tests/support/awaited_result.hpp"
#include "tests/support/test_certificates.hpp"

using namespace std::chrono_literals;
using hangar::botapi::CallResult;
using hangar::botapi::Outcome;
using hangar::botapi::Session;
using hangar::sim::Simulator;
using hangar::test::AwaitedResult;
using nlohmann::json;

namespace {

const std::string token = "123456:AAbbCCddEEffGGhhIIjjKKllMMnnOOppQQ";

struct Client {
  explicit Client(const std::string& url, std::shared_ptr<boost::asio::ssl::context> tls = nullptr,
                  std::chrono::milliseconds calls_idle_timeout = 60s) {
    hangar::botapi::SessionOptions options;
    options.endpoint = *hangar::botapi::parse_api_url(url);
    options.token = token;
    options.tls = std::move(tls);
    options.observer = status;
    options.calls_idle_timeout = calls_idle_timeout;
    session = Session::create(io.context(), std::move(options));
  }
  ~Client() { session->close(); }

  CallResult call(const std::string& method, json params = json::object()) {
    AwaitedResult result;
    session->call(method, std::move(params), 10s, result.handler());
    return result.get();
  }

  hangar::IoRuntime io{2};
  std::shared_ptr<hangar::BotStatus> status = std::make_shared<hangar::BotStatus>(1, "sim");
  std::shared_ptr<Session> session;
};

std::shared_ptr<boost::asio::ssl::context> trusting(const hangar::test::TestCertificates& certs) {
  return hangar::botapi::make_client_tls_context(certs.ca_cert());
}

Simulator serving(const hangar::test::ServerCertificate& certificate) {
  hangar::sim::SimOptions options;
  options.tls_cert = certificate.cert;
  options.tls_key = certificate.key;
  return Simulator(options);
}

}  // namespace

TEST_CASE("getMe answers with the bot", "[bot_api]") {
  Simulator sim;
  Client client(sim.base_url());
  CallResult me = client.call("getMe");
  REQUIRE(me.ok());
  CHECK(me.result["is_bot"] == true);
  CHECK(client.status->api_requests(hangar::ApiMethod::getMe, Outcome::ok) == 1);
}

TEST_CASE("an idle bot that only polls holds one connection", "[bot_api]") {
  Simulator sim;
  Client client(sim.base_url());
  for (int i = 0; i < 3; ++i) {
    AwaitedResult poll;
    client.session->poll({{"timeout", 0}}, 5s, poll.handler());
    CHECK(poll.get().ok());
  }
  CHECK(client.session->connections_opened() == 1);
  CHECK(sim.counters(token).connections == 1);
}

TEST_CASE("an idle calls connection is let go when the next poll starts", "[bot_api]") {
  Simulator sim;
  Client client(sim.base_url(), nullptr, 0ms);
  CHECK(client.call("getMe").ok());
  AwaitedResult poll;
  client.session->poll({{"timeout", 0}}, 5s, poll.handler());
  CHECK(poll.get().ok());
  CHECK(client.call("getMe").ok());  // on a new connection
  CHECK(client.session->connections_opened() == 3);
}

TEST_CASE("1000 sendMessage calls beside a long poll use at most two connections", "[bot_api]") {
  Simulator sim;
  Client client(sim.base_url());
  AwaitedResult poll;
  client.session->poll({{"timeout", 30}}, 40s, poll.handler());

  std::vector<AwaitedResult> sends(1000);
  for (std::size_t i = 0; i < sends.size(); ++i)
    client.session->call("sendMessage", {{"chat_id", 42}, {"text", "n" + std::to_string(i)}}, 30s,
                         sends[i].handler());
  for (auto& send : sends) REQUIRE(send.get(60s).ok());

  CHECK(sim.counters(token).connections <= 2);
  CHECK(client.session->connections_opened() == 2);
  auto sent = sim.sent(token, 42);
  REQUIRE(sent.size() == 1000);
  CHECK(sent.front().text == "n0");  // calls go out in the order they were made
  CHECK(sent.back().text == "n999");
  CHECK(client.status->api_requests(hangar::ApiMethod::sendMessage, Outcome::ok) == 1000);
}

TEST_CASE("a long poll returns as soon as a message is injected", "[bot_api]") {
  Simulator sim;
  Client client(sim.base_url());
  AwaitedResult poll;
  const auto started = std::chrono::steady_clock::now();
  client.session->poll({{"timeout", 30}}, 40s, poll.handler());
  std::this_thread::sleep_for(200ms);
  auto update_id = sim.inject_message(token, 77, "hello");
  REQUIRE(update_id);

  CallResult result = poll.get();
  CHECK(std::chrono::steady_clock::now() - started < 10s);
  REQUIRE(result.ok());
  auto updates = hangar::telegram::parse_updates(result.result);
  REQUIRE(updates.size() == 1);
  CHECK(updates[0].update_id == *update_id);
  CHECK(updates[0].chat_id() == std::optional<std::int64_t>(77));
  CHECK(updates[0].message->text == std::optional<std::string>("hello"));
}

TEST_CASE("close cancels an in-flight long poll at once", "[bot_api]") {
  Simulator sim;
  Client client(sim.base_url());
  AwaitedResult poll;
  client.session->poll({{"timeout", 30}}, 40s, poll.handler());
  std::this_thread::sleep_for(300ms);  // the poll is now waiting in the simulator
  const auto closing = std::chrono::steady_clock::now();
  client.session->close();
  CallResult result = poll.get(5s);
  CHECK(std::chrono::steady_clock::now() - closing < 1s);
  CHECK(result.outcome == Outcome::network);
  CHECK(result.description == "session closed");
}

TEST_CASE("a revoked token is an api_error 401", "[bot_api]") {
  Simulator sim;
  hangar::sim::Faults faults;
  faults.revoked = true;
  sim.set_faults(token, faults);
  Client client(sim.base_url());
  CallResult result = client.call("getMe");
  CHECK(result.outcome == Outcome::api_error);
  CHECK(result.error_code == 401);
  CHECK(result.http_status == 401);
  CHECK_FALSE(result.transient());
  CHECK(result.summary() == "api_error 401: Unauthorized");
  CHECK(client.status->api_requests(hangar::ApiMethod::getMe, Outcome::api_error) == 1);
}

TEST_CASE("a reply that is not JSON is a bad_response", "[bot_api]") {
  Simulator sim;
  hangar::sim::Faults faults;
  faults.non_json = true;
  sim.set_faults(token, faults);
  Client client(sim.base_url());
  CallResult result = client.call("sendMessage", {{"chat_id", 1}, {"text", "x"}});
  CHECK(result.outcome == Outcome::bad_response);
  CHECK(result.summary() == "bad_response: response is not JSON");
  CHECK(client.status->api_requests(hangar::ApiMethod::sendMessage, Outcome::bad_response) == 1);
}

TEST_CASE("HTTPS works with the CA that signed the server's certificate", "[bot_api][tls]") {
  hangar::test::TestCertificates certs;
  Simulator sim = serving({certs.server_cert(), certs.server_key()});
  SECTION("by host name") {
    Client client(sim.base_url(), trusting(certs));
    CHECK(client.call("getMe").ok());
    CHECK(client.call("getMe").ok());
    CHECK(client.session->connections_opened() == 1);
  }
  SECTION("by IP address") {
    Client client("https://127.0.0.1:" + std::to_string(sim.port()), trusting(certs));
    CHECK(client.call("getMe").ok());
  }
}

TEST_CASE("HTTPS without the CA fails naming the certificate problem", "[bot_api][tls]") {
  hangar::test::TestCertificates certs;
  Simulator sim = serving({certs.server_cert(), certs.server_key()});
  Client client(sim.base_url(), hangar::botapi::make_client_tls_context(std::nullopt));
  CallResult result = client.call("getMe");
  CHECK(result.outcome == Outcome::network);
  CHECK(result.summary() ==
        "network: certificate verify failed: self-signed certificate in certificate chain");
}

TEST_CASE("HTTPS to a server whose certificate names another host fails", "[bot_api][tls]") {
  hangar::test::TestCertificates certs;
  Simulator sim = serving(certs.issue({"wrong.example"}, "wrong"));
  Client client(sim.base_url(), trusting(certs));
  CallResult result = client.call("getMe");
  CHECK(result.outcome == Outcome::network);
  CHECK(result.description == "certificate verify failed: hostname mismatch");
  CHECK(client.status->api_requests(hangar::ApiMethod::getMe, Outcome::network) == 1);
}

TEST_CASE("an unreadable CA file is refused with one line naming it", "[bot_api][tls]") {
  CHECK_THROWS_WITH(hangar::botapi::make_client_tls_context("/nonexistent/ca.pem"),
                    Catch::Contains("/nonexistent/ca.pem"));
}
