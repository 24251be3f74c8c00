#pragma once
// A small asynchronous HTTP/1.1 server on Boost.Beast, plain or TLS, shared by Hangar's REST API
// and by the Bot API simulator. One request at a time per connection (keep-alive, no
// pipelining); every body, header block and connection count is capped.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json_fwd.hpp>

namespace hangar::http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;
using Status = boost::beast::http::status;

// Hands the response back; call it exactly once, from any thread, at any later time. If the
// connection is gone by then, the response is dropped. A Respond keeps its connection alive,
// so it must not outlive the io_context the server runs on (like any Asio I/O object).
using Respond = std::function<void(Response)>;

struct RequestContext {
  std::uint64_t connection_id = 0;  // unique per accepted connection for the server's lifetime
  std::string remote_address;
  std::uint64_t request_number = 1;  // 1 for the first request on this connection, then 2...
};

using Handler = std::function<void(Request&& request, const RequestContext& context, Respond)>;

struct ServerOptions {
  std::string listen = "127.0.0.1:0";              // HOST:PORT; port 0 picks a free one
  std::shared_ptr<boost::asio::ssl::context> tls;  // serve HTTPS when set
  std::size_t max_body_bytes = 1u << 20;
  std::size_t max_header_bytes = 16u << 10;
  std::size_t max_connections = 10000;  // further connections are closed at accept
  // One client address (a slowloris) cannot take the server's connections for itself.
  std::size_t max_connections_per_client = 64;
  std::chrono::milliseconds idle_timeout{120000};    // a keep-alive connection between requests
  std::chrono::milliseconds header_timeout{10000};   // a new connection's first request, a TLS
                                                     // handshake, and any request's header
  std::chrono::milliseconds request_timeout{30000};  // reading one request's body, writing one
                                                     // response
};

class HttpServer {
 public:
  // Binds and starts accepting on `io`. Throws std::runtime_error "cannot listen on X: reason".
  HttpServer(boost::asio::io_context& io, ServerOptions options, Handler handler);
  ~HttpServer();  // stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  std::uint16_t port() const;
  std::string host() const;
  // Stops accepting and closes every open connection. Safe from any thread.
  void stop();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

// Helpers for handlers: a JSON body with Content-Type application/json, and the contract's
// error shape {"error": ..., "detail": ...}.
Response json_response(const Request& request, Status status, const nlohmann::json& body);
// For answers given after the request is gone (long polls): `body` is serialized JSON already.
Response json_response(unsigned version, bool keep_alive, Status status, std::string body);
Response json_error(const Request& request, Status status, const std::string& error,
                    const std::string& detail = "");
Response text_response(const Request& request, Status status, std::string body,
                       const std::string& content_type = "text/plain; charset=utf-8");

}  // namespace hangar::http
