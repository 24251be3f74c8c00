#include "actors/bot/bot_actor.hpp"

#include <random>

#include "actors/bot/bot_drain.hpp"
#include "actors/bot/bot_health.hpp"
#include "actors/bot/bot_state.hpp"
#include "actors/bot/chat_supervision.hpp"
#include "actors/bot/poller.hpp"
#include "actors/common/weak_handle.hpp"
#include "platform/botapi/proxy_choice.hpp"
#include "platform/core/log.hpp"
#include "platform/telegram/types.hpp"
#include "storage/bot_runtime_repository.hpp"
#include "storage/inbox_repository.hpp"

namespace hangar::actors {

namespace {

using namespace bot;

void call_api(BotSelf* self, Step step, std::string method, nlohmann::json params) {
  WeakHandle<BotImpl> me(self);
  self->state.session->call(std::move(method), std::move(params),
                            self->state.timings().call_timeout,
                            [me, step](botapi::CallResult result) {
                              me.send(StepDone{step, std::move(result)});
                            });
}

void get_me(BotSelf* self) {
  call_api(self, Step::get_me, "getMe", nlohmann::json::object());
}

void delete_webhook(BotSelf* self) {
  // Keep pending updates: they belong to the users and the inbox takes them.
  call_api(self, Step::delete_webhook, "deleteWebhook", {{"drop_pending_updates", false}});
}

// Reads where the bot left off: its next offset, and the chats with updates still to handle.
void restore(BotSelf* self) {
  auto bot_id = self->state.args.config.id;
  WeakHandle<BotImpl> me(self);
  self->state.args.services->storage.post(
      [bot_id, me](storage::Database& db) {
        storage::InboxRepository inbox(db);
        Restored restored{inbox.next_offset(bot_id), inbox.pending_count(bot_id),
                          inbox.chats_with_pending(bot_id)};
        return storage::JobQueue::Completion(
            [me, restored = std::move(restored)]() mutable { me.send(std::move(restored)); });
      },
      // Without its position the bot cannot poll: it waits and reads again.
      [me](const std::string& error) {
        me.send(StorageFailed{Step::restore, error});
      });
}

// Start-up is restore, getMe (who am I), deleteWebhook (no webhook), then the poll loop; after a
// failure the bot goes on from the step that failed.
void run_step(BotSelf* self, Step step) {
  switch (step) {
    case Step::restore:
      return restore(self);
    case Step::get_me:
      return get_me(self);
    case Step::delete_webhook:
      return delete_webhook(self);
    case Step::get_updates:
      return poll(self);
  }
}

void on_step_done(BotSelf* self, StepDone& done) {
  auto& st = self->state;
  if (!done.result.ok()) return on_step_failed(self, done.step, done.result);
  switch (done.step) {
    case Step::get_me: {
      auto username = telegram::bot_username(done.result.result);
      st.args.status->set_username(username);
      auto bot_id = st.args.config.id;
      st.args.services->storage.post([bot_id, username](storage::Database& db) {
        storage::BotRuntimeRepository(db).set_username(bot_id, username);
        return storage::JobQueue::Completion();
      });
      delete_webhook(self);
      break;
    }
    case Step::delete_webhook:
      // Polling from here on; a failed poll turns this into backoff again.
      on_step_succeeded(self, done.step);
      poll(self);
      break;
    case Step::get_updates:
      // A batch is good once it is stored (BatchCommitted); a failed commit is a failed step.
      if (done.result.result.is_array() && done.result.result.empty())
        on_step_succeeded(self, done.step);
      on_updates(self, done.result);
      break;
    case Step::restore:
      break;  // a storage job, never a Bot API call
  }
}

void on_restored(BotSelf* self, Restored& restored) {
  auto& st = self->state;
  st.poll.next_offset = restored.next_offset;
  st.poll.pending_estimate = restored.pending;
  for (const auto& chat : restored.chats_with_pending)
    spawn_chat(self, chat.value_or(chatless_key));
  get_me(self);
}

void open_session(BotSelf* self) {
  auto& st = self->state;
  botapi::SessionOptions options;
  options.endpoint = *botapi::parse_api_url(st.args.config.api_url.value_or(st.settings().api_url));
  options.proxy =
      botapi::choose_proxy(options.endpoint, st.args.config.proxy, st.settings().proxies);
  options.token = st.args.config.token;
  options.max_body_bytes = st.settings().max_response_bytes;
  options.observer = st.args.status;
  options.meter = st.args.meter;
  st.session = st.args.services->open_session(std::move(options));
  WeakHandle<BotImpl> me(self);
  OutboxObserver observer;
  observer.token_rejected = [me](const std::string& method, botapi::CallResult result) {
    me.send(TokenRejected{method, std::move(result)});
  };
  observer.sends_paused = [me](SendsPaused paused) { me.send(std::move(paused)); };
  st.outbox = std::make_shared<Outbox>(st.args.services->io, st.session, st.settings(),
                                       st.args.meter, std::move(observer));
}

BotImpl::behavior_type bot_actor(BotSelf* self, BotArgs args) {
  self->meter(args.meter);  // first: the rest of the actor's life is charged to it
  auto& st = self->state;
  st.args = std::move(args);
  st.behavior = *parse_behavior(st.args.config.behavior);
  const auto& timings = st.timings();
  // Seeded apart, so that bots failing together spread their retries.
  st.health.backoff = RetryBackoff(timings.api_backoff_first, timings.api_backoff_max,
                                   static_cast<std::uint32_t>(std::random_device()()));
  open_session(self);
  st.args.status->set_state(BotState::starting);
  self->set_down_handler([=](caf::down_msg& down) { on_chat_down(self, down); });
  restore(self);
  // While draining, nothing starts: no step, no retry, no poll; only what ends the drain counts.
  const auto working = [self] { return !self->state.draining; };
  return {
      [=](Restored& restored) {
        if (working()) on_restored(self, restored);
      },
      [=](StorageFailed& failed) {
        if (working()) return on_storage_failed(self, failed.step, failed.error);
        if (failed.step == Step::get_updates) on_drain_commit(self, std::nullopt);
      },
      [=](Retry retry) {
        if (!working()) return;
        on_retry_due(self);
        run_step(self, retry.step);
      },
      [=](StepDone& done) {
        if (working()) on_step_done(self, done);
      },
      [=](TokenRejected& rejected) { on_token_rejected(self, rejected.method, rejected.result); },
      [=](SendsPaused& paused) { on_sends_paused(self, paused); },
      [=](poll_atom) {
        if (working()) poll(self);
      },
      [=](BatchCommitted& batch) {
        if (!working()) return on_drain_commit(self, batch.next_offset);
        on_step_succeeded(self, Step::get_updates);
        on_batch_committed(self, batch);
      },
      [=](InboxCounted counted) {
        if (working()) on_inbox_counted(self, counted);
      },
      [=](recount_atom) {
        if (working()) count_inbox(self);
      },
      [=](ChatIdle& idle) {
        on_chat_idle(self, idle);
        finish_drain_when_done(self);
      },
      [=](ChatRecovered& recovered) { on_chat_recovered(self, recovered); },
      [=](EvictChats& evict) { evict_chats(self, evict); },
      [=](drain_atom) { start_drain(self); },
      [=](ChatDrained& drained) { on_chat_drained(self, drained.chat_key); },
      [=](confirmed_atom) { on_offset_confirmed(self); },
  };
}

}  // namespace

BotActor spawn_bot_actor(caf::local_actor* parent, BotArgs args) {
  return parent->spawn<caf::monitored>(bot_actor, std::move(args));
}

}  // namespace hangar::actors
