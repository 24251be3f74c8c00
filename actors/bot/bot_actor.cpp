#include "actors/bot/bot_actor.hpp"

#include <algorithm>
#include <chrono>
#include <deque>
#include <unordered_map>
#include <unordered_set>

#include "actors/behaviors/behavior.hpp"
#include "actors/chat/chat_actor.hpp"
#include "actors/common/messages.hpp"
#include "actors/common/metered_actor.hpp"
#include "actors/common/stop_reason.hpp"
#include "actors/common/weak_handle.hpp"
#include "actors/outbox/outbox.hpp"
#include "platform/botapi/session.hpp"
#include "platform/core/log.hpp"
#include "platform/core/units.hpp"
#include "storage/bot_runtime_repository.hpp"
#include "storage/inbox_repository.hpp"

namespace hangar::actors {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// A chat whose actors pass their budget this often within Timings::chat_budget_window sets its
// update aside.
constexpr std::size_t budget_stops_before_dead_letter = 3;

struct ChatEntry {
  caf::actor actor;
  std::int64_t last_routed = 0;  // newest update_id sent to it
};

// What the bot remembers of a chat's actors that ended badly, until the chat retires.
struct ChatHistory {
  std::uint32_t restarts = 0;
  int crashes_in_a_row = 0;
  std::deque<Clock::time_point> budget_stops;  // within the last budget_stop_window
};

struct BotActorState {
  BotArgs args;
  BehaviorSpec behavior;
  std::shared_ptr<botapi::Session> session;
  std::shared_ptr<Outbox> outbox;
  std::int64_t next_offset = 0;
  std::size_t pending_estimate = 0;  // inbox rows; exact after each recount
  std::unordered_map<std::int64_t, ChatEntry> chats;
  std::unordered_map<caf::actor_addr, std::int64_t> chat_keys;
  std::unordered_map<std::int64_t, ChatHistory> history;
  unsigned failures = 0;  // consecutive failed Bot API steps
  Clock::time_point poll_started;
  std::optional<Clock::time_point> last_bad_response_log;

