#include "actors/bot/poller.hpp"

#include <algorithm>

#include "actors/bot/bot_health.hpp"
#include "actors/bot/chat_supervision.hpp"
#include "actors/common/event_log.hpp"
#include "actors/common/weak_handle.hpp"
#include "platform/core/log.hpp"
#include "storage/inbox_repository.hpp"

namespace hangar::actors::bot {

namespace {

using std::chrono::milliseconds;

std::string restart_detail(const storage::Appended& appended) {
  return "update ids restarted below offset " + std::to_string(*appended.ids_restarted_below) +
         ": " + std::to_string(appended.stored.size()) + " updates taken as new, offset now " +
         std::to_string(appended.next_offset);
}

void commit_batch(BotSelf* self, std::vector<telegram::Update> updates) {
  auto& st = self->state;
  auto bot_id = st.args.config.id;
  auto polled_offset = st.poll.next_offset;
  const Settings& settings = st.settings();
  WeakHandle<BotImpl> me(self);
  st.poll.committing = true;
  st.args.services->storage.post(
      [bot_id, polled_offset, &settings, me,
       updates = std::move(updates)](storage::Database& db) mutable {
        std::vector<storage::InboxUpdate> rows;
        rows.reserve(updates.size());
        for (const auto& update : updates)
          rows.push_back({update.update_id, update.chat_id(), update.raw_json});
        auto appended = storage::InboxRepository(db).append(bot_id, rows, polled_offset);
        BatchCommitted batch{{}, appended.next_offset, appended.ids_restarted_below.has_value()};
        if (batch.ids_restarted)
          append_event(db, settings,
                       make_event(bot_id, std::nullopt, storage::EventKind::ids_restarted,
                                  "update_ids", restart_detail(appended)));
        // Stored rows keep the batch's order, so one pass pairs each with its parsed update.
        auto update = updates.begin();
        for (const auto& row : appended.stored) {
          while (update != updates.end() && update->update_id != row.update_id) ++update;
          if (update == updates.end()) break;
          batch.updates.push_back(ChatUpdate{row.seq, std::move(*update++)});
        }
        return storage::JobQueue::Completion(
            [me, batch = std::move(batch)]() mutable { me.send(std::move(batch)); });
      },
      // Nothing was acknowledged: the Bot API sends the batch again after the backoff.
      [me](const std::string& error) {
        me.send(StorageFailed{Step::get_updates, error});
      });
}

// Polls on, unless the inbox is full: then polling pauses until the chats drain it.
void continue_polling(BotSelf* self) {
  auto& st = self->state;
  if (st.poll.pending_estimate >= st.settings().inbox_limit)
    count_inbox(self);
  else
    poll(self);
}

}  // namespace

void poll(BotSelf* self) {
  auto& st = self->state;
  const auto& timings = st.timings();
  nlohmann::json params = {
      {"offset", st.poll.next_offset},
      {"timeout", std::chrono::duration_cast<std::chrono::seconds>(timings.poll_timeout).count()},
      {"limit", st.settings().poll_limit},
      {"allowed_updates", {"message", "edited_message", "callback_query", "my_chat_member"}}};
  st.poll.started = self->clock().now();
  WeakHandle<BotImpl> me(self);
  st.session->poll(std::move(params), timings.poll_timeout + timings.poll_margin,
                   [me](botapi::CallResult result) {
                     me.send(StepDone{Step::get_updates, std::move(result)});
                   });
}

void on_updates(BotSelf* self, botapi::CallResult& result) {
  auto& st = self->state;
  std::vector<telegram::Update> updates;
  try {
    updates = telegram::parse_updates(result.result);
  } catch (const telegram::ParseError& error) {
    // `ok: true` with a result that is no list of updates: as unreadable as a body that is not
    // JSON, so it backs off the same way.
    auto unreadable = botapi::failure(botapi::Outcome::bad_response, error.what());
    unreadable.http_status = result.http_status;
    return on_step_failed(self, Step::get_updates, unreadable);
  }
  if (updates.empty()) {
    // A server that answers at once must not make us spin.
    auto elapsed = std::chrono::duration_cast<milliseconds>(self->clock().now() - st.poll.started);
    auto minimum = st.timings().min_empty_poll_interval;
    if (elapsed < minimum)
      self->delayed_send(self, minimum - elapsed, poll_atom::value);
    else
      poll(self);
    return;
  }
  st.args.status->updates_received.fetch_add(updates.size(), std::memory_order_relaxed);
  commit_batch(self, std::move(updates));
}

void on_batch_committed(BotSelf* self, BatchCommitted& batch) {
  auto& st = self->state;
  // The inbox decides: after a restart of the Bot API's update ids the offset goes down.
  st.poll.committing = false;
  st.poll.next_offset = batch.next_offset;
  if (batch.ids_restarted)
    spdlog::warn("bot {}: the Bot API's update ids restarted; offset now {}", st.bot_name(),
                 batch.next_offset);
  st.poll.pending_estimate += batch.updates.size();
  for (auto& update : batch.updates) route(self, std::move(update));
  continue_polling(self);
}

void on_inbox_counted(BotSelf* self, InboxCounted counted) {
  auto& st = self->state;
  if (!counted.pending) {
    self->delayed_send(self, st.timings().inbox_recheck, recount_atom::value);
    return;
  }
  st.poll.pending_estimate = *counted.pending;
  if (*counted.pending < st.settings().inbox_limit) return poll(self);
  spdlog::info("bot {}: inbox full ({} updates), polling paused", st.bot_name(), *counted.pending);
  self->delayed_send(self, st.timings().inbox_recheck, recount_atom::value);
}

void count_inbox(BotSelf* self) {
  auto bot_id = self->state.args.config.id;
  WeakHandle<BotImpl> me(self);
  self->state.args.services->storage.post(
      [bot_id, me](storage::Database& db) {
        InboxCounted counted{storage::InboxRepository(db).pending_count(bot_id)};
        return storage::JobQueue::Completion([me, counted] { me.send(counted); });
      },
      [me](const std::string&) { me.send(InboxCounted{}); });
}

}  // namespace hangar::actors::bot
