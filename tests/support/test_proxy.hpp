#pragma once
// A forward proxy for tests on 127.0.0.1: HTTP CONNECT (with Basic auth when it has credentials)
// or SOCKS5 (RFC 1928, with RFC 1929 user/password auth when it has credentials). It relays
// bytes and nothing else, so TLS runs through it end to end. It tunnels only to 127.0.0.1 and
// resolves names by its own table (alias()), so a test can give a Bot API a name that only the
// proxy knows, which proves the client let the proxy resolve it. It counts what it did.
//
// A thread per connection with blocking sockets (polled, so the destructor can stop them): a
// test opens a handful of connections, and this keeps the proxy easy to read.
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace hangar::test {

class TestProxy {
 public:
  enum class Kind { http, socks5 };
  // How it treats a client: as a proxy should, or as a broken one would.
  enum class Manner {
    proxy,           // opens tunnels
    silent,          // accepts the connection and never answers
    endless_header,  // answers CONNECT with a header that never ends (http only)
  };

  explicit TestProxy(Kind kind, std::string user = "", std::string password = "",
                     Manner manner = Manner::proxy);
  ~TestProxy();
  TestProxy(const TestProxy&) = delete;
  TestProxy& operator=(const TestProxy&) = delete;

  std::uint16_t port() const { return port_; }
  // "http://127.0.0.1:PORT" or "socks5://...", with the credentials it was given.
  std::string url() const;
  // `name` resolves to `address` (an IPv4 literal in 127.0.0.0/8) for the proxy only.
  void alias(const std::string& name, const std::string& address = "127.0.0.1");

  std::size_t tunnels() const { return tunnels_.load(); }  // opened and relaying, so far
  std::size_t auth_failures() const { return auth_failures_.load(); }
  // Each tunnel's target as the client named it ("api.example.test:443", "127.0.0.1:8081").
  std::vector<std::string> targets() const;
  // Whether every SOCKS5 target came as a name, never as an address the client resolved.
  bool names_only() const { return !addresses_asked_.load(); }

 private:
  struct Client;

  void accept_loop();
  void serve(int client);
  void serve_http(Client& client);
  void serve_socks(Client& client);
  // The target's socket, or -1 when it is neither an alias nor a loopback address.
  int connect_target(const std::string& host, std::uint16_t port);
  void relay(int a, int b);
  void record(const std::string& target);

  const Kind kind_;
  const std::string user_;
  const std::string password_;
  const Manner manner_;
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<std::size_t> tunnels_{0};
  std::atomic<std::size_t> auth_failures_{0};
  std::atomic<bool> addresses_asked_{false};
  mutable std::mutex mutex_;
  std::map<std::string, std::string> aliases_;
  std::vector<std::string> targets_;
  std::vector<std::thread> threads_;  // a connection's each; joined by the destructor
  std::thread acceptor_;
};

}  // namespace hangar::test
