#include "sim/bot_api_handler.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <unordered_map>

#include "platform/core/token.hpp"
#include "sim/flood_gate.hpp"
#include "sim/telegram_json.hpp"

namespace hangar::sim {

namespace {

// Two megabytes of valid JSON, made once.
const std::string& deeply_nested_updates() {
  static const std::string body = [] {
    constexpr std::size_t depth = 1000000;
    return R"({"ok":true,"result":[{"update_id":1,"message":)" + std::string(depth, '[') +
           std::string(depth, ']') + "}]}";
  }();
  return body;
}

// Telegram's own limits, so a client that breaks them fails here as it would there.
constexpr std::size_t kMaxTextLength = 4096;
constexpr std::int64_t kMaxUpdatesPerPoll = 100;
// Longer polls are cut to this; it bounds how long a parked request holds its connection.
constexpr double kMaxPollTimeoutSeconds = 600;
constexpr int kBotLimitRetryAfterSeconds = 60;

ApiReply ok(const std::string& result_json) {
  return {200, ok_body(result_json)};
}
ApiReply ok(const nlohmann::json& result) {
  return ok(result.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}
ApiReply error(int code, const std::string& description) {
  return {code, error_body(code, description)};
}
ApiReply bad_request(const std::string& what) {
  return error(400, "Bad Request: " + what);
}
ApiReply other_poller_conflict() {
  return error(409,
               "Conflict: terminated by other getUpdates request; make sure that only one bot "
               "instance is running");
}

http::Response to_response(unsigned version, bool keep_alive, ApiReply reply) {
  return http::json_response(version, keep_alive, static_cast<http::Status>(reply.status),
                             std::move(reply.body));
}

std::int64_t steady_now_us() {
  using namespace std::chrono;
  return duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
}

std::optional<ApiReply> check_text(const std::optional<std::string>& text) {
  if (!text || text->empty()) return bad_request("message text is empty");
  if (text->size() > kMaxTextLength) return bad_request("message is too long");
  return std::nullopt;
}

}  // namespace

BotApiHandler::BotApiHandler(SimState& state, boost::asio::any_io_executor timers)
    : state_(state), timers_(std::move(timers)) {}

void BotApiHandler::handle(const http::Request& request, const http::RequestContext& context,
                           std::string_view token, std::string_view method, http::Respond respond) {
  const auto reply = [&](ApiReply api_reply) {
    respond(to_response(request.version(), request.keep_alive(), std::move(api_reply)));
  };
  if (!is_valid_token(token)) return reply(error(401, "Unauthorized"));
  auto bot = state_.bot(std::string(token));
  if (!bot)
    return reply({429, error_body(429, "Too Many Requests: simulator bot limit reached",
                                  kBotLimitRetryAfterSeconds)});

  // Telegram matches method names without regard to case.
  std::string name(method);
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const bool is_get_updates = name == "getupdates";
  const std::uint64_t call = bot->count_call(context.request_number == 1, method, is_get_updates);

  const Faults faults = state_.faults_for(*bot);
  if (faults.revoked) return reply(error(401, "Unauthorized"));
  if (faults.not_found) return reply(error(404, "Not Found"));
  if (faults.server_error) return reply(error(500, "Internal Server Error"));
  if (faults.other_poller && is_get_updates) return reply(other_poller_conflict());
  if (faults.non_json)
    return respond(
        http::text_response(request, http::Status::ok, "<html>not json</html>", "text/html"));
  if (faults.deeply_nested && is_get_updates)
    return respond(http::text_response(request, http::Status::ok, deeply_nested_updates(),
                                       "application/json"));

  RequestParams::ParseFailure failure{};
  const auto params = RequestParams::parse(request, &failure);
  if (!params)
    return reply(bad_request(failure == RequestParams::ParseFailure::malformed_percent_encoding
                                 ? "can't parse request parameters: malformed percent-encoding"
                                 : "can't parse request body as a JSON object"));
  if (is_get_updates && !bot->webhook().empty())
    return reply(error(409,
                       "Conflict: can't use getUpdates method while webhook is active; use "
                       "deleteWebhook to delete the webhook first"));
  if (is_get_updates)
    return get_updates(*bot, *params, faults.instant_get_updates, request, std::move(respond));
  if (auto refusal = flood_refusal(state_, *bot, name, *params, call)) return reply(*refusal);
  const Method handler = find_method(name);
  if (!handler) return reply(error(404, "Not Found"));
  reply((this->*handler)(*bot, *params));
}

BotApiHandler::Method BotApiHandler::find_method(std::string_view lowercase_name) {
  static const std::unordered_map<std::string_view, Method> methods = {
      {"getme", &BotApiHandler::get_me},
      {"sendmessage", &BotApiHandler::send_message},
      {"editmessagetext", &BotApiHandler::edit_message_text},
      {"answercallbackquery", &BotApiHandler::answer_callback_query},
      {"deletewebhook", &BotApiHandler::delete_webhook},
      {"setwebhook", &BotApiHandler::set_webhook},
      {"getwebhookinfo", &BotApiHandler::get_webhook_info},
  };
  const auto found = methods.find(lowercase_name);
  return found == methods.end() ? nullptr : found->second;
}

void BotApiHandler::get_updates(BotState& bot, const RequestParams& params, bool instant,
                                const http::Request& request, http::Respond respond) {
  PollRequest poll;
  poll.offset = params.integer("offset").value_or(0);
  poll.limit = static_cast<std::size_t>(std::clamp<std::int64_t>(
      params.integer("limit").value_or(kMaxUpdatesPerPoll), 1, kMaxUpdatesPerPoll));
  const double timeout =
      std::clamp(params.number("timeout").value_or(0.0), 0.0, kMaxPollTimeoutSeconds);
  if (!instant) poll.wait = std::chrono::milliseconds(static_cast<std::int64_t>(timeout * 1000));
  // allowed_updates is accepted; the simulator only makes the kinds it is asked to inject.
  poll.answer = [respond = std::move(respond), version = request.version(),
                 keep_alive = request.keep_alive()](std::optional<std::string> updates) {
    respond(to_response(version, keep_alive, updates ? ok(*updates) : other_poller_conflict()));
  };
  bot.poll(std::move(poll), timers_);
}

ApiReply BotApiHandler::get_me(BotState& bot, const RequestParams&) {
  nlohmann::json me = bot_user(bot.bot_id());
  me["can_join_groups"] = true;
  me["can_read_all_group_messages"] = false;
  me["supports_inline_queries"] = false;
  return ok(me);
}

ApiReply BotApiHandler::send_message(BotState& bot, const RequestParams& params) {
  const auto chat_id = params.integer("chat_id");
  if (!chat_id) return bad_request(params.has("chat_id") ? "chat not found" : "chat_id is empty");
  const auto text = params.text("text");
  if (auto invalid = check_text(text)) return *invalid;
  const std::int64_t message_id = bot.next_message_id();
  bot.record_sent({"sendMessage", *chat_id, message_id, *text, steady_now_us()});
  return ok(chat_message(message_id, bot_user(bot.bot_id()), *chat_id, *text));
}

ApiReply BotApiHandler::edit_message_text(BotState& bot, const RequestParams& params) {
  const auto text = params.text("text");
  if (auto invalid = check_text(text)) return *invalid;
  // An inline message belongs to no chat the simulator knows; Telegram answers true.
  if (params.has("inline_message_id")) return ok(std::string("true"));
  const auto chat_id = params.integer("chat_id");
  const auto message_id = params.integer("message_id");
  if (!chat_id || !message_id) return bad_request("message to edit not found");
  bot.record_sent({"editMessageText", *chat_id, *message_id, *text, steady_now_us()});
  nlohmann::json edited = chat_message(*message_id, bot_user(bot.bot_id()), *chat_id, *text);
  edited["edit_date"] = unix_now();
  return ok(edited);
}

ApiReply BotApiHandler::answer_callback_query(BotState& bot, const RequestParams& params) {
  const auto query_id = params.text("callback_query_id");
  const auto chat_id = query_id ? chat_of_callback_query(*query_id) : std::nullopt;
  if (!chat_id)
    return bad_request("query is too old and response timeout expired or query ID is invalid");
  bot.record_sent(
      {"answerCallbackQuery", *chat_id, 0, params.text("text").value_or(""), steady_now_us()});
  return ok(std::string("true"));
}

ApiReply BotApiHandler::delete_webhook(BotState& bot, const RequestParams&) {
  bot.set_webhook("");
  return ok(std::string("true"));
}

// Nothing is ever delivered to the URL: a webhook here exists to block getUpdates.
ApiReply BotApiHandler::set_webhook(BotState& bot, const RequestParams& params) {
  bot.set_webhook(params.text("url").value_or(""));
  return ok(std::string("true"));
}

ApiReply BotApiHandler::get_webhook_info(BotState& bot, const RequestParams&) {
  return ok(nlohmann::json{
      {"url", bot.webhook()}, {"has_custom_certificate", false}, {"pending_update_count", 0}});
}

}  // namespace hangar::sim
