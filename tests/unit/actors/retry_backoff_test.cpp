// The bot's retry backoff and what each Bot API failure means for its state.
#include <catch2/catch.hpp>

#include <set>

#include "actors/bot/api_fault.hpp"
#include "actors/bot/retry_backoff.hpp"

using namespace hangar;
using namespace hangar::actors::bot;
using namespace std::chrono_literals;
using std::chrono::milliseconds;

namespace {

botapi::CallResult api_error(int code, std::string description = "") {
  botapi::CallResult result;
  result.outcome = botapi::Outcome::api_error;
  result.http_status = code;
  result.error_code = code;
  result.description = std::move(description);
  return result;
}

}  // namespace

TEST_CASE("the backoff doubles to its cap, each wait drawn between half and all of it") {
  for (std::uint32_t seed = 1; seed <= 50; ++seed) {
    RetryBackoff backoff(100ms, 1000ms, seed);
    milliseconds nominal = 100ms;
    milliseconds previous{0};
    for (int failure = 1; failure <= 12; ++failure) {
      CHECK(backoff.nominal() == nominal);
      const auto wait = backoff.next();
      CHECK(wait >= nominal / 2);
      CHECK(wait <= nominal);
      CHECK(wait >= previous / 2);  // never much shorter than the one before
      previous = wait;
      nominal = std::min(2 * nominal, 1000ms);
    }
    CHECK(backoff.failures() == 12);
    backoff.reset();
    CHECK(backoff.failures() == 0);
    CHECK(backoff.next() <= 100ms);
  }
}

TEST_CASE("the backoff spreads bots that failed together") {
  std::set<milliseconds::rep> waits;
  for (std::uint32_t seed = 1; seed <= 20; ++seed)
    waits.insert(RetryBackoff(1s, 60s, seed).next().count());
  CHECK(waits.size() > 10);
}

TEST_CASE("a retry_after from the server is waited in full, even past the cap") {
  RetryBackoff backoff(100ms, 1000ms, 7);
  CHECK(backoff.next(5000ms) == 5000ms);
  CHECK(backoff.next(10ms) >= 100ms);  // the backoff's own wait when it is longer
}

TEST_CASE("a long streak neither overflows nor passes the cap") {
  RetryBackoff backoff(1ms, 3600000ms, 3);
  for (int failure = 0; failure < 10000; ++failure) CHECK(backoff.next() <= 3600000ms);
  CHECK(backoff.nominal() == 3600000ms);
}

TEST_CASE("each Bot API failure maps to the state and reason the bot shows") {
  using Expected = std::pair<BotState, std::string>;
  const auto fault = [](std::string_view method, const botapi::CallResult& result) {
    const auto classified = classify(method, result);
    return Expected{classified.state, classified.reason};
  };
  CHECK(fault("getUpdates", api_error(401, "Unauthorized")) ==
        Expected{BotState::unauthorized, "token_rejected"});
  CHECK(fault("sendMessage", api_error(401, "Unauthorized")) ==
        Expected{BotState::unauthorized, "token_rejected"});
  CHECK(fault("getMe", api_error(404, "Not Found")) ==
        Expected{BotState::unauthorized, "token_rejected"});
  // A 404 elsewhere says nothing about the token.
  CHECK(fault("getUpdates", api_error(404, "Not Found")) ==
        Expected{BotState::backoff, "api_error"});
  CHECK(fault("getUpdates",
              api_error(409, "Conflict: can't use getUpdates method while webhook is active")) ==
        Expected{BotState::conflict, "webhook"});
  CHECK(fault("getUpdates", api_error(409, "Conflict: terminated by other getUpdates request")) ==
        Expected{BotState::conflict, "other_poller"});
  CHECK(fault("getUpdates", api_error(502, "Bad Gateway")) ==
        Expected{BotState::backoff, "api_error"});
  CHECK(fault("getMe", botapi::failure(botapi::Outcome::network, "connection refused")) ==
        Expected{BotState::backoff, "network"});
  CHECK(fault("getUpdates", botapi::failure(botapi::Outcome::timeout, "")) ==
        Expected{BotState::backoff, "timeout"});
  // A 401 from something that is not the Bot API (a proxy's HTML page) is not about the token.
  botapi::CallResult proxy = botapi::failure(botapi::Outcome::http_error, "not JSON");
  proxy.http_status = 401;
  CHECK(fault("getMe", proxy) == Expected{BotState::backoff, "http_error"});
}
