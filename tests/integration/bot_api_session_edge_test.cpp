// Session against a scripted server, for what the simulator cannot do: slow, oversized and
// garbage replies, and connections dropped without notice.
#include <sys/socket.h>
#include <catch2/catch.hpp>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include "platform/botapi/endpoint.hpp"
#include "platform/botapi/session.hpp"
#include "platform/core/io_runtime.hpp"
#include "platform/status/fleet_status.hpp"
#include "tests/support/awaited_result.hpp"

namespace net = boost::asio;
namespace http = boost::beast::http;
using namespace std::chrono_literals;
using hangar::botapi::Outcome;
using hangar::test::AwaitedResult;
using nlohmann::json;
using Request = http::request<http::string_body>;

namespace {

const std::string token = "123456:AAbbCCddEEffGGhhIIjjKKllMMnnOOppQQ";

struct Reply {
  std::string bytes;  // written as they are
  std::chrono::milliseconds delay{0};
  bool hang_up = false;  // close the connection afterwards, without saying so in the headers
};

Reply respond(int status, const std::string& body) {
  return {"HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: application/json\r\n" +
          "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body};
}

Reply ok(const json& result = json::object()) {
  return respond(200, json{{"ok", true}, {"result", result}}.dump());
}

// A blocking HTTP/1.1 server on 127.0.0.1, one thread per connection, answering every request
// with what the script says.
class ScriptedServer {
 public:
  using Script = std::function<Reply(const Request&)>;

  explicit ScriptedServer(Script script)
      : script_(std::move(script)), acceptor_(io_, {net::ip::make_address("127.0.0.1"), 0}) {
    threads_.emplace_back([this] { accept_loop(); });
  }

  ~ScriptedServer() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
      ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
      for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
    }
    wake_.notify_all();
    for (auto& thread : threads_) thread.join();
  }

  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port());
  }
  std::size_t connections() const { return connections_; }
  std::vector<Request> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  void accept_loop() {
    for (;;) {
      net::ip::tcp::socket socket(io_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      std::lock_guard lock(mutex_);
      if (ec || stopping_) return;
      ++connections_;
      open_fds_.push_back(socket.native_handle());
      threads_.emplace_back([this, s = std::move(socket)]() mutable { serve(std::move(s)); });
    }
  }

  void serve(net::ip::tcp::socket socket) {
    boost::beast::flat_buffer buffer;
    for (;;) {
      Request request;
      boost::system::error_code ec;
      http::read(socket, buffer, request, ec);
      if (ec) return;
      {
        std::lock_guard lock(mutex_);
        requests_.push_back(request);
      }
      Reply reply = script_(request);
      std::unique_lock lock(mutex_);
      if (wake_.wait_for(lock, reply.delay, [this] { return stopping_; })) return;
      lock.unlock();
      net::write(socket, net::buffer(reply.bytes), ec);
      if (ec || reply.hang_up) return;
    }
  }

  Script script_;
  net::io_context io_;
  net::ip::tcp::acceptor acceptor_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::atomic<std::size_t> connections_{0};
  std::vector<int> open_fds_;
  std::vector<Request> requests_;
  std::vector<std::thread> threads_;
};

struct Client {
  explicit Client(const std::string& url, std::size_t max_body_bytes = 1 << 20,
                  std::size_t max_queued_calls = 100) {
    hangar::botapi::SessionOptions options;
    options.endpoint = *hangar::botapi::parse_api_url(url);
    options.token = token;
    options.max_body_bytes = max_body_bytes;
    options.max_queued_calls = max_queued_calls;
    options.observer = status;
    session = hangar::botapi::Session::create(io.context(), std::move(options));
  }
  ~Client() {
    if (session) session->close();
  }

  hangar::botapi::CallResult call(const std::string& method, json params = json::object(),
                                  std::chrono::milliseconds timeout = 5s) {
    AwaitedResult result;
    session->call(method, std::move(params), timeout, result.handler());
    return result.get();
  }

