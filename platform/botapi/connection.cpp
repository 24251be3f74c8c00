#include "platform/botapi/connection.hpp"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <utility>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>

#include "platform/botapi/host_port.hpp"
#include "platform/botapi/proxy_tunnel.hpp"
#include "platform/botapi/response_parser.hpp"

namespace hangar::botapi {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;

namespace {

// Telegram's headers are a few hundred bytes; anything near this is not the Bot API.
constexpr std::uint32_t max_header_bytes = 16 * 1024;
// A read buffer grown past this by a large response is given back once the response is read.
constexpr std::size_t kept_buffer_bytes = 4 * 1024;

std::string host_header(const Endpoint& endpoint) {
  std::string host = is_ip_literal(endpoint.host) && endpoint.host.find(':') != std::string::npos
                         ? '[' + endpoint.host + ']'
                         : endpoint.host;
  if (endpoint.port != (endpoint.tls ? 443 : 80)) host += ':' + std::to_string(endpoint.port);
  return host;
}

// HTTP/1.1 keeps the connection alive unless a side says otherwise, so no Connection header.
std::string format_request(const ConnectionTarget& target, const std::string& method,
                           const std::string& body) {
  const auto& endpoint = target.endpoint;
  return "POST " + endpoint.path_prefix + "/bot" + target.token + "/" + method +
         " HTTP/1.1\r\nHost: " + host_header(endpoint) +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + body;
}

// OpenSSL's own verdict names the certificate problem far better than the handshake error.
std::string tls_failure(SSL* ssl, const beast::error_code& ec) {
  const long verify = SSL_get_verify_result(ssl);
  if (verify != X509_V_OK)
    return std::string("certificate verify failed: ") + X509_verify_cert_error_string(verify);
  return "TLS handshake failed: " + ec.message();
}

// A server that echoes the request target (a proxy's error page, say) must not leak the token.
void scrub_token(std::string& text, const std::string& token) {
  if (token.empty()) return;
  for (auto at = text.find(token); at != std::string::npos; at = text.find(token, at))
    text.replace(at, token.size(), "<token>");
}

bool server_hung_up(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == http::error::partial_message ||
         ec == net::error::eof || ec == net::error::connection_reset ||
         ec == net::error::broken_pipe || ec == ssl::error::stream_truncated;
}

bool is_malformed_http(const beast::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_version).category();
}

}  // namespace

Connection::Connection(Strand strand, std::shared_ptr<ConnectionTarget> target)
    : strand_(std::move(strand)), target_(std::move(target)) {}

template <class F>
void Connection::with_stream(F&& f) {
  if (auto* plain = std::get_if<TcpStream>(&stream_)) f(*plain);
  if (auto* tls = tls_stream()) f(*tls);
}

TcpStream& Connection::lowest_layer() {
  if (auto* tls = tls_stream()) return tls->next_layer();
  return std::get<TcpStream>(stream_);
}

Connection::TlsStream* Connection::tls_stream() {
  auto* tls = std::get_if<std::unique_ptr<TlsStream>>(&stream_);
  return tls ? tls->get() : nullptr;
}

bool Connection::is_open() const {
  return !std::holds_alternative<std::monostate>(stream_);
}

void Connection::send(const std::string& method, const std::string& body,
                      std::chrono::milliseconds timeout, Done done) {
  done_ = std::move(done);
  if (closed_) return finish(cancelled("session closed"));
  deadline_ = Clock::now() + timeout;

  request_ = format_request(*target_, method, body);

  reused_ = is_open();
  if (reused_)
    write();
  else
    open();
}

void Connection::close() {
  closed_ = true;
  if (auto lookup = std::exchange(lookup_, nullptr)) lookup->cancel();
  if (is_open()) lowest_layer().close();
  // Operations in flight still use the stream, request and parser: their handlers, called
  // with operation_aborted, free them. An idle connection can let go of them now.
  if (auto done = std::exchange(done_, nullptr))
    done(cancelled("session closed"));
  else
    abandon();
}

