#include "actors/bot/bot_actor.hpp"

#include <algorithm>
#include <chrono>

#include "actors/bot/bot_state.hpp"
#include "actors/bot/chat_supervision.hpp"
#include "actors/bot/poller.hpp"
#include "actors/common/weak_handle.hpp"
#include "platform/core/log.hpp"
#include "storage/bot_runtime_repository.hpp"
#include "storage/inbox_repository.hpp"

namespace hangar::actors {

namespace {

using namespace bot;
using std::chrono::milliseconds;

void set_state(BotSelf* self, BotState state) {
  self->state.args.status->state.store(state);
}

void call_api(BotSelf* self, Step step, std::string method, nlohmann::json params) {
  WeakHandle<BotImpl> me(self);
  self->state.session->call(std::move(method), std::move(params),
                            self->state.timings().call_timeout,
                            [me, step](botapi::CallResult result) {
                              me.send(StepDone{step, std::move(result)});
                            });
}

// start_up, and again after a backoff: who am I, then no webhook, then the poll loop.
void start_up(BotSelf* self) {
  call_api(self, Step::get_me, "getMe", nlohmann::json::object());
}

// Logs a failure; bad_response at most once per Timings::bad_response_log_interval, since a
// broken server repeats it forever.
void log_failure(BotSelf* self, const botapi::CallResult& result, milliseconds delay) {
  auto& st = self->state;
  if (result.outcome == botapi::Outcome::bad_response) {
    auto now = self->clock().now();
    if (st.last_bad_response_log &&
        now - *st.last_bad_response_log < st.timings().bad_response_log_interval)
      return;
    st.last_bad_response_log = now;
  }
  spdlog::warn("bot {}: {}; retrying in {} ms", st.bot_name(), result.summary(), delay.count());
}

// A failed step starts over after a backoff that doubles with each failure in a row.
void on_failure(BotSelf* self, const botapi::CallResult& result) {
  auto& st = self->state;
  const auto& timings = st.timings();
  auto delay = std::min(timings.api_backoff_max,
                        timings.api_backoff_first * (1u << std::min(st.failures, 6u)));
  ++st.failures;
  auto state = BotState::backoff;
  if (result.outcome == botapi::Outcome::api_error && result.error_code == 401)
    state = BotState::unauthorized;
  else if (result.outcome == botapi::Outcome::api_error && result.error_code == 409)
    state = BotState::conflict;
  set_state(self, state);
  st.args.status->set_last_error(result.summary());
  log_failure(self, result, delay);
  self->delayed_send(self, delay, start_atom::value);
}

void on_step_done(BotSelf* self, StepDone& done) {
  auto& st = self->state;
  if (!done.result.ok()) return on_failure(self, done.result);
  switch (done.step) {
    case Step::get_me: {
      auto username = done.result.result.value("username", std::string());
      st.args.status->set_username(username);
      auto bot_id = st.args.config.id;
      st.args.services->storage.post([bot_id, username](storage::Database& db) {
        storage::BotRuntimeRepository(db).set_username(bot_id, username);
        return storage::JobQueue::Completion();
      });
      // Keep pending updates: they belong to the users and the inbox takes them.
      call_api(self, Step::delete_webhook, "deleteWebhook", {{"drop_pending_updates", false}});
      break;
    }
    case Step::delete_webhook:
      // Polling from here on; a failed poll turns this into backoff again.
      set_state(self, BotState::running);
      st.args.status->set_last_error(std::nullopt);
      poll(self);
      break;
    case Step::get_updates:
      st.failures = 0;
      on_updates(self, done.result);
      break;
  }
}

// Reads where the bot left off: its next offset, and the chats with updates still to handle.
void restore(BotSelf* self) {
  auto bot_id = self->state.args.config.id;
  WeakHandle<BotImpl> me(self);
  self->state.args.services->storage.post([bot_id, me](storage::Database& db) {
    storage::InboxRepository inbox(db);
    Restored restored{inbox.next_offset(bot_id), inbox.pending_count(bot_id),
                      inbox.chats_with_pending(bot_id)};
    return storage::JobQueue::Completion(
        [me, restored = std::move(restored)]() mutable { me.send(std::move(restored)); });
  });
}

void on_restored(BotSelf* self, Restored& restored) {
  auto& st = self->state;
  st.poll.next_offset = restored.next_offset;
  st.poll.pending_estimate = restored.pending;
  for (const auto& chat : restored.chats_with_pending)
    spawn_chat(self, chat.value_or(chatless_key));
  start_up(self);
}

void open_session(BotSelf* self) {
  auto& st = self->state;
  botapi::SessionOptions options;
  options.endpoint = *botapi::parse_api_url(st.args.config.api_url.value_or(st.settings().api_url));
  options.token = st.args.config.token;
  options.max_body_bytes = st.settings().max_response_bytes;
  options.observer = st.args.status;
  options.meter = st.args.meter;
  st.session = st.args.services->open_session(std::move(options));
  st.outbox =
      std::make_shared<Outbox>(st.args.services->io, st.session, st.timings(), st.args.meter);
}

BotImpl::behavior_type bot_actor(BotSelf* self, BotArgs args) {
  self->meter(args.meter);  // first: the rest of the actor's life is charged to it
  auto& st = self->state;
  st.args = std::move(args);
  st.behavior = *parse_behavior(st.args.config.behavior);
  open_session(self);
  set_state(self, BotState::starting);
  self->set_down_handler([=](caf::down_msg& down) { on_chat_down(self, down); });
  restore(self);
  return {
      [=](Restored& restored) { on_restored(self, restored); },
      [=](start_atom) { start_up(self); },
      [=](StepDone& done) { on_step_done(self, done); },
      [=](poll_atom) { poll(self); },
      [=](BatchCommitted& batch) { on_batch_committed(self, batch); },
      [=](InboxCounted counted) { on_inbox_counted(self, counted); },
      [=](recount_atom) { count_inbox(self); },
      [=](ChatIdle& idle) { on_chat_idle(self, idle); },
      [=](ChatRecovered& recovered) { on_chat_recovered(self, recovered); },
      [=](EvictChats& evict) { evict_chats(self, evict); },
  };
}

}  // namespace

BotActor spawn_bot_actor(caf::local_actor* parent, BotArgs args) {
  return parent->spawn<caf::monitored>(bot_actor, std::move(args));
}

}  // namespace hangar::actors
