// The shared HTTP server over real sockets on 127.0.0.1: keep-alive, caps, timeouts, late
// responses from other threads, stop(), TLS, and the response helpers.
#include <catch2/catch.hpp>

#include <chrono>
#include <future>
#include <mutex>
#include <optional>
#include <thread>

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/write.hpp>
#include <nlohmann/json.hpp>

#include "platform/core/io_runtime.hpp"
#include "platform/http/server.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/test_certificates.hpp"
#include "tests/support/wait_until.hpp"

using namespace std::chrono_literals;
using hangar::IoRuntime;
using hangar::http::HttpServer;
using hangar::http::Request;
using hangar::http::RequestContext;
using hangar::http::Respond;
using hangar::http::ServerOptions;
using hangar::http::Status;
using hangar::test::HttpTestClient;
using nlohmann::json;

namespace {

// Answers every request with what the server told the handler about it.
void describe_request(Request&& request, const RequestContext& context, Respond respond) {
  respond(hangar::http::json_response(request, Status::ok,
                                      {{"connection_id", context.connection_id},
                                       {"request_number", context.request_number},
                                       {"remote", context.remote_address},
                                       {"target", std::string(request.target())},
                                       {"body_size", request.body().size()}}));
}

struct TestServer {
  explicit TestServer(hangar::http::Handler handler, ServerOptions options = {})
      : server(io.context(), std::move(options), std::move(handler)) {}

  HttpTestClient client(std::chrono::milliseconds timeout = 5s) {
    return HttpTestClient("127.0.0.1", server.port(), std::nullopt, timeout);
  }

  IoRuntime io{1};
  HttpServer server;
};

// A server whose handler keeps every Respond for the test to call later.
class HeldResponses {
 public:
  explicit HeldResponses(ServerOptions options = {})
      : server_(
            [this](Request&&, const RequestContext&, Respond respond) {
              std::lock_guard lock(mutex_);
              held_.push_back(std::move(respond));
            },
            std::move(options)) {}
  // A Respond holds its connection, which must go before the io_context does.
  ~HeldResponses() {
    std::lock_guard lock(mutex_);
    held_.clear();
  }

  TestServer& test() { return server_; }
  std::size_t count() {
    std::lock_guard lock(mutex_);
    return held_.size();
  }
  Respond take() {
    std::lock_guard lock(mutex_);
    Respond respond = std::move(held_.front());
    held_.erase(held_.begin());
    return respond;
  }

 private:
  std::mutex mutex_;
  std::vector<Respond> held_;
  TestServer server_;
};

json body_of(const hangar::test::HttpTestResponse& response) {
  return json::parse(response.body);
}

}  // namespace

TEST_CASE("a keep-alive connection carries several requests under one connection id") {
  TestServer test(describe_request);
  REQUIRE(test.server.port() != 0);
  auto first_client = test.client();
  const json first = body_of(first_client.get("/a"));
  const json second = body_of(first_client.get("/b"));
  CHECK(first["connection_id"] == second["connection_id"]);
  CHECK(first["request_number"] == 1);
  CHECK(second["request_number"] == 2);
  CHECK(second["target"] == "/b");
  CHECK(first["remote"] == "127.0.0.1");

  auto other_client = test.client();
  CHECK(body_of(other_client.get("/c"))["connection_id"] != first["connection_id"]);
}

TEST_CASE("a response may come later from another thread") {
  HeldResponses held;
  TestServer& test = held.test();
  auto reply = std::async(std::launch::async, [&] { return test.client().get("/slow"); });
  REQUIRE(hangar::test::wait_until([&] { return held.count() == 1; }, 5s, 5ms));
  std::thread([respond = held.take()] {
    std::this_thread::sleep_for(50ms);
    Request request;
    respond(hangar::http::text_response(request, Status::accepted, "late"));
  }).join();
  const auto response = reply.get();
  CHECK(response.status == 202);
  CHECK(response.body == "late");
}

TEST_CASE("a response for a connection that is gone is dropped quietly") {
  HeldResponses held;
  TestServer& test = held.test();
  const auto abandon_request = [&] {
    // The client gives up waiting and closes its end.
    CHECK_THROWS(test.client(300ms).get("/abandoned"));
  };
  Request request;
  abandon_request();
  REQUIRE(held.count() == 1);
  held.take()(hangar::http::text_response(request, Status::ok, "closed by the client"));

  abandon_request();
  REQUIRE(held.count() == 1);
  test.server.stop();
  held.take()(hangar::http::text_response(request, Status::ok, "closed by stop()"));
}

