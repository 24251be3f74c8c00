#include "tests/support/test_proxy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <stdexcept>

namespace hangar::test {

namespace {

constexpr int poll_interval_ms = 50;  // how soon a blocked thread notices the proxy stopping
constexpr std::size_t max_request_header = 8192;

// Written here rather than taken from the code under test, so that the test is not circular.
std::string base64(const std::string& text) {
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string encoded;
  for (std::size_t i = 0; i < text.size(); i += 3) {
    std::uint32_t group = static_cast<unsigned char>(text[i]) << 16;
    if (i + 1 < text.size()) group |= static_cast<unsigned char>(text[i + 1]) << 8;
    if (i + 2 < text.size()) group |= static_cast<unsigned char>(text[i + 2]);
    encoded += alphabet[(group >> 18) & 63];
    encoded += alphabet[(group >> 12) & 63];
    encoded += i + 1 < text.size() ? alphabet[(group >> 6) & 63] : '=';
    encoded += i + 2 < text.size() ? alphabet[group & 63] : '=';
  }
  return encoded;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

bool send_all(int fd, const std::string& data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

// One client connection's reads, each giving up when the proxy stops.
struct TestProxy::Client {
  int fd;
  const std::atomic<bool>& stopping;
  std::string pending;  // read past what the handshake consumed

  bool readable() {
    pollfd entry{fd, POLLIN, 0};
    while (!stopping.load()) {
      if (::poll(&entry, 1, poll_interval_ms) > 0) return true;
    }
    return false;
  }
  bool fill() {
    std::array<char, 4096> chunk{};
    if (!readable()) return false;
    const ssize_t n = ::recv(fd, chunk.data(), chunk.size(), 0);
    if (n <= 0) return false;
    pending.append(chunk.data(), static_cast<std::size_t>(n));
    return true;
  }
  bool read_exact(std::size_t bytes, std::string& out) {
    while (pending.size() < bytes)
      if (!fill()) return false;
    out = pending.substr(0, bytes);
    pending.erase(0, bytes);
    return true;
  }
  bool read_header(std::string& out) {
    std::size_t end;
    while ((end = pending.find("\r\n\r\n")) == std::string::npos) {
      if (pending.size() > max_request_header || !fill()) return false;
    }
    out = pending.substr(0, end + 4);
    pending.erase(0, end + 4);
    return true;
  }
};

TestProxy::TestProxy(Kind kind, std::string user, std::string password, Manner manner)
    : kind_(kind), user_(std::move(user)), password_(std::move(password)), manner_(manner) {
  listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      ::listen(listener_, 64) != 0 ||
      ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0)
    throw std::runtime_error("test proxy: cannot listen on 127.0.0.1");
  port_ = ntohs(address.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

TestProxy::~TestProxy() {
  stopping_ = true;
  acceptor_.join();
  for (auto& thread : threads_) thread.join();  // no new ones once the acceptor has ended
  ::close(listener_);
}

std::string TestProxy::url() const {
  std::string url = kind_ == Kind::http ? "http://" : "socks5://";
  if (!user_.empty() || !password_.empty()) url += user_ + ":" + password_ + "@";
  return url + "127.0.0.1:" + std::to_string(port_);
}

void TestProxy::alias(const std::string& name, const std::string& address) {
  std::lock_guard<std::mutex> lock(mutex_);
  aliases_[lower(name)] = address;
}

std::vector<std::string> TestProxy::targets() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return targets_;
}

void TestProxy::accept_loop() {
  pollfd entry{listener_, POLLIN, 0};
  while (!stopping_.load()) {
    if (::poll(&entry, 1, poll_interval_ms) <= 0) continue;
    const int client = ::accept(listener_, nullptr, nullptr);
    if (client < 0) continue;
    std::lock_guard<std::mutex> lock(mutex_);
    threads_.emplace_back([this, client] {
      serve(client);
      ::close(client);
    });
  }
}

void TestProxy::serve(int fd) {
  Client client{fd, stopping_, {}};
  if (manner_ == Manner::silent) {
    while (client.fill()) client.pending.clear();  // reads, and never says a word
    return;
  }
  if (kind_ == Kind::http)
    serve_http(client);
  else
    serve_socks(client);
}

void TestProxy::serve_http(Client& client) {
  std::string header;
  if (!client.read_header(header)) return;
  const auto first_space = header.find(' ');
  const auto second_space = header.find(' ', first_space + 1);
  const std::string target = header.substr(first_space + 1, second_space - first_space - 1);
  if (header.rfind("CONNECT ", 0) != 0) {
    send_all(client.fd, "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n");
    return;
  }
  if (manner_ == Manner::endless_header) {
    send_all(client.fd, "HTTP/1.1 200 Connection established\r\n");
    while (!stopping_.load() &&
           send_all(client.fd, "X-Filler: " + std::string(100, 'x') + "\r\n")) {
    }
    return;
  }
  if (!user_.empty() || !password_.empty()) {
    const std::string expected =
        "proxy-authorization: basic " + lower(base64(user_ + ":" + password_)) + "\r\n";
    if (lower(header).find(expected) == std::string::npos) {
      ++auth_failures_;
      send_all(client.fd,
               "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic "
               "realm=\"test\"\r\nContent-Length: 0\r\n\r\n");
      return;
    }
  }
  const auto colon = target.rfind(':');
  const int upstream =
      colon == std::string::npos
          ? -1
          : connect_target(target.substr(0, colon),
                           static_cast<std::uint16_t>(std::stoi(target.substr(colon + 1))));
  if (upstream < 0) {
    send_all(client.fd, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
    return;
  }
  record(target);
  if (send_all(client.fd, "HTTP/1.1 200 Connection established\r\n\r\n") &&
      send_all(upstream, client.pending))
    relay(client.fd, upstream);
  ::close(upstream);
}

void TestProxy::serve_socks(Client& client) {
  std::string bytes;
  if (!client.read_exact(2, bytes) || bytes[0] != 5) return;
  std::string methods;
  if (!client.read_exact(static_cast<unsigned char>(bytes[1]), methods)) return;
  const bool wants_auth = !user_.empty() || !password_.empty();
  const char method = wants_auth ? 2 : 0;
  if (methods.find(method) == std::string::npos) {
    if (wants_auth) ++auth_failures_;
    send_all(client.fd, std::string{5, static_cast<char>(0xFF)});
    return;
  }
  if (!send_all(client.fd, std::string{5, method})) return;
  if (wants_auth) {
    std::string version, user, password, length;
    if (!client.read_exact(1, version) || !client.read_exact(1, length) ||
        !client.read_exact(static_cast<unsigned char>(length[0]), user) ||
        !client.read_exact(1, length) ||
        !client.read_exact(static_cast<unsigned char>(length[0]), password))
      return;
    const bool good = user == user_ && password == password_;
    if (!good) ++auth_failures_;
    if (!send_all(client.fd, std::string{1, static_cast<char>(good ? 0 : 1)}) || !good) return;
  }
  std::string request, host, port;
  if (!client.read_exact(4, request) || request[1] != 1) return;
  if (request[3] == 3) {
    std::string length;
    if (!client.read_exact(1, length) ||
        !client.read_exact(static_cast<unsigned char>(length[0]), host))
      return;
  } else if (request[3] == 1) {
    std::string raw;
    if (!client.read_exact(4, raw)) return;
    addresses_asked_ = true;
    char text[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, raw.data(), text, sizeof text);
    host = text;
  } else {
    addresses_asked_ = true;
    send_all(client.fd, std::string{5, 8, 0, 1, 0, 0, 0, 0, 0, 0});  // address type not supported
    return;
  }
  if (!client.read_exact(2, port)) return;
  const auto port_number = static_cast<std::uint16_t>(static_cast<unsigned char>(port[0]) << 8 |
                                                      static_cast<unsigned char>(port[1]));
  const int upstream = connect_target(host, port_number);
  if (upstream < 0) {
    send_all(client.fd, std::string{5, 4, 0, 1, 0, 0, 0, 0, 0, 0});  // host unreachable
    return;
  }
  record(host + ":" + std::to_string(port_number));
  if (send_all(client.fd, std::string{5, 0, 0, 1, 127, 0, 0, 1, 0, 0}) &&
      send_all(upstream, client.pending))
    relay(client.fd, upstream);
  ::close(upstream);
}

int TestProxy::connect_target(const std::string& host, std::uint16_t port) {
  std::string address = host;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto alias = aliases_.find(lower(host)); alias != aliases_.end()) address = alias->second;
  }
  sockaddr_in target{};
  target.sin_family = AF_INET;
  target.sin_port = htons(port);
  // Tests talk to 127.0.0.1 only: anything else is refused, never tried.
  if (::inet_pton(AF_INET, address.c_str(), &target.sin_addr) != 1 || address.rfind("127.", 0) != 0)
    return -1;
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&target), sizeof target) == 0) return fd;
  if (fd >= 0) ::close(fd);
  return -1;
}

void TestProxy::relay(int a, int b) {
  std::array<pollfd, 2> entries{{{a, POLLIN, 0}, {b, POLLIN, 0}}};
  std::array<char, 16384> chunk{};
  while (!stopping_.load()) {
    if (::poll(entries.data(), entries.size(), poll_interval_ms) <= 0) continue;
    for (std::size_t i = 0; i < entries.size(); ++i) {
      if (entries[i].revents == 0) continue;
      const ssize_t n = ::recv(entries[i].fd, chunk.data(), chunk.size(), 0);
      const int other = entries[1 - i].fd;
      if (n <= 0 || !send_all(other, std::string(chunk.data(), static_cast<std::size_t>(n)))) {
        ::shutdown(other, SHUT_RDWR);
        return;
      }
    }
  }
}

void TestProxy::record(const std::string& target) {
  std::lock_guard<std::mutex> lock(mutex_);
  targets_.push_back(target);
  ++tunnels_;
}

}  // namespace hangar::test