void Connection::open() {
  if (target_->resolved.empty())
    target_->resolved = AddressLookup::literal(first_hop_host(), first_hop_port());
  if (target_->resolved.empty())
    resolve();
  else
    connect();
}

const std::string& Connection::first_hop_host() const {
  return target_->proxy ? target_->proxy->host : target_->endpoint.host;
}

std::uint16_t Connection::first_hop_port() const {
  return target_->proxy ? target_->proxy->port : target_->endpoint.port;
}

// The lookup, connect, tunnel and handshake each get at most connect_timeout, within the call's.
Connection::Clock::time_point Connection::connect_deadline() const {
  return std::min(deadline_, Clock::now() + target_->connect_timeout);
}

void Connection::resolve() {
  lookup_ = std::make_shared<AddressLookup>(strand_);
  lookup_->start(first_hop_host(), first_hop_port(), connect_deadline(),
                 target_->proxy ? "proxy host " : "",
                 beast::bind_front_handler(&Connection::on_resolve, shared_from_this()));
}

void Connection::on_resolve(std::optional<CallResult> problem, AddressLookup::Results results) {
  lookup_.reset();
  if (closed_) return abandon();
  if (problem) return finish(std::move(*problem));
  target_->resolved = std::move(results);
  connect();
}

void Connection::connect() {
  if (target_->endpoint.tls)
    stream_ = std::make_unique<TlsStream>(strand_, *target_->tls);
  else
    stream_.emplace<TcpStream>(strand_);
  lowest_layer().expires_at(connect_deadline());
  lowest_layer().async_connect(
      target_->resolved, beast::bind_front_handler(&Connection::on_connect, shared_from_this()));
}

void Connection::on_connect(beast::error_code ec, const tcp::endpoint&) {
  if (closed_) return abandon();
  const auto& proxy = target_->proxy;
  if (ec) {
    target_->resolved = {};  // the address may have moved; look it up again next time
    drop_stream();
    const std::string peer = proxy ? "proxy " + proxy->display() : target_->endpoint.display();
    if (ec == beast::error::timeout)
      return fail(Outcome::timeout, "connect to " + peer + " timed out");
    return fail(Outcome::network, "cannot connect to " + peer + ": " + ec.message());
  }
  ++target_->connections_opened;
  // The request goes out in one or two writes; waiting for an ACK in between only adds latency.
  lowest_layer().socket().set_option(tcp::no_delay(true), ec);
  if (!proxy) return secure_or_write();
  lowest_layer().expires_at(connect_deadline());
  ProxyTunnel::open(lowest_layer(), *proxy, target_->endpoint.host, target_->endpoint.port,
                    beast::bind_front_handler(&Connection::on_tunnel, shared_from_this()));
}

void Connection::on_tunnel(std::optional<CallResult> problem) {
  if (closed_) return abandon();
  if (problem) {
    drop_stream();
    return finish(std::move(*problem));
  }
  secure_or_write();
}

void Connection::secure_or_write() {
  if (tls_stream())
    handshake();
  else
    write();
}

void Connection::handshake() {
  auto& tls = *tls_stream();
  const std::string& host = target_->endpoint.host;
  X509_VERIFY_PARAM* param = SSL_get0_param(tls.native_handle());
  if (is_ip_literal(host)) {
    X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
  } else {
    SSL_set_tlsext_host_name(tls.native_handle(), host.c_str());  // SNI takes names only
    SSL_set1_host(tls.native_handle(), host.c_str());
  }
  lowest_layer().expires_at(connect_deadline());
  tls.async_handshake(ssl::stream_base::client,
                      beast::bind_front_handler(&Connection::on_handshake, shared_from_this()));
}

void Connection::on_handshake(beast::error_code ec) {
  if (closed_) return abandon();
  if (ec) {
    std::string reason = ec == beast::error::timeout
                             ? "TLS handshake timed out"
                             : tls_failure(tls_stream()->native_handle(), ec);
    drop_stream();
    return fail(ec == beast::error::timeout ? Outcome::timeout : Outcome::network,
                std::move(reason));
  }
  write();
}

