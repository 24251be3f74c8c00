#pragma once
// Internal to the HTTP server: one accepted connection's life (read a request, hand it to the
// handler, write the response, repeat), and what every connection shares with its server.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

#include "platform/http/server.hpp"

namespace hangar::http::detail {

// A connection as the server's registry sees it: something it can close from any thread.
class ConnectionHandle {
 public:
  virtual ~ConnectionHandle() = default;
  virtual void close() = 0;
};

// What every connection shares with the server: the settings, the handler, and the weak
// registry that stop() uses and max_connections counts.
class ServerCore {
 public:
  ServerCore(ServerOptions options, Handler handler)
      : options(std::move(options)), handler(std::move(handler)) {}

  std::uint64_t register_connection(const std::shared_ptr<ConnectionHandle>& connection) {
    std::lock_guard lock(mutex_);
    const auto id = ++last_connection_id_;
    connections_.emplace(id, connection);
    return id;
  }
  void unregister_connection(std::uint64_t id) {
    std::lock_guard lock(mutex_);
    connections_.erase(id);
  }
  std::size_t open_connections() {
    std::lock_guard lock(mutex_);
    return connections_.size();
  }
  std::vector<std::shared_ptr<ConnectionHandle>> live_connections() {
    std::vector<std::shared_ptr<ConnectionHandle>> live;
    std::lock_guard lock(mutex_);
    for (auto& [id, weak] : connections_)
      if (auto connection = weak.lock()) live.push_back(std::move(connection));
    return live;
  }

  const ServerOptions options;
  const Handler handler;

 private:
  std::mutex mutex_;
  std::uint64_t last_connection_id_ = 0;
  std::unordered_map<std::uint64_t, std::weak_ptr<ConnectionHandle>> connections_;
};

// Serves `socket`, plain or TLS as the server's options say. The connection registers itself
// with `server` and keeps itself alive through its pending asynchronous steps.
void start_connection(const std::shared_ptr<ServerCore>& server,
                      boost::asio::ip::tcp::socket socket);

}  // namespace hangar::http::detail
