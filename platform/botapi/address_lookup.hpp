#pragma once
// A DNS lookup with a deadline. Asio hands getaddrinfo to one background thread per io_context,
// and cancelling it does not interrupt a lookup that has begun: a name whose DNS server never
// answers would hold its connection for as long as the system resolver waits (resolv.conf's
// timeout times attempts, per server). So at the deadline the lookup is given up: its caller
// hears "timed out" at once, and the answer that may come later is dropped.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "platform/botapi/call_result.hpp"
#include "platform/botapi/io_types.hpp"

namespace hangar::botapi {

class AddressLookup : public std::enable_shared_from_this<AddressLookup> {
 public:
  using Results = boost::asio::ip::tcp::resolver::results_type;
  using Clock = std::chrono::steady_clock;
  // Either the addresses or why there are none: network when the name does not resolve, timeout
  // at the deadline, cancelled after cancel().
  using Done = std::function<void(std::optional<CallResult> problem, Results addresses)>;

  // An IP literal's one address, without a lookup (and so never queued behind a slow one); empty
  // for a name.
  static Results literal(const std::string& host, std::uint16_t port);

  explicit AddressLookup(const Strand& strand);

  // Looks `host` up on the strand; `done` runs there, once. `label` names the host in the
  // failure's description ("proxy host " or "").
  void start(const std::string& host, std::uint16_t port, Clock::time_point deadline,
             const std::string& label, Done done);
  void cancel();

 private:
  using Resolver = boost::asio::ip::basic_resolver<boost::asio::ip::tcp, Strand>;
  using Timer = boost::asio::basic_waitable_timer<Clock, boost::asio::wait_traits<Clock>, Strand>;

  void on_resolved(const boost::system::error_code& ec, Results results);
  void on_deadline();
  void finish(std::optional<CallResult> problem, Results addresses);

  Resolver resolver_;
  Timer timer_;
  std::string host_;  // "<label><host>", for the descriptions
  std::chrono::milliseconds budget_{0};
  Done done_;  // set until the lookup has an outcome
};

}  // namespace hangar::botapi
