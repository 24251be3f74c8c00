#include "platform/rest/rest_handler.hpp"

#include <openssl/crypto.h>

#include <algorithm>

#include <nlohmann/json.hpp>
#include <vector>

#include "platform/core/log.hpp"
#include "platform/http/url_encoding.hpp"
#include "platform/memory/memory_meter.hpp"
#include "platform/memory/process_figures.hpp"
#include "platform/rest/bots_endpoints.hpp"
#include "platform/rest/events_endpoint.hpp"
#include "platform/rest/request.hpp"

namespace hangar::rest {
namespace {

using boost::beast::http::field;
using boost::beast::http::verb;
using http::Status;

// An /api/ endpoint, run inside the storage worker's job once the admin token checked out.
using Endpoint = std::function<nlohmann::json(rest::ReadContext&)>;

std::string_view trim(std::string_view text) {
  const auto begin = text.find_first_not_of(' ');
  if (begin == std::string_view::npos) return {};
  return text.substr(begin, text.find_last_not_of(' ') - begin + 1);
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::optional<std::string> bearer_token(const http::Request& request) {
  constexpr std::string_view scheme = "Bearer ";
  const auto found = request.find(field::authorization);
  if (found == request.end()) return std::nullopt;
  const std::string_view value = found->value();
  if (value.size() <= scheme.size() || !iequals(value.substr(0, scheme.size()), scheme))
    return std::nullopt;
  const auto token = trim(value.substr(scheme.size()));
  if (token.empty()) return std::nullopt;
  return std::string(token);
}

std::optional<std::string> session_token(const http::Request& request) {
  const auto [begin, end] = request.equal_range(field::cookie);
  for (auto header = begin; header != end; ++header) {
    std::string_view rest = header->value();
    while (!rest.empty()) {
      const auto semicolon = rest.find(';');
      const auto pair = trim(rest.substr(0, semicolon));
      rest = semicolon == std::string_view::npos ? std::string_view() : rest.substr(semicolon + 1);
      const auto equals = pair.find('=');
      if (equals != std::string_view::npos && pair.substr(0, equals) == session_cookie &&
          equals + 1 < pair.size())
        return std::string(pair.substr(equals + 1));
    }
  }
  return std::nullopt;
}

// Compares without an early exit, so the time taken does not tell how much of a guess was
// right; only the length can show.
bool same_secret(const std::string& given, const std::string& expected) {
  return given.size() == expected.size() &&
         CRYPTO_memcmp(given.data(), expected.data(), given.size()) == 0;
}

http::Response storage_unavailable(const http::Request& request) {
  return http::json_error(request, Status::service_unavailable, "storage_unavailable",
                          "the database could not be read; try again");
}

http::Response unauthorized(const http::Request& request, const std::string& detail) {
  auto response = http::json_error(request, Status::unauthorized, "unauthorized", detail);
  response.set(field::www_authenticate, "Bearer");
  return response;
}

http::Response error_response(const http::Request& request, const rest::ApiError& error) {
  auto response = http::json_error(request, error.status, error.error, error.what());
  if (error.status == Status::method_not_allowed) response.set(field::allow, "GET");
  return response;
}

rest::ApiError method_not_allowed() {
  return rest::ApiError(Status::method_not_allowed, "method_not_allowed",
                        "only GET is allowed here");
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> segments;
  while (true) {
    const auto slash = path.find('/');
    segments.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) return segments;
    path.remove_prefix(slash + 1);
  }
}

// Decided before the token is checked, but routing errors are thrown inside the job, after the
// check: a caller without the token learns nothing about which paths exist.
Endpoint route(const http::Request& request) {
  const std::string target(request.target());
  const auto path = http::target_path(target);
  constexpr std::string_view api = "/api/";
  const auto segments = path.substr(0, api.size()) == api
                            ? split_path(path.substr(api.size()))
                            : std::vector<std::string_view>{};  // "/api" itself
  const std::string id = segments.size() > 1 ? std::string(segments[1]) : "";
  Endpoint endpoint;
  if (segments.size() == 1 && segments[0] == "bots") {
    endpoint = [target](rest::ReadContext& c) { return rest::list_bots(c, rest::Query(target)); };
  } else if (segments.size() == 2 && segments[0] == "bots") {
    endpoint = [id](rest::ReadContext& c) { return rest::get_bot(c, id); };
  } else if (segments.size() == 3 && segments[0] == "bots" && segments[2] == "chats") {
    endpoint = [id, target](rest::ReadContext& c) {
      return rest::list_chats(c, id, rest::Query(target));
    };
  } else if (segments.size() == 1 && segments[0] == "events") {
    endpoint = [target](rest::ReadContext& c) { return rest::list_events(c, rest::Query(target)); };
  }
  if (!endpoint)
    return [](rest::ReadContext&) -> nlohmann::json { throw rest::not_found("no such endpoint"); };
  if (request.method() != verb::get)
    return [](rest::ReadContext&) -> nlohmann::json { throw method_not_allowed(); };
  return endpoint;
}

http::Response answer(rest::ReadContext& context, const http::Request& request,
                      const Endpoint& endpoint) {
  try {
    return http::json_response(request, Status::ok, endpoint(context));
  } catch (const rest::ApiError& error) {
    return error_response(request, error);
  }
}

}  // namespace

RestHandler::RestHandler(FleetStatus& fleet, storage::JobQueue& worker, Settings settings)
    : fleet_(fleet),
      worker_(worker),
      settings_(std::move(settings)),
      admin_(worker, settings_.timings.config_poll_interval) {}

http::Handler RestHandler::handler() {
  return [this](http::Request&& request, const http::RequestContext& context,
                http::Respond respond) { handle(std::move(request), context, std::move(respond)); };
}

void RestHandler::handle(http::Request&& request, const http::RequestContext&,
                         http::Respond respond) {
  auto shared = std::make_shared<const http::Request>(std::move(request));
  const auto path = http::target_path(shared->target());
  if (path == "/api" || path.substr(0, 5) == "/api/") return answer_api(shared, respond);

  if (path != "/healthz" && path != "/metrics")
    return respond(error_response(*shared, rest::not_found("no such endpoint")));
  if (shared->method() != verb::get) return respond(error_response(*shared, method_not_allowed()));
  if (path == "/healthz")
    return respond(http::json_response(*shared, Status::ok, {{"status", "ok"}}));
  respond(metrics(*shared));
}

http::Response RestHandler::metrics(const http::Request& request) const {
  if (const auto& token = settings_.metrics_token) {
    const auto given = bearer_token(request);
    if (!given || !same_secret(*given, *token))
      return unauthorized(request, "/metrics needs the metrics token as Authorization: Bearer");
  }
  MetricsInput input;
  input.process_resident_bytes = process_resident_bytes();
  input.heap_metered_bytes =
      static_cast<std::uint64_t>(std::max<std::int64_t>(0, MemoryMeter::metered_bytes()));
  input.default_bot_memory_budget = settings_.bot_memory_budget;
  return http::text_response(request, Status::ok, render_metrics(fleet_, input),
                             metrics_content_type);
}

void RestHandler::answer_api(std::shared_ptr<const http::Request> request, http::Respond respond) {
  auto credential = bearer_token(*request);
  if (!credential) credential = session_token(*request);
  if (!credential)
    return respond(unauthorized(
        *request, "send the admin token as Authorization: Bearer, or the session cookie"));

  admin_.check(*credential, [this, request, respond](AdminCredential::Verdict verdict) {
    if (verdict == AdminCredential::Verdict::not_admin)
      return respond(unauthorized(*request, "wrong admin token"));
    if (verdict == AdminCredential::Verdict::unknown) return respond(storage_unavailable(*request));
    run_endpoint(request, respond);
  });
}

void RestHandler::run_endpoint(std::shared_ptr<const http::Request> request,
                               http::Respond respond) {
  worker_.post(
      [this, request, respond,
       endpoint = route(*request)](storage::Database& db) -> storage::JobQueue::Completion {
        rest::ReadContext context{db, fleet_, settings_};
        auto response = std::make_shared<http::Response>(answer(context, *request, endpoint));
        return [respond, response] { respond(std::move(*response)); };
      },
      [request, respond](const std::string& error) {
        spdlog::warn("REST API could not read the database: {}", error);
        respond(storage_unavailable(*request));
      });
}

}  // namespace hangar::rest
