#include "platform/http_server.hpp"

#include <atomic>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include "platform/log.hpp"

namespace hangar::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using PlainStream = beast::tcp_stream;
using TlsStream = asio::ssl::stream<beast::tcp_stream>;

namespace {

// How long a closing connection keeps draining what the client still sends, so that closing
// with unread bytes (which makes the kernel send RST) cannot destroy our error response.
constexpr auto kLingerTimeout = std::chrono::seconds(2);
constexpr std::size_t kLingerBytes = 4u << 20;
constexpr std::size_t kReadChunk = 4096;
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(100);

// A connection as the server's registry sees it: something it can close from any thread.
class ConnectionHandle {
 public:
  virtual ~ConnectionHandle() = default;
  virtual void close() = 0;
};

tcp::endpoint resolve_listen_address(const std::string& listen) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) throw std::runtime_error("expected HOST:PORT");
  std::string host = listen.substr(0, colon);
  const std::string port = listen.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  error_code ec;
  asio::io_context resolver_context;
  tcp::resolver resolver(resolver_context);
  // Runs on the caller's thread before any connection exists, so a blocking lookup is fine.
  auto results = resolver.resolve(host, port, tcp::resolver::numeric_service, ec);
  if (ec) throw std::runtime_error(ec.message());
  if (results.empty()) throw std::runtime_error("host not found");
  return results.begin()->endpoint();
}

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

Response error_page(Status status) {
  Response response{status, 11};
  response.set(bhttp::field::content_type, "text/plain; charset=utf-8");
  response.body() = std::string(bhttp::obsolete_reason(status)) + "\n";
  response.keep_alive(false);
  response.prepare_payload();
  return response;
}