TEST_CASE("a body over max_body_bytes gets 413 and the connection closes") {
  ServerOptions options;
  options.max_body_bytes = 1024;
  TestServer test(describe_request, options);
  auto client = test.client();
  CHECK(client.post("/small", std::string(1024, 'x'), "text/plain").status == 200);
  const auto response = client.post("/big", std::string(256 * 1024, 'x'), "text/plain");
  CHECK(response.status == 413);
  CHECK_FALSE(response.keep_alive);
  CHECK_FALSE(client.connected());
}

TEST_CASE("a header block over max_header_bytes gets 431") {
  ServerOptions options;
  options.max_header_bytes = 1024;
  TestServer test(describe_request, options);
  auto client = test.client();
  const auto response = client.get("/", {{"X-Padding", std::string(4096, 'p')}});
  CHECK(response.status == 431);
  CHECK_FALSE(client.connected());
}

TEST_CASE("connections past max_connections are closed at accept") {
  ServerOptions options;
  options.max_connections = 2;
  TestServer test(describe_request, options);
  auto first = test.client();
  auto second = test.client();
  REQUIRE(first.get("/").status == 200);
  REQUIRE(second.get("/").status == 200);
  auto third = test.client(2s);
  CHECK_THROWS(third.get("/"));

  first.close();
  CHECK(hangar::test::wait_until(
      [&] {
        auto retry = test.client(2s);
        try {
          return retry.get("/").status == 200;
        } catch (const std::exception&) {
          return false;
        }
      },
      5s));
}

namespace {

// A raw client socket from `source` (any address of 127/8 is this machine), for clients that
// misbehave below HTTP.
boost::asio::ip::tcp::socket raw_connection(boost::asio::io_context& io, std::uint16_t port,
                                            const char* source = "127.0.0.1") {
  using boost::asio::ip::make_address;
  using boost::asio::ip::tcp;
  tcp::socket socket(io);
  socket.open(tcp::v4());
  socket.bind(tcp::endpoint(make_address(source), 0));
  socket.connect(tcp::endpoint(make_address("127.0.0.1"), port));
  return socket;
}

// Whether the server closed `socket` within `within` (it reads nothing but the end).
bool closed_within(boost::asio::ip::tcp::socket& socket, std::chrono::milliseconds within) {
  timeval timeout{static_cast<time_t>(within.count() / 1000),
                  static_cast<suseconds_t>(within.count() % 1000 * 1000)};
  ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  char byte = 0;
  return ::recv(socket.native_handle(), &byte, 1, 0) == 0;  // -1: timed out, still open
}

}  // namespace

TEST_CASE("one client address holds at most max_connections_per_client connections") {
  ServerOptions options;
  options.max_connections_per_client = 2;
  TestServer test(describe_request, options);
  boost::asio::io_context io;
  auto first = raw_connection(io, test.server.port());
  auto second = raw_connection(io, test.server.port());
  auto third = raw_connection(io, test.server.port());
  CHECK(closed_within(third, 2s));
  // Another address is served all the same, and so is the first once it holds fewer.
  auto other = raw_connection(io, test.server.port(), "127.0.0.2");
  CHECK_FALSE(closed_within(other, 300ms));
  first.close();
  CHECK(hangar::test::wait_until(
      [&] {
        auto again = raw_connection(io, test.server.port());
        return !closed_within(again, 200ms);
      },
      5s));
}

TEST_CASE("a connection that sends nothing, or trickles its header, is closed at header_timeout") {
  ServerOptions options;
  options.header_timeout = 300ms;
  options.idle_timeout = 60s;  // what a new connection waited for its first byte before
  TestServer test(describe_request, options);
  boost::asio::io_context io;

  auto silent = raw_connection(io, test.server.port());
  const auto start = std::chrono::steady_clock::now();
  CHECK(closed_within(silent, 5s));
  CHECK(std::chrono::steady_clock::now() - start < 3s);

  // A byte every 100 ms keeps the line busy, but the header is never done.
  auto trickle = raw_connection(io, test.server.port());
  const std::string header = "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaa";
  bool closed = false;
  for (char byte : header) {
    boost::system::error_code ec;
    boost::asio::write(trickle, boost::asio::buffer(&byte, 1), ec);
    if (ec || closed_within(trickle, 100ms)) {
      closed = true;
      break;
    }
  }
  CHECK(closed);

  // A client that does send its request within the limit is served, and its keep-alive
  // connection may then idle longer than header_timeout.
  auto client = test.client();
  REQUIRE(client.get("/").status == 200);
  std::this_thread::sleep_for(600ms);
  CHECK(client.get("/").status == 200);
}

