#include "platform/botapi/proxy_tunnel.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>
#include <utility>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>

#include "platform/botapi/host_port.hpp"

namespace hangar::botapi {

namespace net = boost::asio;

namespace {

constexpr char socks_version = 5;
constexpr char socks_no_auth = 0x00;
constexpr char socks_password_auth = 0x02;
constexpr unsigned char socks_no_acceptable_method = 0xFF;
constexpr char socks_connect_command = 1;
constexpr char socks_ipv4 = 1, socks_domain = 3, socks_ipv6 = 4;

std::string base64(const std::string& text) {
  std::string encoded(4 * ((text.size() + 2) / 3) + 1, '\0');
  const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                     reinterpret_cast<const unsigned char*>(text.data()),
                                     static_cast<int>(text.size()));
  encoded.resize(static_cast<std::size_t>(length));
  return encoded;
}

std::string authority(const std::string& host, std::uint16_t port) {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? '[' + host + ']' : host) + ':' + std::to_string(port);
}

// A proxy's words, fit for one line of last_error: printable ASCII, and not much of it.
std::string printable(std::string_view text) {
  std::string line;
  for (char c : text.substr(0, 80)) line += c >= ' ' && c < 127 ? c : '?';
  return line;
}

// RFC 1928's reply codes.
std::string socks_reply_text(unsigned char code) {
  static const std::array<const char*, 9> texts = {"succeeded",
                                                   "general SOCKS server failure",
                                                   "connection not allowed by ruleset",
                                                   "network unreachable",
                                                   "host unreachable",
                                                   "connection refused",
                                                   "TTL expired",
                                                   "command not supported",
                                                   "address type not supported"};
  return code < texts.size() ? texts[code] : "reply code " + std::to_string(code);
}

}  // namespace

void ProxyTunnel::open(TcpStream& stream, const Proxy& proxy, const std::string& host,
                       std::uint16_t port, Done done) {
  auto tunnel = std::make_shared<ProxyTunnel>(stream, proxy, host, port, std::move(done));
  if (proxy.kind == Proxy::Kind::http)
    tunnel->http_connect();
  else
    tunnel->socks_greet();
}

ProxyTunnel::ProxyTunnel(TcpStream& stream, const Proxy& proxy, const std::string& host,
                         std::uint16_t port, Done done)
    : stream_(stream), proxy_(proxy), host_(host), port_(port), done_(std::move(done)) {}

void ProxyTunnel::write(Then then) {
  net::async_write(
      stream_, net::buffer(buffer_),
      [self = shared_from_this(), then](const boost::system::error_code& ec, std::size_t) {
        if (ec) return self->fail_io(ec);
        then(*self);
      });
}

void ProxyTunnel::read(std::size_t bytes, Step next) {
  buffer_.assign(bytes, '\0');
  net::async_read(
      stream_, net::buffer(buffer_),
      [self = shared_from_this(), next](const boost::system::error_code& ec, std::size_t) {
        if (ec) return self->fail_io(ec);
        ((*self).*next)();
      });
}

void ProxyTunnel::http_connect() {
  const std::string target = authority(host_, port_);
  buffer_ = "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n";
  if (proxy_.has_credentials())
    buffer_ += "Proxy-Authorization: Basic " + base64(proxy_.user + ':' + proxy_.password) + "\r\n";
  buffer_ += "\r\n";
  write([](ProxyTunnel& self) { self.read_http_reply(); });
}

void ProxyTunnel::read_http_reply() {
  buffer_.clear();
  net::async_read_until(
      stream_, net::dynamic_buffer(buffer_, max_proxy_reply_bytes), "\r\n\r\n",
      [self = shared_from_this()](const boost::system::error_code& ec, std::size_t bytes) {
        self->on_http_reply(ec, bytes);
      });
}

void ProxyTunnel::on_http_reply(const boost::system::error_code& ec, std::size_t header_bytes) {
  if (ec == net::error::not_found)
    return fail("reply header over " + std::to_string(max_proxy_reply_bytes) + " bytes");
  if (ec) return fail_io(ec);
  // Neither TLS nor HTTP lets the server speak first, so anything past the header is not ours.
  if (buffer_.size() != header_bytes) return fail("sent data before the tunnel was open");
  const std::string_view reply(buffer_);
  const std::string status_line(reply.substr(0, reply.find("\r\n")));
  const bool http = status_line.rfind("HTTP/1.", 0) == 0 && status_line.size() >= 12 &&
                    status_line[8] == ' ' &&
                    std::all_of(status_line.begin() + 9, status_line.begin() + 12,
                                [](unsigned char c) { return std::isdigit(c); });
  if (!http) return fail("not an HTTP proxy (its reply begins \"" + printable(status_line) + "\")");
  const int status = std::stoi(status_line.substr(9, 3));
  if (status >= 200 && status < 300) return succeed();
  const std::string said = printable(status_line.substr(9));
  if (status == 407)
    return fail(proxy_.has_credentials() ? "authentication failed (" + said + ")"
                                         : "requires authentication (" + said + ")");
  fail("refused the tunnel to " + authority(host_, port_) + " (" + said + ")");
}