  hangar::IoRuntime io{2};
  std::shared_ptr<hangar::BotStatus> status = std::make_shared<hangar::BotStatus>(1, "edge");
  std::shared_ptr<hangar::botapi::Session> session;
};

}  // namespace

TEST_CASE("a call is a JSON POST to <prefix>/bot<token>/<method> on one kept-alive connection",
          "[bot_api]") {
  ScriptedServer server([](const Request&) { return ok(json{{"id", 1}}); });
  Client client(server.url() + "/prefix/");
  for (int i = 0; i < 3; ++i) CHECK(client.call("sendMessage", {{"chat_id", i}}).ok());

  auto requests = server.requests();
  REQUIRE(requests.size() == 3);
  CHECK(requests[0].method() == http::verb::post);
  CHECK(requests[0].target() == "/prefix/bot" + token + "/sendMessage");
  CHECK(requests[0][http::field::content_type] == "application/json");
  CHECK(requests[0][http::field::host] == server.url().substr(7));
  CHECK(json::parse(requests[2].body()) == json{{"chat_id", 2}});
  CHECK(server.connections() == 1);
  CHECK(client.session->connections_opened() == 1);
  CHECK(client.status->api_requests(hangar::ApiMethod::sendMessage, Outcome::ok) == 3);
}

TEST_CASE("a reply slower than the call's timeout is a timeout", "[bot_api]") {
  ScriptedServer server([](const Request&) { return Reply{ok().bytes, 2s}; });
  Client client(server.url());
  auto result = client.call("getMe", json::object(), 200ms);
  CHECK(result.outcome == Outcome::timeout);
  CHECK(client.status->api_requests(hangar::ApiMethod::getMe, Outcome::timeout) == 1);
}

TEST_CASE("a body over the cap is a bad_response and the connection is replaced", "[bot_api]") {
  ScriptedServer server([](const Request& request) {
    if (request.target().find("big") != std::string::npos) return ok(std::string(64 * 1024, 'x'));
    return ok();
  });
  Client client(server.url(), 16 * 1024);
  auto result = client.call("big");
  CHECK(result.outcome == Outcome::bad_response);
  CHECK(result.description == "response body over 16384 bytes");
  CHECK(client.call("getMe").ok());
  CHECK(client.session->connections_opened() == 2);
}

TEST_CASE("a chunked body over the cap is a bad_response too", "[bot_api]") {
  ScriptedServer server([](const Request&) {
    std::string chunk(8 * 1024, 'x');
    std::string bytes = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 8; ++i) bytes += "2000\r\n" + chunk + "\r\n";
    return Reply{bytes + "0\r\n\r\n"};
  });
  Client client(server.url(), 16 * 1024);
  auto result = client.call("getMe");
  CHECK(result.outcome == Outcome::bad_response);
  CHECK(result.description == "response body over 16384 bytes");
}

TEST_CASE("garbage instead of HTTP is a bad_response", "[bot_api]") {
  ScriptedServer server([](const Request&) { return Reply{"SSH-2.0-OpenSSH_9.2\r\n\r\n"}; });
  Client client(server.url());
  auto result = client.call("getMe");
  CHECK(result.outcome == Outcome::bad_response);
  CHECK_THAT(result.description, Catch::StartsWith("malformed HTTP response"));
}

TEST_CASE("an error page is an http_error, a 200 that is not JSON a bad_response", "[bot_api]") {
  ScriptedServer server([](const Request& request) {
    if (request.target().find("gateway") != std::string::npos)
      return respond(502, "<html>bad gateway</html>");
    return respond(200, "<html>hello</html>");
  });
  Client client(server.url());
  auto gateway = client.call("gateway");
  CHECK(gateway.outcome == Outcome::http_error);
  CHECK(gateway.http_status == 502);
  CHECK(gateway.transient());
  CHECK(client.call("getMe").outcome == Outcome::bad_response);
}

TEST_CASE("a keep-alive connection the server dropped is reopened without failing the call",
          "[bot_api]") {
  ScriptedServer server([](const Request&) { return Reply{ok().bytes, 0ms, true}; });
  Client client(server.url());
  for (int i = 0; i < 3; ++i) {
    CHECK(client.call("sendMessage").ok());
    std::this_thread::sleep_for(50ms);  // let the hang-up arrive before the next call
  }
  CHECK(client.session->connections_opened() == 3);
}

