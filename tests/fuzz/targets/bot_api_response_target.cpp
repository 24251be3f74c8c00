#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include "platform/botapi/response_parser.hpp"
#include "platform/core/bounds.hpp"
#include "platform/telegram/types.hpp"
#include "tests/fuzz/targets/fuzz_targets.hpp"
#include "tests/fuzz/targets/http_framing.hpp"

namespace hangar::fuzz {

namespace {

namespace bhttp = boost::beast::http;

// platform/botapi/connection.cpp's cap on a response's header block.
constexpr std::uint32_t kResponseHeaderBytes = 16 * 1024;

struct Framed {
  unsigned status = 0;
  std::string body;
};

std::optional<Framed> frame_response(std::string_view input) {
  bhttp::response_parser<bhttp::string_body> parser;
  parser.header_limit(kResponseHeaderBytes);
  parser.body_limit(bounds::response_body_bytes);
  boost::asio::const_buffer bytes(input.data(), input.size());
  if (!parse_message(parser, bytes, bounds::response_body_bytes, true)) return std::nullopt;
  auto response = parser.release();
  return Framed{response.result_int(), std::move(response.body())};
}

void check_bounds(const botapi::CallResult& result) {
  if (result.retry_after_seconds && (*result.retry_after_seconds < 0 ||
                                     *result.retry_after_seconds > bounds::retry_after_seconds))
    throw FuzzFinding("retry_after outside [0, " + std::to_string(bounds::retry_after_seconds) +
                      "]: " + std::to_string(*result.retry_after_seconds));
  if (result.error_code < 0 || result.error_code > 999)
    throw FuzzFinding("error_code outside [0, 999]: " + std::to_string(result.error_code));
  if (result.summary().empty()) throw FuzzFinding("a result without a summary");
}

// What the poller, and then each chat, make of a getUpdates result.
void read_updates(const nlohmann::json& result) {
  std::vector<telegram::Update> updates;
  try {
    updates = telegram::parse_updates(result);
  } catch (const telegram::ParseError&) {
    return;  // the poll failed with bad_response
  }
  for (const auto& update : updates) {
    if (update.update_id < 0 || update.update_id == std::numeric_limits<std::int64_t>::max())
      throw FuzzFinding("an update_id the offset cannot move past: " +
                        std::to_string(update.update_id));
    (void)update.chat_id();
    try {
      (void)telegram::parse_update(update.raw_json);
    } catch (const telegram::ParseError&) {
      // the chat marks it handled unread
    }
  }
}

}  // namespace

void bot_api_response(std::string_view input) {
  std::optional<Framed> framed;
  if (input.substr(0, 5) == "HTTP/") {
    framed = frame_response(input);
    if (!framed) return;  // the call failed with bad_response or network
  }
  const botapi::CallResult result = framed ? botapi::parse_response(framed->status, framed->body)
                                           : botapi::parse_response(200, input);
  check_bounds(result);
  if (!result.ok()) return;
  (void)telegram::bot_username(result.result);
  read_updates(result.result);
}

}  // namespace hangar::fuzz