void ProxyTunnel::socks_greet() {
  buffer_ = {socks_version, 1, socks_no_auth};
  if (proxy_.has_credentials()) buffer_ = {socks_version, 2, socks_no_auth, socks_password_auth};
  write([](ProxyTunnel& self) { self.read(2, &ProxyTunnel::on_socks_method); });
}

void ProxyTunnel::on_socks_method() {
  if (buffer_[0] != socks_version) return fail("not a SOCKS5 proxy");
  const auto method = static_cast<unsigned char>(buffer_[1]);
  if (method == socks_no_auth) return socks_connect();
  if (method == socks_password_auth && proxy_.has_credentials()) return socks_authenticate();
  if (method == socks_no_acceptable_method)
    return fail(proxy_.has_credentials() ? "accepts none of the offered authentication methods"
                                         : "requires authentication");
  fail("chose an authentication method that was not offered");
}

void ProxyTunnel::socks_authenticate() {
  buffer_ = {1};  // the version of RFC 1929's subnegotiation
  buffer_ += static_cast<char>(proxy_.user.size());
  buffer_ += proxy_.user;
  buffer_ += static_cast<char>(proxy_.password.size());
  buffer_ += proxy_.password;
  write([](ProxyTunnel& self) { self.read(2, &ProxyTunnel::on_socks_authenticated); });
}

void ProxyTunnel::on_socks_authenticated() {
  if (buffer_[1] != 0) return fail("authentication failed");
  socks_connect();
}

void ProxyTunnel::socks_connect() {
  buffer_ = {socks_version, socks_connect_command, 0};
  if (is_ip_literal(host_)) {
    const auto address = net::ip::make_address(host_);
    if (address.is_v4()) {
      buffer_ += socks_ipv4;
      for (auto byte : address.to_v4().to_bytes()) buffer_ += static_cast<char>(byte);
    } else {
      buffer_ += socks_ipv6;
      for (auto byte : address.to_v6().to_bytes()) buffer_ += static_cast<char>(byte);
    }
  } else {
    if (host_.size() > 255) return fail("cannot take a host name over 255 bytes");
    buffer_ += socks_domain;  // the proxy resolves it: socks5h
    buffer_ += static_cast<char>(host_.size());
    buffer_ += host_;
  }
  buffer_ += static_cast<char>(port_ >> 8);
  buffer_ += static_cast<char>(port_ & 0xFF);
  write([](ProxyTunnel& self) { self.read(4, &ProxyTunnel::on_socks_reply); });
}

// The reply ends with the address the proxy bound, whose length depends on its type.
void ProxyTunnel::on_socks_reply() {
  if (buffer_[0] != socks_version) return fail("sent a malformed SOCKS5 reply");
  const auto code = static_cast<unsigned char>(buffer_[1]);
  if (code != 0)
    return fail("could not reach " + authority(host_, port_) + ": " + socks_reply_text(code));
  switch (buffer_[3]) {
    case socks_ipv4:
      return read(4 + 2, &ProxyTunnel::succeed);
    case socks_ipv6:
      return read(16 + 2, &ProxyTunnel::succeed);
    case socks_domain:
      return read(1, &ProxyTunnel::on_socks_name_length);
    default:
      return fail("sent a malformed SOCKS5 reply");
  }
}

void ProxyTunnel::on_socks_name_length() {
  read(static_cast<unsigned char>(buffer_[0]) + 2u, &ProxyTunnel::succeed);
}

void ProxyTunnel::fail(std::string what, Outcome outcome) {
  buffer_ = std::string();
  if (auto done = std::exchange(done_, nullptr))
    done(failure(outcome, "proxy " + proxy_.display() + ": " + what));
}

void ProxyTunnel::fail_io(const boost::system::error_code& ec) {
  if (ec == boost::beast::error::timeout) return fail("did not answer in time", Outcome::timeout);
  if (ec == net::error::eof || ec == net::error::connection_reset)
    return fail("closed the connection during the handshake");
  fail("failed during the handshake: " + ec.message());
}

void ProxyTunnel::succeed() {
  buffer_ = std::string();
  if (auto done = std::exchange(done_, nullptr)) done(std::nullopt);
}

}  // namespace hangar::botapi
