#include "platform/http/server.hpp"

#include <atomic>
#include <stdexcept>
#include <string_view>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <nlohmann/json.hpp>

#include "platform/core/log.hpp"
#include "platform/http/connection.hpp"

namespace hangar::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

namespace {

constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(100);

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

}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  Impl(asio::io_context& io, ServerOptions options, Handler handler)
      : io(io),
        core(std::make_shared<detail::ServerCore>(std::move(options), std::move(handler))),
        acceptor(asio::make_strand(io)),
        retry_timer(acceptor.get_executor()) {}

  void listen();
  void do_accept();
  void on_accept(error_code ec, tcp::socket socket);
  void stop();

  asio::io_context& io;
  const std::shared_ptr<detail::ServerCore> core;
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
    detail::start_connection(core, std::move(socket));
  }
  do_accept();
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
