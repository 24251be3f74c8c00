#include "tests/support/http_test_client.hpp"

#include <stdexcept>

#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace hangar::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace ssl = boost::asio::ssl;
using error_code = boost::system::error_code;

namespace {

constexpr std::uint64_t kMaxResponseBody = 64u << 20;

}  // namespace

struct HttpTestClient::Impl {
  Impl(std::string host, std::uint16_t port, std::optional<HttpTestTls> tls,
       std::chrono::milliseconds timeout)
      : host(std::move(host)), port(port), tls(std::move(tls)), timeout(timeout) {
    if (this->tls) {
      tls_context.set_verify_mode(ssl::verify_peer);
      tls_context.load_verify_file(this->tls->ca_file);
    }
  }

  // Runs one asynchronous step to completion; the stream's expiry turns a hang into an error.
  template <class Initiate>
  void step(const std::string& what, Initiate&& initiate) {
    error_code result = asio::error::would_block;
    initiate([&result](error_code ec, auto&&...) { result = ec; });
    io.restart();
    io.run();
    if (result) {
      close();
      throw std::runtime_error(what + " " + host + ":" + std::to_string(port) +
                               " failed: " + result.message());
    }
  }

  void connect() {
    asio::ip::tcp::resolver resolver(io);
    const auto endpoints = resolver.resolve(host, std::to_string(port));
    if (tls) {
      secure.emplace(io, tls_context);
      SSL_set_tlsext_host_name(secure->native_handle(), tls->server_name.c_str());
      secure->set_verify_callback(ssl::host_name_verification(tls->server_name));
    } else {
      plain.emplace(io);
    }
    auto& tcp = tls ? beast::get_lowest_layer(*secure) : *plain;
    tcp.expires_after(timeout);
    step("connect to", [&](auto handler) { tcp.async_connect(endpoints, std::move(handler)); });
    if (tls) {
      tcp.expires_after(timeout);
      step("TLS handshake with", [&](auto handler) {
        secure->async_handshake(ssl::stream_base::client, std::move(handler));
      });
    }
  }

  template <class Stream>
  HttpTestResponse exchange(Stream& stream, http::request<http::string_body>& request) {
    auto& tcp = beast::get_lowest_layer(stream);
    tcp.expires_after(timeout);
    step("write to", [&](auto handler) { http::async_write(stream, request, std::move(handler)); });
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxResponseBody);
    tcp.expires_after(timeout);
    step("read from",
         [&](auto handler) { http::async_read(stream, buffer, parser, std::move(handler)); });
    auto response = parser.release();
    HttpTestResponse result;
    result.status = static_cast<int>(response.result_int());
    result.body = std::move(response.body());
    result.content_type = std::string(response[http::field::content_type]);
    result.keep_alive = response.keep_alive();
    if (!result.keep_alive) close();
    return result;
  }

  bool connected() const { return plain.has_value() || secure.has_value(); }

  void close() {
    error_code ignored;
    if (plain) plain->socket().close(ignored);
    if (secure) beast::get_lowest_layer(*secure).socket().close(ignored);
    plain.reset();
    secure.reset();
    buffer.clear();
  }

  const std::string host;
  const std::uint16_t port;
  const std::optional<HttpTestTls> tls;
  const std::chrono::milliseconds timeout;
  asio::io_context io;
  ssl::context tls_context{ssl::context::tls_client};
  std::optional<beast::tcp_stream> plain;
  std::optional<ssl::stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;
};

HttpTestClient::HttpTestClient(std::string host, std::uint16_t port, std::optional<HttpTestTls> tls,
                               std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>(std::move(host), port, std::move(tls), timeout)) {}

HttpTestClient::~HttpTestClient() = default;

HttpTestResponse HttpTestClient::get(const std::string& target, const HttpHeaders& headers) {
  return request("GET", target, "", headers);
}

HttpTestResponse HttpTestClient::post(const std::string& target, const std::string& body,
                                      const std::string& content_type, const HttpHeaders& headers) {
  HttpHeaders with_type = headers;
  with_type.emplace("Content-Type", content_type);
  return request("POST", target, body, with_type);
}

HttpTestResponse HttpTestClient::request(const std::string& method, const std::string& target,
                                         const std::string& body, const HttpHeaders& headers) {
  http::request<http::string_body> request{http::string_to_verb(method), target, 11};
  request.set(http::field::host, impl_->host + ":" + std::to_string(impl_->port));
  request.set(http::field::user_agent, "hangar-test");
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = body;
  request.prepare_payload();
  if (!impl_->connected()) impl_->connect();
  return impl_->secure ? impl_->exchange(*impl_->secure, request)
                       : impl_->exchange(*impl_->plain, request);
}

bool HttpTestClient::connected() const {
  return impl_->connected();
}

void HttpTestClient::close() {
  impl_->close();
}

HttpTestResponse http_get(const std::string& host, std::uint16_t port, const std::string& target,
                          const HttpHeaders& headers) {
  return HttpTestClient(host, port).get(target, headers);
}

HttpTestResponse http_post(const std::string& host, std::uint16_t port, const std::string& target,
                           const std::string& body, const std::string& content_type,
                           const HttpHeaders& headers) {
  return HttpTestClient(host, port).post(target, body, content_type, headers);
}

}  // namespace hangar::test
