#pragma once
// Opens a tunnel to the Bot API through a proxy, over a stream already connected to the proxy:
// HTTP CONNECT (RFC 9110, Basic auth), or SOCKS5 (RFC 1928) with user/password auth (RFC 1929)
// and the Bot API's host name for the proxy to resolve. Either way the proxy only relays bytes:
// TLS runs end to end through it, and the request target, which holds the token, never reaches
// the proxy in the clear. Every reply is read with a size cap, within the stream's expiry (the
// caller sets it). Runs on the stream's strand.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "platform/botapi/call_result.hpp"
#include "platform/botapi/io_types.hpp"
#include "platform/botapi/proxy_url.hpp"

namespace hangar::botapi {

// An HTTP proxy's reply to CONNECT is a status line and a few headers.
constexpr std::size_t max_proxy_reply_bytes = 8 * 1024;

class ProxyTunnel : public std::enable_shared_from_this<ProxyTunnel> {
 public:
  // nullopt once the tunnel is open; otherwise why not (network, or timeout at the expiry), in a
  // description that names the proxy by its display form, never with its credentials.
  using Done = std::function<void(std::optional<CallResult> problem)>;

  // `stream` and `proxy` must outlive the handshake: the caller's `done` keeps their owner alive.
  static void open(TcpStream& stream, const Proxy& proxy, const std::string& host,
                   std::uint16_t port, Done done);

  ProxyTunnel(TcpStream& stream, const Proxy& proxy, const std::string& host, std::uint16_t port,
              Done done);

 private:
  using Then = void (*)(ProxyTunnel&);
  using Step = void (ProxyTunnel::*)();
  // Sends buffer_, or reads exactly `bytes` into it, then takes the next step.
  void write(Then then);
  void read(std::size_t bytes, Step next);

  void http_connect();
  void read_http_reply();
  void on_http_reply(const boost::system::error_code& ec, std::size_t header_bytes);
  void socks_greet();
  void on_socks_method();
  void socks_authenticate();
  void on_socks_authenticated();
  void socks_connect();
  void on_socks_reply();
  void on_socks_name_length();

  // Ends the handshake with "proxy <display>: <what>".
  void fail(std::string what, Outcome outcome = Outcome::network);
  void fail_io(const boost::system::error_code& ec);
  void succeed();

  TcpStream& stream_;
  const Proxy& proxy_;
  std::string host_;
  std::uint16_t port_;
  std::string buffer_;  // the request going out, then the reply coming in
  Done done_;
};

}  // namespace hangar::botapi