TEST_CASE("a connection dropped before the reply is a network failure", "[bot_api]") {
  ScriptedServer server([](const Request&) { return Reply{"", 0ms, true}; });
  Client client(server.url());
  auto result = client.call("getMe");
  CHECK(result.outcome == Outcome::network);
  CHECK(result.description == "connection closed by server");
}

TEST_CASE("a refused connection is a network failure naming the endpoint", "[bot_api]") {
  std::string url;
  {
    ScriptedServer gone([](const Request&) { return ok(); });
    url = gone.url();
  }
  Client client(url);
  auto result = client.call("getMe");
  CHECK(result.outcome == Outcome::network);
  CHECK_THAT(result.description, Catch::Contains("cannot connect to " + url));
  CHECK(result.summary().find(token) == std::string::npos);
}

TEST_CASE("calls queue in order behind the one in flight, up to the bound", "[bot_api]") {
  ScriptedServer server([](const Request& request) {
    return Reply{ok(json::parse(request.body())).bytes, 100ms};
  });
  Client client(server.url(), 1 << 20, 2);
  std::vector<AwaitedResult> results(4);
  for (int i = 0; i < 4; ++i)
    client.session->call("sendMessage", {{"n", i}}, 5s, results[i].handler());
  for (int i = 0; i < 3; ++i) CHECK(results[i].get().result["n"] == i);
  auto refused = results[3].get();
  CHECK(refused.outcome == Outcome::network);
  CHECK(refused.description == "call queue full");
}

TEST_CASE("a second poll while one is in flight fails at once", "[bot_api]") {
  ScriptedServer server([](const Request&) { return Reply{ok(json::array()).bytes, 300ms}; });
  Client client(server.url());
  AwaitedResult first, second;
  client.session->poll({{"timeout", 1}}, 5s, first.handler());
  client.session->poll({{"timeout", 1}}, 5s, second.handler());
  auto refused = second.get();
  CHECK(refused.outcome == Outcome::network);
  CHECK(refused.description == "poll already in flight");
  CHECK(first.get().ok());
}

TEST_CASE("close fails the call in flight and the queued ones at once, in order", "[bot_api]") {
  ScriptedServer server([](const Request&) { return Reply{ok().bytes, 10s}; });
  Client client(server.url());
  std::vector<int> order;
  std::mutex order_mutex;
  std::vector<AwaitedResult> results(3);
  for (int i = 0; i < 3; ++i) {
    auto handler = results[i].handler();
    client.session->call("sendMessage", json::object(), 30s, [&, i, handler](auto result) {
      std::lock_guard lock(order_mutex);
      order.push_back(i);
      handler(std::move(result));
    });
  }
  std::this_thread::sleep_for(100ms);
  client.session->close();
  client.session->close();
  for (auto& result : results) {
    auto closed = result.get(2s);
    CHECK(closed.outcome == Outcome::network);
    CHECK(closed.description == "session closed");
  }
  CHECK(order == std::vector<int>{0, 1, 2});

  AwaitedResult late;
  client.session->call("getMe", json::object(), 1s, late.handler());
  CHECK(late.get(2s).description == "session closed");
}

TEST_CASE("a session its owner lets go of without close still ends its calls", "[bot_api]") {
  ScriptedServer server([](const Request&) { return Reply{ok().bytes, 10s}; });
  Client client(server.url());
  AwaitedResult in_flight, queued;
  client.session->call("sendMessage", json::object(), 30s, in_flight.handler());
  client.session->call("sendMessage", json::object(), 30s, queued.handler());
  std::this_thread::sleep_for(100ms);
  std::weak_ptr<hangar::botapi::Session> watch = client.session;
  client.session.reset();
  CHECK(watch.expired());
  CHECK(in_flight.get(2s).description == "session closed");
  CHECK(queued.get(2s).description == "session closed");
}
