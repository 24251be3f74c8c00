#include "sim/simulator.hpp"

#include <algorithm>
#include <stdexcept>

#include "platform/core/io_runtime.hpp"
#include "platform/core/log.hpp"
#include "platform/http/server.hpp"
#include "platform/http/url_encoding.hpp"
#include "sim/bot_api_handler.hpp"
#include "sim/control_api.hpp"
#include "sim/sim_state.hpp"
#include "sim/telegram_json.hpp"

namespace hangar::sim {

namespace ssl = boost::asio::ssl;

namespace {

std::shared_ptr<ssl::context> make_server_tls_context(const std::string& cert,
                                                      const std::string& key) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  boost::system::error_code ec;
  context->use_certificate_chain_file(cert, ec);
  if (ec) throw std::runtime_error("cannot load TLS certificate " + cert + ": " + ec.message());
  context->use_private_key_file(key, ssl::context::pem, ec);
  if (ec) throw std::runtime_error("cannot load TLS key " + key + ": " + ec.message());
  return context;
}

http::ServerOptions server_options(const SimOptions& options) {
  if (options.tls_cert.has_value() != options.tls_key.has_value())
    throw std::runtime_error("TLS needs both a certificate and a key");
  http::ServerOptions server;
  server.listen = options.listen;
  // Every bot of a Hangar under test connects from the same address.
  server.max_connections_per_client = server.max_connections;
  if (options.tls_cert) server.tls = make_server_tls_context(*options.tls_cert, *options.tls_key);
  return server;
}

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

}  // namespace

struct Simulator::Impl {
  explicit Impl(SimOptions sim_options)
      : options(std::move(sim_options)),
        runtime(std::max(1u, options.threads)),
        state(options),
        bot_api(state, runtime.context().get_executor()),
        control(state),
        server(runtime.context(), server_options(options),
               [this](http::Request&& request, const http::RequestContext& context,
                      http::Respond respond) { route(request, context, std::move(respond)); }) {}

  ~Impl() {
    // Quiet the network before the state goes: no handler may run on a half-destroyed Impl.
    server.stop();
    runtime.stop();
  }

  void route(const http::Request& request, const http::RequestContext& context,
             http::Respond respond) {
    const std::string_view path = http::target_path(request.target());
    if (starts_with(path, "/bot")) {
      const std::string_view rest = path.substr(4);
      const auto slash = rest.find('/');
      if (slash != std::string_view::npos)
        return bot_api.handle(request, context, rest.substr(0, slash), rest.substr(slash + 1),
                              std::move(respond));
    } else if (starts_with(path, "/control/")) {
      return respond(control.handle(request, path));
    }
    respond(http::json_response(request.version(), request.keep_alive(), http::Status::not_found,
                                error_body(404, "Not Found")));
  }

  const SimOptions options;
  IoRuntime runtime;
  SimState state;
  BotApiHandler bot_api;
  ControlApi control;
  http::HttpServer server;
};

Simulator::Simulator(SimOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {
  spdlog::info("Simulator listening on {}", base_url());
}

Simulator::~Simulator() = default;

std::uint16_t Simulator::port() const {
  return impl_->server.port();
}

std::string Simulator::base_url() const {
  const std::string port = std::to_string(this->port());
  // The test certificates name localhost; a plain server is reached at its bound address.
  if (impl_->options.tls_cert) return "https://localhost:" + port;
  std::string host = impl_->server.host();
  if (host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "http://" + host + ":" + port;
}

std::optional<std::int64_t> Simulator::inject_message(const std::string& token,
                                                      std::int64_t chat_id,
                                                      const std::string& text) {
  return impl_->state.inject_message(token, chat_id, text);
}

std::optional<std::int64_t> Simulator::inject_group_message(const std::string& token,
                                                            std::int64_t chat_id,
                                                            std::int64_t from_id,
                                                            const std::string& text) {
  return impl_->state.inject_group_message(token, chat_id, from_id, text);
}

std::optional<std::int64_t> Simulator::inject_callback(const std::string& token,
                                                       std::int64_t chat_id,
                                                       const std::string& data) {
  return impl_->state.inject_callback(token, chat_id, data);
}

std::vector<SentMessage> Simulator::sent(const std::string& token) const {
  return impl_->state.sent(token, std::nullopt);
}

std::vector<SentMessage> Simulator::sent(const std::string& token, std::int64_t chat_id) const {
  return impl_->state.sent(token, chat_id);
}

BotCounters Simulator::counters(const std::string& token) const {
  return impl_->state.counters(token);
}

std::vector<CallRecord> Simulator::calls(const std::string& token) const {
  return impl_->state.calls(token);
}

std::vector<std::string> Simulator::tokens_seen() const {
  return impl_->state.tokens_seen();
}

void Simulator::set_faults(const std::string& token, Faults faults) {
  impl_->state.set_faults(token, faults);
}

void Simulator::set_flood_limits(const FloodLimits& limits) {
  impl_->state.set_flood_limits(limits);
}

FloodLimits Simulator::flood_limits() const {
  return impl_->state.flood_limits();
}

bool Simulator::restart_update_ids(const std::string& token, std::int64_t next_update_id) {
  return impl_->state.restart_update_ids(token, next_update_id);
}

void Simulator::reset() {
  impl_->state.reset();
}

}  // namespace hangar::sim
