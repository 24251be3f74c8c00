#pragma once
// Internal to the HTTP server: one accepted connection's life (read a request, hand it to the
// handler, write the response, repeat), and what every connection shares with its server.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
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

  // Returns the connection's id, or 0 when its client address holds
  // max_connections_per_client already (the caller drops the connection).
  std::uint64_t register_connection(const std::shared_ptr<ConnectionHandle>& connection,
                                    const std::string& client) {
    std::lock_guard lock(mutex_);
    auto& held = per_client_[client];
    if (held >= options.max_connections_per_client) {
      if (held == 0) per_client_.erase(client);
      return 0;
    }
    ++held;
    const auto id = ++last_connection_id_;
    connections_.emplace(id, Registered{connection, client});
    return id;
  }
  void unregister_connection(std::uint64_t id) {
    std::lock_guard lock(mutex_);
    const auto it = connections_.find(id);
    if (it == connections_.end()) return;
    const auto client = per_client_.find(it->second.client);
    if (--client->second == 0) per_client_.erase(client);
    connections_.erase(it);
  }
  std::size_t open_connections() {
    std::lock_guard lock(mutex_);
    return connections_.size();
  }
  std::vector<std::shared_ptr<ConnectionHandle>> live_connections() {
    std::vector<std::shared_ptr<ConnectionHandle>> live;
    std::lock_guard lock(mutex_);
    for (auto& [id, registered] : connections_)
      if (auto connection = registered.connection.lock()) live.push_back(std::move(connection));
    return live;
  }

  const ServerOptions options;
  const Handler handler;

 private:
  std::mutex mutex_;
  std::uint64_t last_connection_id_ = 0;
  struct Registered {
    std::weak_ptr<ConnectionHandle> connection;
    std::string client;  // its address
  };
  std::unordered_map<std::uint64_t, Registered> connections_;
  std::unordered_map<std::string, std::size_t> per_client_;  // open connections per address
};

// Serves `socket`, plain or TLS as the server's options say. The connection registers itself
// with `server` and keeps itself alive through its pending asynchronous steps.
void start_connection(const std::shared_ptr<ServerCore>& server,
                      boost::asio::ip::tcp::socket socket);

}  // namespace hangar::http::detail