// One accepted connection: read a request, hand it to the handler, write its response, repeat
// while keep-alive holds. Owned by the pending asynchronous step (or by an outstanding
// Respond), never by the server, which only keeps a weak reference to close it on stop().
template <class Stream>
class Connection : public ConnectionHandle,
                   public std::enable_shared_from_this<Connection<Stream>> {
 public:
  template <class... StreamArgs>
  Connection(std::shared_ptr<ServerCore> server, std::string remote, StreamArgs&&... stream_args)
      : server_(std::move(server)),
        stream_(std::forward<StreamArgs>(stream_args)...),
        buffer_(server_->options.max_header_bytes + kReadChunk) {
    context_.remote_address = std::move(remote);
  }

  ~Connection() override { server_->unregister_connection(context_.connection_id); }

  void start(std::uint64_t id) {
    context_.connection_id = id;
    asio::dispatch(stream_.get_executor(),
                   beast::bind_front_handler(&Connection::on_start, this->shared_from_this()));
  }

  void close() override {
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
      self->closed_ = true;
      beast::get_lowest_layer(self->stream_).close();
    });
  }

 private:
  auto& tcp_layer() { return beast::get_lowest_layer(stream_); }

  void on_start() {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      tcp_layer().expires_after(server_->options.request_timeout);
      stream_.async_handshake(
          asio::ssl::stream_base::server,
          beast::bind_front_handler(&Connection::on_handshake, this->shared_from_this()));
    } else {
      wait_for_request();
    }
  }

  void on_handshake(error_code ec) {
    if (ec) return;  // a failed or timed-out handshake just ends the connection
    wait_for_request();
  }

  // An idle keep-alive connection may wait idle_timeout for its next request; once its first
  // bytes are in, the whole request must arrive within request_timeout.
  void wait_for_request() {
    if (closed_) return;
    if (buffer_.size() > 0) return read_request();
    tcp_layer().expires_after(server_->options.idle_timeout);
    stream_.async_read_some(
        buffer_.prepare(kReadChunk),
        beast::bind_front_handler(&Connection::on_first_bytes, this->shared_from_this()));
  }

  void on_first_bytes(error_code ec, std::size_t bytes) {
    if (ec) return;
    buffer_.commit(bytes);
    read_request();
  }

  void read_request() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_->options.max_header_bytes));
    parser_->body_limit(server_->options.max_body_bytes);
    tcp_layer().expires_after(server_->options.request_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Connection::on_read, this->shared_from_this()));
  }

  void on_read(error_code ec, std::size_t) {
    if (ec == bhttp::error::body_limit) return reject(Status::payload_too_large);
    if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow)
      return reject(Status::request_header_fields_too_large);
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::ssl::error::stream_truncated)
      return;
    if (ec) return reject(Status::bad_request);

    tcp_layer().expires_never();  // the handler may hold the request as long as it likes
    awaiting_response_ = true;
    ++requests_;
    context_.request_number = requests_;
    Request request = parser_->release();
    parser_.reset();
    Respond respond = [self = this->shared_from_this()](Response response) {
      asio::dispatch(
          self->stream_.get_executor(),
          [self, response = std::move(response)]() mutable { self->send(std::move(response)); });
    };
    try {
      server_->handler(std::move(request), context_, std::move(respond));
    } catch (const std::exception& error) {
      spdlog::error("HTTP handler failed: {}", error.what());
      send(error_page(Status::internal_server_error));  // a no-op if it had answered already
    }
  }

  // Answers a request the server could not take, then closes: what remains on the wire is
  // not a request boundary we could trust.
  void reject(Status status) {
    awaiting_response_ = true;
    drain_after_write_ = true;
    send(error_page(status));
  }

  void send(Response&& response) {
    if (closed_ || !awaiting_response_) return;  // died meanwhile, or answered already
    awaiting_response_ = false;
    response_ = std::move(response);
    tcp_layer().expires_after(server_->options.request_timeout);
    bhttp::async_write(stream_, response_,
                       beast::bind_front_handler(&Connection::on_write, this->shared_from_this()));
  }

  void on_write(error_code ec, std::size_t) {
    const bool keep_alive = response_.keep_alive();
    response_ = {};
    if (ec) return;
    if (drain_after_write_) return linger();
    if (!keep_alive) return shut_down();
    wait_for_request();
  }

  void shut_down() {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      tcp_layer().expires_after(kLingerTimeout);
      stream_.async_shutdown([self = this->shared_from_this()](error_code) {});
    } else {
      error_code ignored;
      tcp_layer().socket().shutdown(tcp::socket::shutdown_send, ignored);
    }
  }

  void linger() {
    error_code ignored;
    tcp_layer().socket().shutdown(tcp::socket::shutdown_send, ignored);
    tcp_layer().expires_after(kLingerTimeout);
    buffer_.clear();
    on_linger_read({}, 0);
  }

  void on_linger_read(error_code ec, std::size_t bytes) {
    lingered_ += bytes;
    if (ec || lingered_ > kLingerBytes) return;
    buffer_.clear();
    tcp_layer().async_read_some(
        buffer_.prepare(kReadChunk),
        beast::bind_front_handler(&Connection::on_linger_read, this->shared_from_this()));
  }

  std::shared_ptr<ServerCore> server_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  Response response_;
  RequestContext context_;
  std::uint64_t requests_ = 0;
  std::size_t lingered_ = 0;
  bool awaiting_response_ = false;
  bool drain_after_write_ = false;
  bool closed_ = false;
};

}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  Impl(asio::io_context& io, ServerOptions options, Handler handler)
      : io(io),
        core(std::make_shared<ServerCore>(std::move(options), std::move(handler))),
        acceptor(asio::make_strand(io)),
        retry_timer(acceptor.get_executor()) {}

  void listen();
  void do_accept();
  void on_accept(error_code ec, tcp::socket socket);
  void start_connection(tcp::socket socket);
  void stop();

  asio::io_context& io;
  const std::shared_ptr<ServerCore> core;
  tcp::acceptor acceptor;
  asio::steady_timer retry_timer;
  tcp::endpoint bound;
  std::atomic<bool> stopped{false};
};

