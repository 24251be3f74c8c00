#pragma once
// One bot's HTTP(S) session to the Bot API: at most two keep-alive connections, one for the
// long poll and one for every other call, each opened lazily and reopened only after it drops.
// Everything runs on the io_context; completions are called there too, so callers hand them on
// to their actor (never touch an actor from inside a completion).
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <nlohmann/json.hpp>

#include "platform/botapi/call_observer.hpp"
#include "platform/botapi/call_result.hpp"
#include "platform/botapi/endpoint.hpp"
#include "platform/botapi/proxy_url.hpp"
#include "platform/core/bounds.hpp"

namespace hangar {
class MemoryMeter;
}  // namespace hangar

namespace hangar::botapi {

struct SessionOptions {
  Endpoint endpoint;
  std::string token;                               // secret: never logged
  std::shared_ptr<boost::asio::ssl::context> tls;  // required when endpoint.tls
  // Every connection tunnels through it when set (platform/botapi/proxy_choice.hpp picks it).
  std::optional<Proxy> proxy;
  // A larger response body ends as bad_response, and the connection closes.
  std::size_t max_body_bytes = bounds::response_body_bytes;
  // Calls queued behind the one in flight on the "calls" connection; past it a call fails at
  // once with outcome network and description "call queue full".
  std::size_t max_queued_calls = bounds::queued_calls_per_bot;
  // Each of the DNS lookup, connect, proxy tunnel and TLS handshake, within a call's timeout.
  std::chrono::milliseconds connect_timeout{10000};
  // The "calls" connection is let go once it has been idle this long (checked when a poll
  // starts), so a bot that has nothing to send holds only its poll connection.
  std::chrono::milliseconds calls_idle_timeout{60000};
  std::shared_ptr<CallObserver> observer;  // optional: told each call's outcome
  // Optional: the bot's meter. Everything the session runs on the io_context is charged to it
  // (buffers, parsers, response bodies, the CallResult handed to a ResultHandler); null: nobody.
  std::shared_ptr<MemoryMeter> meter;
};

using ResultHandler = std::function<void(CallResult)>;

class Session {
 public:
  static std::shared_ptr<Session> create(boost::asio::io_context& io, SessionOptions options);
  virtual ~Session() = default;

  // A call on the "calls" connection, queued FIFO behind any call in flight.
  // `timeout` bounds connect + write + read of this call.
  virtual void call(std::string method, nlohmann::json params, std::chrono::milliseconds timeout,
                    ResultHandler done) = 0;

  // getUpdates on the long-poll connection. At most one poll is in flight; a second poll while
  // one runs fails at once with outcome network. `timeout` should be the poll timeout plus a
  // margin.
  virtual void poll(nlohmann::json params, std::chrono::milliseconds timeout,
                    ResultHandler done) = 0;

  // Cancels everything in flight (their handlers get outcome network, "session closed") and
  // closes both connections. Safe to call from any thread, more than once.
  virtual void close() = 0;

  // TCP connections this session has opened so far (for tests and stats).
  virtual std::size_t connections_opened() const = 0;
};

}  // namespace hangar::botapi
