#include "platform/bot_api_session.hpp"

#include <list>
#include <stdexcept>

#include <boost/asio/post.hpp>

#include "platform/api_connection.hpp"
#include "platform/fleet_status.hpp"

namespace hangar::botapi {

namespace {

namespace net = boost::asio;
using nlohmann::json;

// Invalid UTF-8 in a user's text must not throw on an io thread; it is sent replaced instead.
std::string request_body(const json& params) {
  if (params.is_null()) return "{}";
  return params.dump(-1, ' ', false, json::error_handler_t::replace);
}

class Session final : public BotApiSession, public std::enable_shared_from_this<Session> {
 public:
  Session(net::io_context& io, SessionOptions options)
      : strand_(net::make_strand(io)),
        target_(std::make_shared<ConnectionTarget>()),
        status_(std::move(options.status)),
        max_queued_calls_(options.max_queued_calls) {
    target_->endpoint = std::move(options.endpoint);
    target_->token = std::move(options.token);
    target_->tls = std::move(options.tls);
    target_->max_body_bytes = options.max_body_bytes;
    target_->connect_timeout = options.connect_timeout;
  }

  void call(std::string method, json params, std::chrono::milliseconds timeout,
            ResultHandler done) override {
    net::post(strand_,
              [self = shared_from_this(), call = Call{std::move(method), request_body(params),
                                                      timeout, std::move(done)}]() mutable {
                self->enqueue(std::move(call));
              });
  }

  void poll(json params, std::chrono::milliseconds timeout, ResultHandler done) override {
    net::post(strand_,
              [self = shared_from_this(), call = Call{"getUpdates", request_body(params), timeout,
                                                      std::move(done)}]() mutable {
                self->start_poll(std::move(call));
              });
  }

  void close() override {
    net::post(strand_, [self = shared_from_this()] { self->shut_down(); });
  }

  std::size_t connections_opened() const override { return target_->connections_opened.load(); }

 private:
  struct Call {
    std::string method;
    std::string body;
    std::chrono::milliseconds timeout;
    ResultHandler done;
  };

  void enqueue(Call call) {
    if (closed_) return complete(call, failure(Outcome::network, "session closed"));
    if (!call_in_flight_) return send_call(std::move(call));
    if (queued_.size() >= max_queued_calls_)
      return complete(call, failure(Outcome::network, "call queue full"));
    queued_.push_back(std::move(call));
  }

  void send_call(Call call) {
    call_in_flight_ = true;
    if (!calls_connection_) calls_connection_ = std::make_shared<ApiConnection>(strand_, target_);
    send(*calls_connection_, std::move(call), [](Session& self, Call& finished, ApiResult result) {
      self.call_in_flight_ = false;
      self.complete(finished, std::move(result));
      self.send_next_call();
    });
  }

  void send_next_call() {
    if (closed_ || call_in_flight_ || queued_.empty()) return;
    Call next = std::move(queued_.front());
    queued_.pop_front();
    send_call(std::move(next));
  }

  void start_poll(Call call) {
    if (closed_) return complete(call, failure(Outcome::network, "session closed"));
    if (poll_in_flight_) return complete(call, failure(Outcome::network, "poll already in flight"));
    poll_in_flight_ = true;
    if (!poll_connection_) poll_connection_ = std::make_shared<ApiConnection>(strand_, target_);
    send(*poll_connection_, std::move(call), [](Session& self, Call& finished, ApiResult result) {
      self.poll_in_flight_ = false;
      self.complete(finished, std::move(result));
    });
  }

  // The completion keeps the session alive while its request is in flight, and no longer.
  template <class OnDone>
  void send(ApiConnection& connection, Call call, OnDone on_done) {
    const std::string method = call.method;
    std::string body = std::move(call.body);
    const auto timeout = call.timeout;
    connection.send(method, std::move(body), timeout,
                    [self = shared_from_this(), call = std::move(call), on_done](
                        ApiResult result) mutable { on_done(*self, call, std::move(result)); });
  }

  void complete(Call& call, ApiResult result) {
    if (status_) status_->count_api_request(api_method_from(call.method), result.outcome);
    if (call.done) call.done(std::move(result));
  }

  void shut_down() {
    if (closed_) return;
    closed_ = true;
    // In-flight requests finish first, then the queued ones, so handlers still run in order.
    if (calls_connection_) calls_connection_->close();
    if (poll_connection_) poll_connection_->close();
    calls_connection_.reset();
    poll_connection_.reset();
    auto queued = std::move(queued_);
    for (auto& call : queued) complete(call, failure(Outcome::network, "session closed"));
  }

  Strand strand_;
  std::shared_ptr<ConnectionTarget> target_;
  std::shared_ptr<BotStatus> status_;
  const std::size_t max_queued_calls_;
  std::shared_ptr<ApiConnection> calls_connection_;  // opened on the first call
  std::shared_ptr<ApiConnection> poll_connection_;   // opened on the first poll
  std::list<Call> queued_;  // unlike std::deque, an empty list allocates nothing
  bool call_in_flight_ = false;
  bool poll_in_flight_ = false;
  bool closed_ = false;
};

}  // namespace

std::shared_ptr<BotApiSession> BotApiSession::create(net::io_context& io, SessionOptions options) {
  if (options.endpoint.tls && !options.tls)
    throw std::invalid_argument("an https Bot API endpoint needs a TLS context");
  return std::make_shared<Session>(io, std::move(options));
}

}  // namespace hangar::botapi
