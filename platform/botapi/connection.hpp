#pragma once
// One keep-alive HTTP(S) connection to the Bot API, carrying one request at a time. It opens
// on the first request, is reused while the server keeps it open, and opens again after it
// drops. Everything here runs on the session's strand.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "platform/botapi/address_lookup.hpp"
#include "platform/botapi/call_result.hpp"
#include "platform/botapi/endpoint.hpp"
#include "platform/botapi/io_types.hpp"
#include "platform/botapi/proxy_url.hpp"

namespace hangar::botapi {

// What both connections of a session share. Only touched on the session's strand, except the
// atomic counter.
struct ConnectionTarget {
  Endpoint endpoint;
  std::string token;  // secret: goes into request targets, never into a description
  std::shared_ptr<boost::asio::ssl::context> tls;
  std::size_t max_body_bytes = 0;
  std::chrono::milliseconds connect_timeout{0};
  // When set, every connection goes to the proxy and tunnels through it to the endpoint; only
  // the proxy's host is looked up here.
  std::optional<Proxy> proxy;
  // Resolved once and reused for reconnects; forgotten when connecting to them fails.
  boost::asio::ip::tcp::resolver::results_type resolved;
  std::atomic<std::size_t> connections_opened{0};
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  using Done = std::function<void(CallResult)>;

  Connection(Strand strand, std::shared_ptr<ConnectionTarget> target);

  // POSTs `body` to <prefix>/bot<token>/<method>. `timeout` covers the DNS lookup, connect,
  // the proxy's tunnel, the TLS handshake, write and read. One request at a time; `done` runs on
  // the strand.
  void send(const std::string& method, const std::string& body, std::chrono::milliseconds timeout,
            Done done);

  // Finishes the request in flight at once with network "session closed", closes the socket,
  // and refuses later requests the same way.
  void close();

 private:
  using tcp = boost::asio::ip::tcp;
  using TlsStream = boost::asio::ssl::stream<TcpStream>;
  using Parser = boost::beast::http::response_parser<boost::beast::http::string_body>;
  using Clock = std::chrono::steady_clock;

  template <class F>
  void with_stream(F&& f);
  TcpStream& lowest_layer();
  TlsStream* tls_stream();  // null on a plain connection
  bool is_open() const;
  void open();
  void resolve();
  void on_resolve(std::optional<CallResult> problem, AddressLookup::Results results);
  void connect();
  void on_connect(boost::beast::error_code ec, const tcp::endpoint&);
  void on_tunnel(std::optional<CallResult> problem);
  void secure_or_write();
  // Where the socket connects: the proxy, or else the endpoint itself.
  const std::string& first_hop_host() const;
  std::uint16_t first_hop_port() const;
  std::chrono::steady_clock::time_point connect_deadline() const;
  void handshake();
  void on_handshake(boost::beast::error_code ec);
  void write();
  void on_write(boost::beast::error_code ec, std::size_t);
  void on_read_header(boost::beast::error_code ec, std::size_t bytes);
  void on_read(boost::beast::error_code ec, std::size_t);

  bool retry_on_fresh_connection();
  void fail(Outcome outcome, std::string description);
  void finish(CallResult result);
  void abandon();
  void drop_stream();
  void release_memory();

  Strand strand_;
  std::shared_ptr<ConnectionTarget> target_;
  std::shared_ptr<AddressLookup> lookup_;  // only while resolving
  // A TLS stream is ten times the size of a plain one, so only TLS connections pay for it.
  std::variant<std::monostate, TcpStream, std::unique_ptr<TlsStream>> stream_;
  boost::beast::flat_buffer buffer_;
  // The whole request in one string: one allocation while it waits for its answer, one write
  // (one TLS record) on the wire. Kept until answered, in case it must be sent again.
  std::string request_;
  std::optional<Parser> parser_;  // one per response, freed once read
  Done done_;                     // set while a request is in flight
  Clock::time_point deadline_;
  bool reused_ = false;  // the request went out on a connection that served an earlier one
  bool closed_ = false;
};

}  // namespace hangar::botapi
