#include "platform/botapi/session.hpp"

#include <list>
#include <stdexcept>

#include <boost/asio/post.hpp>

#include "platform/botapi/connection.hpp"

namespace hangar::botapi {

namespace {

namespace net = boost::asio;
using nlohmann::json;

// Invalid UTF-8 in a user's text must not throw on an io thread; it is sent replaced instead.
std::string request_body(const json& params) {
  if (params.is_null()) return "{}";
  return params.dump(-1, ' ', false, json::error_handler_t::replace);
}

class TwoConnectionSession final : public Session,
                                   public std::enable_shared_from_this<TwoConnectionSession> {
 public:
  TwoConnectionSession(net::io_context& io, SessionOptions options)
      : strand_(net::make_strand(io), std::move(options.meter)),
        target_(std::make_shared<ConnectionTarget>()),
        observer_(std::move(options.observer)),
        max_queued_calls_(options.max_queued_calls),
        calls_idle_timeout_(options.calls_idle_timeout) {
    target_->endpoint = std::move(options.endpoint);
    target_->token = std::move(options.token);
    target_->tls = std::move(options.tls);
    target_->proxy = std::move(options.proxy);
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

  // An owner that drops its handle without close() still ends the connections and the calls.
  ~TwoConnectionSession() override {
    if (closed_ || !(calls_connection_ || poll_connection_ || !queued_.empty())) return;
    net::post(strand_, [calls = std::move(calls_connection_), poll = std::move(poll_connection_),
                        queued = std::move(queued_), observer = observer_]() mutable {
      close_all(calls.get(), poll.get(), queued, observer.get());
    });
  }

 private:
  struct Call {
    std::string method;
    std::string body;
    std::chrono::milliseconds timeout;
    ResultHandler done;
  };
  using CallQueue = std::list<Call>;  // unlike std::deque, an empty list allocates nothing
  using Clock = std::chrono::steady_clock;

  static void complete(CallObserver* observer, Call& call, CallResult result) {
    if (observer) observer->on_call_finished(call.method, result.outcome);
    if (call.done) call.done(std::move(result));
  }

  // In-flight requests fail first, then the queued ones, so handlers still run in call order.
  static void close_all(Connection* calls, Connection* poll, CallQueue& queued,
                        CallObserver* observer) {
    if (calls) calls->close();
    if (poll) poll->close();
    for (auto& call : queued) complete(observer, call, cancelled("session closed"));
  }

  void fail_now(Call& call, CallResult result) {
    complete(observer_.get(), call, std::move(result));
  }

  void enqueue(Call call) {
    if (closed_) return fail_now(call, cancelled("session closed"));
    if (!call_in_flight_) return send_call(std::move(call));
    if (queued_.size() >= max_queued_calls_)
      return fail_now(call, failure(Outcome::network, "call queue full"));
    queued_.push_back(std::move(call));
  }

  void send_call(Call call) {
    call_in_flight_ = true;
    if (!calls_connection_) calls_connection_ = std::make_shared<Connection>(strand_, target_);
    send(*calls_connection_, std::move(call), [](TwoConnectionSession& self) {
      self.call_in_flight_ = false;
      self.calls_idle_since_ = Clock::now();
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
    if (closed_) return fail_now(call, cancelled("session closed"));
    if (poll_in_flight_) return fail_now(call, failure(Outcome::network, "poll already in flight"));
    poll_in_flight_ = true;
    release_idle_calls_connection();
    if (!poll_connection_) poll_connection_ = std::make_shared<Connection>(strand_, target_);
    send(*poll_connection_, std::move(call),
         [](TwoConnectionSession& self) { self.poll_in_flight_ = false; });
  }

  // Piggybacks on the poll's rhythm rather than keeping a timer per session.
  void release_idle_calls_connection() {
    if (calls_connection_ && !call_in_flight_ &&
        Clock::now() - calls_idle_since_ >= calls_idle_timeout_)
      calls_connection_.reset();
  }

  // The completion holds the session weakly: a request in flight must not keep alive a session
  // its owner has let go of, nor form a cycle through the connection that holds the completion.
  template <class After>
  void send(Connection& connection, Call call, After after) {
    const std::string method = call.method;
    std::string body = std::move(call.body);
    const auto timeout = call.timeout;
    connection.send(method, std::move(body), timeout,
                    [weak = weak_from_this(), observer = observer_, call = std::move(call),
                     after](CallResult result) mutable {
                      complete(observer.get(), call, std::move(result));
                      if (auto self = weak.lock()) after(*self);
                    });
  }

  void shut_down() {
    if (closed_) return;
    closed_ = true;
    auto calls = std::move(calls_connection_);
    auto poll = std::move(poll_connection_);
    auto queued = std::move(queued_);
    close_all(calls.get(), poll.get(), queued, observer_.get());
  }

  Strand strand_;
  std::shared_ptr<ConnectionTarget> target_;
  std::shared_ptr<CallObserver> observer_;
  const std::size_t max_queued_calls_;
  const std::chrono::milliseconds calls_idle_timeout_;
  Clock::time_point calls_idle_since_;
  std::shared_ptr<Connection> calls_connection_;  // opened on the first call
  std::shared_ptr<Connection> poll_connection_;   // opened on the first poll
  CallQueue queued_;
  bool call_in_flight_ = false;
  bool poll_in_flight_ = false;
  bool closed_ = false;
};

}  // namespace

std::shared_ptr<Session> Session::create(net::io_context& io, SessionOptions options) {
  if (options.endpoint.tls && !options.tls)
    throw std::invalid_argument("an https Bot API endpoint needs a TLS context");
  return std::make_shared<TwoConnectionSession>(io, std::move(options));
}

}  // namespace hangar::botapi