TEST_CASE("an idle keep-alive connection is closed after idle_timeout") {
  ServerOptions options;
  options.idle_timeout = 1s;
  TestServer test(describe_request, options);
  auto client = test.client();
  REQUIRE(client.get("/").status == 200);
  std::this_thread::sleep_for(1500ms);
  CHECK_THROWS(client.get("/"));
}

TEST_CASE("stop() closes open connections, even one waiting for its response") {
  HeldResponses held;
  TestServer& test = held.test();
  auto reply = std::async(std::launch::async, [&] { return test.client(10s).get("/held"); });
  REQUIRE(hangar::test::wait_until([&] { return held.count() == 1; }, 5s, 5ms));
  const auto stopped_at = std::chrono::steady_clock::now();
  test.server.stop();
  CHECK_THROWS(reply.get());
  CHECK(std::chrono::steady_clock::now() - stopped_at < 2s);
  CHECK_THROWS(test.client(1s).get("/"));
}

TEST_CASE("a handler that throws gets its client a 500") {
  TestServer test(
      [](Request&&, const RequestContext&, Respond) { throw std::runtime_error("handler bug"); });
  auto client = test.client();
  CHECK(client.get("/").status == 500);
}

TEST_CASE("listening on a taken port throws 'cannot listen on HOST:PORT: reason'") {
  TestServer first(describe_request);
  const std::string listen = "127.0.0.1:" + std::to_string(first.server.port());
  IoRuntime io(1);
  ServerOptions options;
  options.listen = listen;
  try {
    HttpServer second(io.context(), options, describe_request);
    FAIL("a second server bound the same port");
  } catch (const std::runtime_error& error) {
    CHECK_THAT(error.what(), Catch::StartsWith("cannot listen on " + listen + ": "));
  }
  options.listen = "no-port-here";
  CHECK_THROWS_WITH(HttpServer(io.context(), options, describe_request),
                    Catch::StartsWith("cannot listen on no-port-here: "));
}

TEST_CASE("the server speaks HTTPS with a TLS context") {
  hangar::test::TestCertificates certificates;
  auto tls = std::make_shared<boost::asio::ssl::context>(boost::asio::ssl::context::tls_server);
  tls->use_certificate_chain_file(certificates.server_cert());
  tls->use_private_key_file(certificates.server_key(), boost::asio::ssl::context::pem);
  ServerOptions options;
  options.tls = tls;
  TestServer test(describe_request, options);

  HttpTestClient client("127.0.0.1", test.server.port(),
                        hangar::test::HttpTestTls{certificates.ca_cert(), "localhost"});
  const json first = body_of(client.get("/secure"));
  const json second = body_of(client.get("/again"));
  CHECK(first["target"] == "/secure");
  CHECK(first["connection_id"] == second["connection_id"]);

  // A plain-text client gets no HTTP answer from a TLS port.
  CHECK_THROWS(test.client(2s).get("/"));
}

TEST_CASE("response helpers set type, length and keep-alive from the request") {
  Request keep_alive_request{boost::beast::http::verb::get, "/", 11};
  Request closing_request{boost::beast::http::verb::get, "/", 11};
  closing_request.keep_alive(false);

  const auto json_reply = hangar::http::json_response(keep_alive_request, Status::ok, {{"a", 1}});
  CHECK(json_reply[boost::beast::http::field::content_type] == "application/json");
  CHECK(json_reply[boost::beast::http::field::content_length] == "7");
  CHECK(json_reply.keep_alive());

  const auto error = hangar::http::json_error(closing_request, Status::bad_request, "bad", "why");
  CHECK(json::parse(error.body()) == json{{"error", "bad"}, {"detail", "why"}});
  CHECK_FALSE(error.keep_alive());

  const auto text = hangar::http::text_response(keep_alive_request, Status::ok, "hi");
  CHECK(text[boost::beast::http::field::content_type] == "text/plain; charset=utf-8");
  CHECK(text.body() == "hi");
}