void Connection::write() {
  lowest_layer().expires_at(deadline_);
  with_stream([this](auto& stream) {
    net::async_write(stream, net::buffer(request_),
                     beast::bind_front_handler(&Connection::on_write, shared_from_this()));
  });
}

void Connection::on_write(beast::error_code ec, std::size_t) {
  if (closed_) return abandon();
  if (ec) {
    if (server_hung_up(ec) && retry_on_fresh_connection()) return;
    drop_stream();
    if (ec == beast::error::timeout) return fail(Outcome::timeout, "request timed out");
    return fail(Outcome::network, "cannot send request: " + ec.message());
  }
  parser_.emplace();
  parser_->header_limit(max_header_bytes);
  parser_->body_limit(target_->max_body_bytes);
  with_stream([this](auto& stream) {
    http::async_read_header(
        stream, buffer_, *parser_,
        beast::bind_front_handler(&Connection::on_read_header, shared_from_this()));
  });
}

// Beast 1.74 loses the body_limit error for a too-large Content-Length when it parses eagerly,
// as async_read does, so the declared length is checked here before the body is read.
void Connection::on_read_header(beast::error_code ec, std::size_t bytes) {
  if (!ec && parser_->content_length().value_or(0) > target_->max_body_bytes)
    ec = http::error::body_limit;
  if (ec || closed_ || parser_->is_done()) return on_read(ec, bytes);
  with_stream([this](auto& stream) {
    http::async_read(stream, buffer_, *parser_,
                     beast::bind_front_handler(&Connection::on_read, shared_from_this()));
  });
}

void Connection::on_read(beast::error_code ec, std::size_t) {
  if (closed_) return abandon();
  if (ec == http::error::body_limit) {
    drop_stream();
    return fail(Outcome::bad_response,
                "response body over " + std::to_string(target_->max_body_bytes) + " bytes");
  }
  if (ec == http::error::header_limit) {
    drop_stream();
    return fail(Outcome::bad_response,
                "response header over " + std::to_string(max_header_bytes) + " bytes");
  }
  if (ec) {
    if (server_hung_up(ec) && !parser_->got_some() && retry_on_fresh_connection()) return;
    drop_stream();
    if (ec == beast::error::timeout) return fail(Outcome::timeout, "no response in time");
    if (server_hung_up(ec)) return fail(Outcome::network, "connection closed by server");
    if (is_malformed_http(ec))
      return fail(Outcome::bad_response, "malformed HTTP response: " + ec.message());
    return fail(Outcome::network, "cannot read response: " + ec.message());
  }

  auto& response = parser_->get();
  CallResult result = parse_response(response.result_int(), response.body());
  if (parser_->keep_alive())
    lowest_layer().expires_never();
  else
    drop_stream();
  finish(std::move(result));
}

// A kept-alive connection may have been closed by the server while it sat idle, and that
// only shows once a request is sent on it. Nothing of the request was answered, so the server
// never acted on it: send it once more on a new connection.
bool Connection::retry_on_fresh_connection() {
  if (!reused_) return false;
  reused_ = false;
  drop_stream();
  parser_.reset();
  buffer_.clear();
  open();
  return true;
}

void Connection::fail(Outcome outcome, std::string description) {
  finish(failure(outcome, std::move(description)));
}

void Connection::finish(CallResult result) {
  release_memory();
  scrub_token(result.description, target_->token);
  if (auto done = std::exchange(done_, nullptr)) done(std::move(result));
}

void Connection::abandon() {
  drop_stream();
  release_memory();
}

void Connection::drop_stream() {
  stream_.emplace<std::monostate>();
  buffer_.clear();
}

void Connection::release_memory() {
  request_ = std::string();
  parser_.reset();
  if (buffer_.capacity() > kept_buffer_bytes && buffer_.size() == 0) buffer_.shrink_to_fit();
}

}  // namespace hangar::botapi
