#include "platform/http/connection.hpp"

#include <optional>
#include <type_traits>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>

#include "platform/core/log.hpp"

namespace hangar::http::detail {

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
      tcp_layer().expires_after(server_->options.header_timeout);
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

  // An idle keep-alive connection may wait idle_timeout for its next request, a new one only
  // header_timeout for its first; once a request's first bytes are in, its header must arrive
  // within header_timeout and its body within request_timeout. A client that trickles bytes
  // (slowloris) holds a connection for seconds, not minutes.
  void wait_for_request() {
    if (closed_) return;
    if (buffer_.size() > 0) return read_request();
    tcp_layer().expires_after(requests_ == 0 ? server_->options.header_timeout
                                             : server_->options.idle_timeout);
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
    tcp_layer().expires_after(server_->options.header_timeout);
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        beast::bind_front_handler(&Connection::on_header, this->shared_from_this()));
  }

  void on_header(error_code ec, std::size_t bytes) {
    if (ec || parser_->is_done()) return on_read(ec, bytes);
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

void start_connection(const std::shared_ptr<ServerCore>& server, tcp::socket socket) {
  error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  std::string remote_address = ec ? "" : remote.address().to_string();
  socket.set_option(tcp::no_delay(true), ec);
  const std::string client = remote_address;
  const auto launch = [&](auto connection) {
    const auto id = server->register_connection(connection, client);
    if (id != 0) connection->start(id);  // else it goes now, and its socket closes
  };
  if (server->options.tls) {
    launch(std::make_shared<Connection<TlsStream>>(server, std::move(remote_address),
                                                   std::move(socket), *server->options.tls));
  } else {
    launch(std::make_shared<Connection<PlainStream>>(server, std::move(remote_address),
                                                     std::move(socket)));
  }
}

}  // namespace hangar::http::detail
