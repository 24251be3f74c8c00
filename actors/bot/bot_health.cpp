#include "actors/bot/bot_health.hpp"

#include <algorithm>
#include <optional>
#include <utility>

#include "actors/bot/api_fault.hpp"
#include "actors/common/event_log.hpp"
#include "actors/common/stop_reason.hpp"
#include "platform/core/log.hpp"
#include "platform/core/units.hpp"
#include "platform/core/wall_clock.hpp"

namespace hangar::actors::bot {

namespace {

using std::chrono::milliseconds;

// The reason of a running bot whose sends wait out a 429 (its polling's is "flood_wait").
constexpr std::string_view send_flood_wait = "send_flood_wait";

std::string_view method_of(Step step) {
  switch (step) {
    case Step::restore:
      return "restore";
    case Step::get_me:
      return "getMe";
    case Step::delete_webhook:
      return "deleteWebhook";
    case Step::get_updates:
      break;
  }
  return "getUpdates";
}

storage::EventKind event_kind_of(BotState state) {
  switch (state) {
    case BotState::conflict:
      return storage::EventKind::conflict;
    case BotState::unauthorized:
      return storage::EventKind::unauthorized;
    case BotState::running:  // it runs, but waits out a 429
      return storage::EventKind::flood_wait;
    default:
      return storage::EventKind::backoff;
  }
}

// Once per streak and fault: a bot that fails every minute for a day fills no event log.
void record_fault(BotSelf* self, const ApiFault& fault, const std::string& detail) {
  auto& health = self->state.health;
  auto key = std::make_pair(fault.state, fault.reason);
  if (health.recorded == key) return;
  health.recorded = key;
  record_event(*self->state.args.services,
               make_event(self->state.args.config.id, std::nullopt, event_kind_of(fault.state),
                          fault.reason, detail));
}

// A server that answers garbage repeats it forever: one line per bad_response_log_interval.
bool log_allowed(BotSelf* self, const botapi::CallResult* result) {
  auto& health = self->state.health;
  if (!result || result->outcome != botapi::Outcome::bad_response) return true;
  const auto now = self->clock().now();
  if (health.last_bad_response_log &&
      now - *health.last_bad_response_log < self->state.timings().bad_response_log_interval)
    return false;
  health.last_bad_response_log = now;
  return true;
}

// "getUpdates: api_error 500: Internal Server Error": what last_error shows.
std::string error_line(std::string_view method, const botapi::CallResult& result) {
  return std::string(method) + ": " + result.summary();
}

// Shows the fault in the bot's status and log, and once per streak in its events; `then` says
// what the bot does about it, `wait` how long it waits first (none: it does not wait for a time).
void report(BotSelf* self, const ApiFault& fault, const std::string& error, const std::string& then,
            std::optional<milliseconds> wait, bool log) {
  auto& st = self->state;
  st.args.status->set_last_error(error);
  std::optional<std::int64_t> next_try;
  if (wait) next_try = now_ms() + wait->count();
  st.args.status->set_state(fault.state, fault.reason, next_try);
  const auto detail = error + "; " + then;
  const auto level =
      fault.state == BotState::unauthorized ? spdlog::level::err : spdlog::level::warn;
  if (log) spdlog::log(level, "bot {}: {}", st.bot_name(), detail);
  record_fault(self, fault, detail);
}

// Runs `step` again after the backoff (or the server's retry_after).
void wait_and_retry(BotSelf* self, Step step, const ApiFault& fault, const std::string& error,
                    const botapi::CallResult* result) {
  std::optional<milliseconds> retry_after;
  if (result && result->retry_after_seconds)
    retry_after = std::min<milliseconds>(std::chrono::seconds(*result->retry_after_seconds),
                                         self->state.timings().retry_after_max);
  const auto delay = self->state.health.backoff.next(retry_after);
  report(self, fault, error, "next try in " + format_duration(delay), delay,
         log_allowed(self, result));
  self->delayed_send(self, delay, Retry{step});
}

// No call of this bot can succeed: end it, with its session, outbox and chats. The updates in
// hand stay in the inbox for its next start.
void stop_unauthorized(BotSelf* self, const ApiFault& fault, const std::string& error) {
  report(self, fault, error,
         "no Bot API calls until its token is changed (`hangar bot set --token`) or it is enabled "
         "again (`hangar bot enable`)",
         std::nullopt, true);
  self->quit(make_error(StopReason::unauthorized));
}

}  // namespace

void on_step_failed(BotSelf* self, Step step, const botapi::CallResult& result) {
  auto& st = self->state;
  const auto method = method_of(step);
  const auto fault = classify(method, result);
  const auto error = error_line(method, result);
  if (fault.state == BotState::unauthorized) return stop_unauthorized(self, fault, error);
  if (fault.reason != "webhook") return wait_and_retry(self, step, fault, error, &result);
  // A webhook set by someone else: remove it once, at once; a webhook that comes back before a
  // poll got through is removed again only after a backoff, so two clients cannot spin.
  if (st.health.webhook_deleted)
    return wait_and_retry(self, Step::delete_webhook, fault, error, &result);
  st.health.webhook_deleted = true;
  st.health.backoff.next();  // counts toward the streak, without waiting
  report(self, fault, error, "deleting the webhook", std::nullopt, true);
  self->send(self, Retry{Step::delete_webhook});
}

void on_storage_failed(BotSelf* self, Step step, const std::string& error) {
  const char* what =
      step == Step::restore ? "cannot read the bot's inbox: " : "cannot store updates: ";
  wait_and_retry(self, step, ApiFault{BotState::backoff, "storage"}, what + error, nullptr);
}

void on_token_rejected(BotSelf* self, const std::string& method, const botapi::CallResult& result) {
  stop_unauthorized(self, classify(method, result), error_line(method, result));
}

void on_sends_paused(BotSelf* self, const SendsPaused& paused) {
  auto& st = self->state;
  auto& status = *st.args.status;
  const auto shown = status.state_report();
  if (paused.wait.count() == 0) {
    if (shown.state == BotState::running && shown.reason == send_flood_wait) {
      status.set_state(BotState::running);
      status.set_last_error(std::nullopt);
    }
    return;
  }
  const auto detail =
      paused.error + "; sends to " + paused.scope + " wait " + format_duration(paused.wait);
  spdlog::warn("bot {}: {}", st.bot_name(), detail);
  record_event(*st.args.services, make_event(st.args.config.id, std::nullopt,
                                             storage::EventKind::flood_wait, "sends", detail));
  // A bot that waits for a failed step says so; a running one says why its replies wait.
  if (shown.state != BotState::running) return;
  status.set_last_error(detail);
  status.set_state(BotState::running, std::string(send_flood_wait), now_ms() + paused.wait.count());
}

void on_step_succeeded(BotSelf* self, Step step) {
  auto& st = self->state;
  auto& health = st.health;
  const auto shown = st.args.status->state_report();
  // A flood wait of the polling runs with a reason, which a good poll ends; one of the sends
  // ends when the outbox says so.
  if (shown.state != BotState::running || (shown.reason && shown.reason != send_flood_wait)) {
    st.args.status->set_state(BotState::running);
    st.args.status->set_last_error(std::nullopt);
  }
  if (step != Step::get_updates || health.backoff.failures() == 0) return;
  const auto detail =
      "polling again after " + std::to_string(health.backoff.failures()) + " failed tries";
  spdlog::info("bot {}: {}", st.bot_name(), detail);
  record_event(*st.args.services,
               make_event(st.args.config.id, std::nullopt, storage::EventKind::resume,
                          health.recorded ? health.recorded->second : "", detail));
  health.backoff.reset();
  health.recorded.reset();
  health.webhook_deleted = false;
}

void on_retry_due(BotSelf* self) {
  auto& status = *self->state.args.status;
  auto report = status.state_report();
  status.set_state(report.state, std::move(report.reason));
}

}  // namespace hangar::actors::bot
