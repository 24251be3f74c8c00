#pragma once
// The Bot API side of the simulator: /bot<token>/<method> requests, answered as
// api.telegram.org answers them, with the fault switches applied first.
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>

#include "platform/http/server.hpp"
#include "sim/request_params.hpp"
#include "sim/sim_state.hpp"

namespace hangar::sim {

// Telegram's error_code doubles as the HTTP status, as on api.telegram.org.
struct ApiReply {
  int status = 200;
  std::string body;
};

class BotApiHandler {
 public:
  // Long-poll timers run on `timers`.
  BotApiHandler(SimState& state, boost::asio::any_io_executor timers);

  void handle(const http::Request& request, const http::RequestContext& context,
              std::string_view token, std::string_view method, http::Respond respond);

 private:
  void get_updates(BotState& bot, const RequestParams& params, bool instant,
                   const http::Request& request, http::Respond respond);
  ApiReply get_me(BotState& bot, const RequestParams& params);
  ApiReply send_message(BotState& bot, const RequestParams& params);
  ApiReply edit_message_text(BotState& bot, const RequestParams& params);
  ApiReply answer_callback_query(BotState& bot, const RequestParams& params);
  ApiReply delete_webhook(BotState& bot, const RequestParams& params);
  ApiReply set_webhook(BotState& bot, const RequestParams& params);
  ApiReply get_webhook_info(BotState& bot, const RequestParams& params);

  using Method = ApiReply (BotApiHandler::*)(BotState&, const RequestParams&);
  static Method find_method(std::string_view lowercase_name);

  SimState& state_;
  boost::asio::any_io_executor timers_;
};

}  // namespace hangar::sim