  ~BotActorState() {
    if (outbox) outbox->close();
    if (session) session->close();
    for (auto& [key, chat] : chats) stop_now(chat.actor, caf::exit_reason::user_shutdown);
  }
  const Settings& settings() const { return args.services->settings; }
  std::string bot_name() const { return args.status->name(); }
};

using BotSelf = caf::stateful_actor<BotActorState, MeteredActor>;

void set_state(BotSelf* self, BotState state) {
  self->state.args.status->state.store(state);
}

void call_api(BotSelf* self, BotCall step, std::string method, nlohmann::json params) {
  WeakActor me(self);
  self->state.session->call(std::move(method), std::move(params),
                            self->state.settings().timings.call_timeout,
                            [me, step](botapi::CallResult result) {
                              me.send(BotApiReply{step, std::move(result)});
                            });
}

void poll(BotSelf* self) {
  auto& st = self->state;
  const auto& settings = st.settings();
  const auto& timings = settings.timings;
  nlohmann::json params = {
      {"offset", st.next_offset},
      {"timeout", std::chrono::duration_cast<std::chrono::seconds>(timings.poll_timeout).count()},
      {"limit", settings.poll_limit},
      {"allowed_updates", {"message", "edited_message", "callback_query", "my_chat_member"}}};
  st.poll_started = Clock::now();
  WeakActor me(self);
  st.session->poll(std::move(params), timings.poll_timeout + timings.poll_margin,
                   [me](botapi::CallResult result) {
                     me.send(BotApiReply{BotCall::get_updates, std::move(result)});
                   });
}

void restart_after(BotSelf* self, milliseconds delay) {
  self->delayed_send(self, delay, start_atom::value);
}

// Logs a failure; bad_response at most once a minute, since a broken server repeats it forever.
void log_failure(BotSelf* self, const botapi::CallResult& result, milliseconds delay) {
  auto& st = self->state;
  if (result.outcome == botapi::Outcome::bad_response) {
    auto now = Clock::now();
    if (st.last_bad_response_log &&
        now - *st.last_bad_response_log < st.settings().timings.bad_response_log_interval)
      return;
    st.last_bad_response_log = now;
  }
  spdlog::warn("bot {}: {}; retrying in {} ms", st.bot_name(), result.summary(), delay.count());
}

void on_failure(BotSelf* self, const botapi::CallResult& result) {
  auto& st = self->state;
  const auto& timings = st.settings().timings;
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
  restart_after(self, delay);
}

void route(BotSelf* self, telegram::Update update);

void spawn_chat(BotSelf* self, std::int64_t key, std::optional<SetAside> set_aside = std::nullopt) {
  auto& st = self->state;
  ChatArgs args;
  args.services = st.args.services;
  args.bot = caf::actor_cast<caf::actor>(self);
  args.bot_id = st.args.config.id;
  args.chat_key = key;
  args.behavior = st.behavior;
  args.outbox = st.outbox;
  args.bot_status = st.args.status;
  args.meter = MemoryMeter::create(self->meter(), st.settings().chat_memory_budget);
  if (auto it = st.history.find(key); it != st.history.end()) {
    args.restarts = it->second.restarts;
    args.after_crash = it->second.crashes_in_a_row > 0;
  }
  args.set_aside = std::move(set_aside);
  auto actor = spawn_chat_actor(self, std::move(args));
  st.chat_keys[actor.address()] = key;
  st.chats[key] = ChatEntry{std::move(actor), 0};
}

void route(BotSelf* self, telegram::Update update) {
  auto& st = self->state;
  auto key = update.chat_id().value_or(chatless_key);
  auto it = st.chats.find(key);
  if (it == st.chats.end()) {
    spawn_chat(self, key);
    it = st.chats.find(key);
  }
  it->second.last_routed = update.update_id;
  self->send(it->second.actor, ChatUpdate{std::move(update)});
}

void count_inbox(BotSelf* self) {
  auto bot_id = self->state.args.config.id;
  WeakActor me(self);
  self->state.args.services->storage.post([bot_id, me](storage::Database& db) {
    InboxCount count{storage::InboxRepository(db).pending_count(bot_id)};
    return storage::JobQueue::Completion([me, count] { me.send(count); });
  });
}

// Polls on, unless the inbox is full: then polling pauses until the chats drain it.
void continue_polling(BotSelf* self) {
  auto& st = self->state;
  if (st.pending_estimate >= st.settings().inbox_limit)
    count_inbox(self);
  else
    poll(self);
}

void commit_batch(BotSelf* self, std::vector<telegram::Update> updates) {
  auto& st = self->state;
  auto bot_id = st.args.config.id;
  std::int64_t newest = 0;
  for (const auto& update : updates) newest = std::max(newest, update.update_id);
  auto next_offset = std::max(st.next_offset, newest + 1);
  WeakActor me(self);
  st.args.services->storage.post(
      [bot_id, next_offset, me, updates = std::move(updates)](storage::Database& db) mutable {
        std::vector<storage::InboxUpdate> rows;
        rows.reserve(updates.size());
        for (const auto& update : updates)
          rows.push_back({update.update_id, update.chat_id(), update.raw_json});
        auto stored = storage::InboxRepository(db).append(bot_id, rows);
        std::unordered_set<std::int64_t> fresh;
        for (const auto& row : stored) fresh.insert(row.update_id);
        BatchCommitted batch{{}, next_offset};
        for (auto& update : updates)
          if (fresh.count(update.update_id)) batch.updates.push_back(std::move(update));
        return storage::JobQueue::Completion(
            [me, batch = std::move(batch)]() mutable { me.send(std::move(batch)); });
      },
      // Nothing was acknowledged: the Bot API sends the batch again after the backoff.
      [me](const std::string& error) {
        botapi::CallResult failed;
        failed.description = "cannot store updates: " + error;
        me.send(BotApiReply{BotCall::get_updates, std::move(failed)});
      });
}

void on_updates(BotSelf* self, botapi::CallResult& result) {
  auto& st = self->state;
  auto updates = telegram::parse_updates(result.result);
  if (updates.empty()) {
    // A server that answers at once must not make us spin.
    auto elapsed = std::chrono::duration_cast<milliseconds>(Clock::now() - st.poll_started);
    auto minimum = st.settings().timings.min_empty_poll_interval;
    if (elapsed < minimum)
      self->delayed_send(self, minimum - elapsed, poll_atom::value);
    else
      poll(self);
    return;
  }
  st.args.status->updates_received.fetch_add(updates.size(), std::memory_order_relaxed);
  commit_batch(self, std::move(updates));
}

void on_api_reply(BotSelf* self, BotApiReply& reply) {
  auto& st = self->state;
  if (!reply.result.ok()) return on_failure(self, reply.result);
  switch (reply.call) {
    case BotCall::get_me: {
      auto username = reply.result.result.value("username", std::string());
      st.args.status->set_username(username);
      auto bot_id = st.args.config.id;
      st.args.services->storage.post([bot_id, username](storage::Database& db) {
        storage::BotRuntimeRepository(db).set_username(bot_id, username);
        return storage::JobQueue::Completion();
      });
      // Keep pending updates: they belong to the users and the inbox takes them.
      call_api(self, BotCall::delete_webhook, "deleteWebhook", {{"drop_pending_updates", false}});
      break;
    }
    case BotCall::delete_webhook:
      // Polling from here on; a failed poll turns this into backoff again.
      set_state(self, BotState::running);
      st.args.status->set_last_error(std::nullopt);
      poll(self);
      break;
    case BotCall::get_updates:
      st.failures = 0;
      on_updates(self, reply.result);
      break;
  }
}

// A hash table keeps the bucket array of its largest size; after a burst of chats those
// buckets would stay for the bot's lifetime. Shrinking once the table is an eighth full gives
// them back, and the factor keeps the cost amortised O(1) per erase.
template <typename Table>
void shrink_when_sparse(Table& table) {
  constexpr std::size_t small_table = 64;
  if (table.bucket_count() > small_table && table.size() < table.bucket_count() / 8)
    table.rehash(0);
}

void release_sparse_tables(BotActorState& st) {
  shrink_when_sparse(st.chats);
  shrink_when_sparse(st.chat_keys);
  shrink_when_sparse(st.history);
}

void on_chat_down(BotSelf* self, const caf::down_msg& down) {
  auto& st = self->state;
  auto found = st.chat_keys.find(down.source);
  if (found == st.chat_keys.end()) return;
  auto key = found->second;
  st.chat_keys.erase(found);
  release_sparse_tables(st);
  auto entry = st.chats.find(key);
  bool current = entry != st.chats.end() && entry->second.actor.address() == down.source;
  if (!down.reason || !current) return;  // retired after idling, or already replaced
  st.chats.erase(entry);
  auto& history = st.history[key];
  ++history.restarts;
  std::optional<SetAside> set_aside;
  if (stop_reason_of(down.reason) == StopReason::over_budget) {
    // The chat recorded the event itself; the bot only counts.
    auto now = Clock::now();
    auto& stops = history.budget_stops;
    stops.push_back(now);
    const auto window = st.settings().timings.chat_budget_window;
    while (now - stops.front() > window) stops.pop_front();
    if (stops.size() >= budget_stops_before_dead_letter) {
      stops.clear();
      set_aside = SetAside{"budget", "passed its chat memory budget " +
                                         std::to_string(budget_stops_before_dead_letter) +
                                         " times within " + format_duration(window)};
    }
  } else {
    auto crashes = ++history.crashes_in_a_row;
    spdlog::warn("bot {}: chat {} crashed ({} in a row): {}", st.bot_name(), key, crashes,
                 caf::to_string(down.reason));
    if (crashes >= crashes_before_dead_letter) {
      history.crashes_in_a_row = 0;
      set_aside = SetAside{"crash", "crashed its chat actor " + std::to_string(crashes) + " times"};
    }
  }
  // Its update is still in the inbox; the new actor starts from there.
  spawn_chat(self, key, std::move(set_aside));
}

void restore(BotSelf* self) {
  auto bot_id = self->state.args.config.id;
  WeakActor me(self);
  self->state.args.services->storage.post([bot_id, me](storage::Database& db) {
    storage::InboxRepository inbox(db);
    BotRestored restored{inbox.next_offset(bot_id), inbox.pending_count(bot_id),
                         inbox.chats_with_pending(bot_id)};
    return storage::JobQueue::Completion(
        [me, restored = std::move(restored)]() mutable { me.send(std::move(restored)); });
  });
}

caf::behavior bot_actor(BotSelf* self, BotArgs args) {
  self->meter(args.meter);  // first: the rest of the actor's life is charged to it
  auto& st = self->state;
  st.args = std::move(args);
  st.behavior = *parse_behavior(st.args.config.behavior);
  const auto& settings = st.settings();
  botapi::SessionOptions options;
  options.endpoint = *botapi::parse_api_url(st.args.config.api_url.value_or(settings.api_url));
  options.token = st.args.config.token;
  options.max_body_bytes = settings.max_response_bytes;
  options.observer = st.args.status;
  options.meter = st.args.meter;
  st.session = st.args.services->open_session(std::move(options));
  st.outbox =
      std::make_shared<Outbox>(st.args.services->io, st.session, settings.timings, st.args.meter);
  set_state(self, BotState::starting);
  self->set_down_handler([=](caf::down_msg& down) { on_chat_down(self, down); });
  restore(self);
  return {
      [=](BotRestored& restored) {
        auto& st = self->state;
        st.next_offset = restored.next_offset;
        st.pending_estimate = restored.pending;
        for (const auto& chat : restored.chats_with_pending)
          spawn_chat(self, chat.value_or(chatless_key));
        call_api(self, BotCall::get_me, "getMe", nlohmann::json::object());
      },
      [=](start_atom) { call_api(self, BotCall::get_me, "getMe", nlohmann::json::object()); },
      [=](BotApiReply& reply) { on_api_reply(self, reply); },
      [=](poll_atom) { poll(self); },
      [=](BatchCommitted& batch) {
        auto& st = self->state;
        st.next_offset = std::max(st.next_offset, batch.next_offset);
        st.pending_estimate += batch.updates.size();
        for (auto& update : batch.updates) route(self, std::move(update));
        continue_polling(self);
      },
      [=](InboxCount count) {
        auto& st = self->state;
        st.pending_estimate = count.pending;
        if (count.pending < st.settings().inbox_limit) return poll(self);
        spdlog::info("bot {}: inbox full ({} updates), polling paused", st.bot_name(),
                     count.pending);
        self->delayed_send(self, st.settings().timings.inbox_recheck, recheck_atom::value);
      },
      [=](recheck_atom) { count_inbox(self); },
      [=](idle_atom, std::int64_t key, std::int64_t last_taken) {
        auto& st = self->state;
        auto it = st.chats.find(key);
        if (it == st.chats.end() || it->second.last_routed > last_taken) return;
        self->send(it->second.actor, retire_atom::value);
        st.chats.erase(it);
        st.history.erase(key);
        release_sparse_tables(st);
      },
      [=](EvictChats& evict) {
        for (auto key : evict.chat_keys)
          if (auto it = self->state.chats.find(key); it != self->state.chats.end())
            self->send(it->second.actor, evict_atom::value);
      },
      [=](healthy_atom, std::int64_t key) {
        if (auto it = self->state.history.find(key); it != self->state.history.end())
          it->second.crashes_in_a_row = 0;
      },
  };
}

}  // namespace

caf::actor spawn_bot_actor(caf::event_based_actor* parent, BotArgs args) {
  return parent->spawn<caf::monitored>(bot_actor, std::move(args));
}

}  // namespace hangar::actors
