#pragma once
// A small blocking HTTP/1.1 client for tests, on Beast: one keep-alive connection per client
// object (plain or TLS with a CA file), every step bounded by a timeout. Throws
// std::runtime_error with one line when the connection or the exchange fails.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace hangar::test {

struct HttpTestResponse {
  int status = 0;
  std::string body;
  std::string content_type;
  bool keep_alive = false;
};

struct HttpTestTls {
  std::string ca_file;                    // PEM; the only trust anchor
  std::string server_name = "localhost";  // sent as SNI and checked against the certificate
};

using HttpHeaders = std::map<std::string, std::string>;

class HttpTestClient {
 public:
  HttpTestClient(std::string host, std::uint16_t port, std::optional<HttpTestTls> tls = {},
                 std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~HttpTestClient();
  HttpTestClient(const HttpTestClient&) = delete;
  HttpTestClient& operator=(const HttpTestClient&) = delete;

  HttpTestResponse get(const std::string& target, const HttpHeaders& headers = {});
  HttpTestResponse post(const std::string& target, const std::string& body,
                        const std::string& content_type = "application/json",
                        const HttpHeaders& headers = {});
  // Any method; connects first when there is no open connection.
  HttpTestResponse request(const std::string& method, const std::string& target,
                           const std::string& body, const HttpHeaders& headers);

  bool connected() const;
  void close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One request on a connection of its own.
HttpTestResponse http_get(const std::string& host, std::uint16_t port, const std::string& target,
                          const HttpHeaders& headers = {});
HttpTestResponse http_post(const std::string& host, std::uint16_t port, const std::string& target,
                           const std::string& body,
                           const std::string& content_type = "application/json",
                           const HttpHeaders& headers = {});

}  // namespace hangar::test
