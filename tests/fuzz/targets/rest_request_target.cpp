#include <chrono>
#include <future>

#include <nlohmann/json.hpp>

#include "platform/http/server.hpp"
#include "platform/rest/rest_handler.hpp"
#include "storage/bot_repository.hpp"
#include "storage/event_repository.hpp"
#include "storage/settings_repository.hpp"
#include "storage/storage_worker.hpp"
#include "tests/fuzz/targets/fuzz_targets.hpp"
#include "tests/fuzz/targets/http_framing.hpp"

namespace hangar::fuzz {

namespace {

namespace bhttp = boost::beast::http;

// A keep-alive connection's requests are answered one after another; past this many, the rest
// of an input adds nothing new.
constexpr int kMaxRequestsPerInput = 16;
constexpr auto kAnswerTimeout = std::chrono::seconds(10);

void fill(const std::string& path) {
  storage::Database db(path);
  storage::SettingsRepository(db).set_admin_token(fuzz_admin_token);
  storage::NewBot bot;
  bot.token = "123456:" + std::string(35, 'F');
  bot.name = "alpha";
  const auto id = storage::BotRepository(db).add(bot);
  storage::Event event;
  event.bot_id = id;
  event.chat_id = 5;
  event.reason = "crash";
  event.detail = "a detail";
  storage::EventRepository(db).append(event);
}

void check_answer(const http::Response& response) {
  if (response.result_int() < 200 || response.result_int() > 599)
    throw FuzzFinding("an answer with status " + std::to_string(response.result_int()));
  const auto type = response[bhttp::field::content_type];
  if (type.substr(0, 16) == "application/json" && !nlohmann::json::accept(response.body()))
    throw FuzzFinding("a JSON answer that is not JSON: " + response.body().substr(0, 200));
}

}  // namespace

struct RestTarget::Impl {
  explicit Impl(const std::string& directory) {
    settings.db_path = directory + "/fuzz.db";
    fill(settings.db_path);
    worker = std::make_unique<storage::StorageWorker>(settings.db_path);
    handler = std::make_unique<rest::RestHandler>(fleet, *worker, settings);
    fleet.ensure(1, "alpha");
  }
  ~Impl() { worker->flush(); }

  // Answers one request as the HTTP server would hand it over; false when the answer closes the
  // connection.
  bool answer(http::Request request) {
    auto promise = std::make_shared<std::promise<http::Response>>();
    auto answered = promise->get_future();
    handler->handle(std::move(request), http::RequestContext{}, [promise](http::Response response) {
      promise->set_value(std::move(response));
    });
    if (answered.wait_for(kAnswerTimeout) != std::future_status::ready)
      throw FuzzFinding("no answer within 10 s");
    const http::Response response = answered.get();
    check_answer(response);
    return response.keep_alive();
  }

  Settings settings;
  FleetStatus fleet;
  std::unique_ptr<storage::StorageWorker> worker;
  std::unique_ptr<rest::RestHandler> handler;
};

RestTarget::RestTarget(const std::string& directory) : impl_(std::make_unique<Impl>(directory)) {}

RestTarget::~RestTarget() = default;

void RestTarget::run(std::string_view input) {
  const http::ServerOptions limits;  // the server's caps
  boost::asio::const_buffer bytes(input.data(), input.size());
  for (int request = 0; request < kMaxRequestsPerInput && bytes.size() > 0; ++request) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
    parser.body_limit(limits.max_body_bytes);
    // A malformed, oversized or unfinished request is answered by the server itself (4xx, or
    // the header timeout) and never reaches the handler.
    if (!parse_message(parser, bytes, limits.max_body_bytes, false)) return;
    if (!impl_->answer(parser.release())) return;
  }
}

}  // namespace hangar::fuzz