void HttpServer::Impl::listen() {
  const auto fail = [&](const std::string& reason) {
    throw std::runtime_error("cannot listen on " + core->options.listen + ": " + reason);
  };
  try {
    const tcp::endpoint endpoint = resolve_listen_address(core->options.listen);
    error_code ec;
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (!ec) bound = acceptor.local_endpoint(ec);
    if (ec) fail(ec.message());
  } catch (const boost::system::system_error& error) {
    fail(error.code().message());
  } catch (const std::runtime_error& error) {
    if (std::string_view(error.what()).rfind("cannot listen on ", 0) == 0) throw;
    fail(error.what());
  }
}

void HttpServer::Impl::do_accept() {
  acceptor.async_accept(asio::make_strand(io),
                        beast::bind_front_handler(&Impl::on_accept, shared_from_this()));
}

void HttpServer::Impl::on_accept(error_code ec, tcp::socket socket) {
  if (stopped || ec == asio::error::operation_aborted) return;
  if (ec) {
    // Typically out of file descriptors: back off rather than spin on the error.
    spdlog::warn("HTTP accept on {} failed: {}", core->options.listen, ec.message());
    retry_timer.expires_after(kAcceptRetryDelay);
    retry_timer.async_wait([self = shared_from_this()](error_code wait_error) {
      if (!wait_error) self->do_accept();
    });
    return;
  }
  if (core->open_connections() >= core->options.max_connections) {
    error_code ignored;
    socket.close(ignored);  // refusing is cheaper than queueing what we promised not to hold
  } else {
    start_connection(std::move(socket));
  }
  do_accept();
}

void HttpServer::Impl::start_connection(tcp::socket socket) {
  error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  std::string remote_address = ec ? "" : remote.address().to_string();
  socket.set_option(tcp::no_delay(true), ec);
  const auto launch = [&](auto connection) {
    connection->start(core->register_connection(connection));
  };
  if (core->options.tls) {
    launch(std::make_shared<Connection<TlsStream>>(core, std::move(remote_address),
                                                   std::move(socket), *core->options.tls));
  } else {
    launch(std::make_shared<Connection<PlainStream>>(core, std::move(remote_address),
                                                     std::move(socket)));
  }
}

void HttpServer::Impl::stop() {
  if (stopped.exchange(true)) return;
  asio::dispatch(acceptor.get_executor(), [self = shared_from_this()] {
    error_code ignored;
    self->acceptor.close(ignored);
    self->retry_timer.cancel();
  });
  for (auto& connection : core->live_connections()) connection->close();
}

HttpServer::HttpServer(asio::io_context& io, ServerOptions options, Handler handler)
    : impl_(std::make_shared<Impl>(io, std::move(options), std::move(handler))) {
  impl_->listen();
  impl_->do_accept();
}

HttpServer::~HttpServer() {
  stop();
}

std::uint16_t HttpServer::port() const {
  return impl_->bound.port();
}
std::string HttpServer::host() const {
  return impl_->bound.address().to_string();
}
void HttpServer::stop() {
  impl_->stop();
}

Response json_response(unsigned version, bool keep_alive, Status status, std::string body) {
  Response response{status, version};
  response.set(bhttp::field::content_type, "application/json");
  response.keep_alive(keep_alive);
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

Response json_response(const Request& request, Status status, const nlohmann::json& body) {
  return json_response(request.version(), request.keep_alive(), status,
                       body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

Response json_error(const Request& request, Status status, const std::string& error,
                    const std::string& detail) {
  return json_response(request, status, {{"error", error}, {"detail", detail}});
}

Response text_response(const Request& request, Status status, std::string body,
                       const std::string& content_type) {
  Response response{status, request.version()};
  response.set(bhttp::field::content_type, content_type);
  response.keep_alive(request.keep_alive());
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

}  // namespace hangar::http
