#include "platform/botapi/address_lookup.hpp"

#include <utility>

#include "platform/botapi/host_port.hpp"

namespace hangar::botapi {

namespace net = boost::asio;

AddressLookup::Results AddressLookup::literal(const std::string& host, std::uint16_t port) {
  if (!is_ip_literal(host)) return {};
  const net::ip::tcp::endpoint endpoint(net::ip::make_address(host), port);
  return Results::create(endpoint, host, std::to_string(port));
}

AddressLookup::AddressLookup(const Strand& strand) : resolver_(strand), timer_(strand) {}

void AddressLookup::start(const std::string& host, std::uint16_t port, Clock::time_point deadline,
                          const std::string& label, Done done) {
  host_ = label + host;
  budget_ = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
  done_ = std::move(done);
  // Both handlers hold the lookup, so that an answer after the deadline finds it still there.
  resolver_.async_resolve(
      host, std::to_string(port),
      [self = shared_from_this()](const boost::system::error_code& ec, Results results) {
        self->on_resolved(ec, std::move(results));
      });
  timer_.expires_at(deadline);
  timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (!ec) self->on_deadline();
  });
}

void AddressLookup::cancel() {
  finish(cancelled("session closed"), {});
}

void AddressLookup::on_resolved(const boost::system::error_code& ec, Results results) {
  if (ec)
    return finish(failure(Outcome::network, "cannot resolve " + host_ + ": " + ec.message()), {});
  finish(std::nullopt, std::move(results));
}

void AddressLookup::on_deadline() {
  finish(failure(Outcome::timeout, "DNS lookup of " + host_ + " timed out after " +
                                       std::to_string(budget_.count()) + " ms"),
         {});
}

void AddressLookup::finish(std::optional<CallResult> problem, Results addresses) {
  auto done = std::exchange(done_, nullptr);
  if (!done) return;  // the outcome came earlier: the deadline, a cancel, or the answer
  timer_.cancel();
  resolver_.cancel();  // a lookup still queued behind another is then skipped
  done(std::move(problem), std::move(addresses));
}

}  // namespace hangar::botapi
