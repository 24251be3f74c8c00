#include "platform/rest/events_endpoint.hpp"

#include <map>

#include "platform/admin/bot_view.hpp"
#include "platform/core/time_format.hpp"
#include "storage/bot_repository.hpp"
#include "storage/event_repository.hpp"

namespace hangar::rest {
namespace {

nlohmann::json optional_json(const std::optional<std::int64_t>& value) {
  return value ? nlohmann::json(*value) : nullptr;
}

nlohmann::json optional_time(const std::optional<std::int64_t>& ms) {
  return ms ? nlohmann::json(format_rfc3339_ms(*ms)) : nullptr;
}

storage::EventFilter filter_of(storage::BotRepository& bots, const Query& query) {
  storage::EventFilter filter;
  filter.limit = query.limit();
  filter.before_id = query.before();
  if (auto bot = query.get("bot")) {
    auto found = bots.find(*bot);
    if (!found) throw bad_parameter("bot", admin::no_such_bot(*bot));
    filter.bot_id = found->id;
  }
  if (auto kind = query.get("kind")) {
    filter.kind = storage::event_kind_from(*kind);
    if (!filter.kind)
      throw bad_parameter("kind", "must be one of " + std::string(storage::event_kind_names()));
  }
  return filter;
}

}  // namespace

nlohmann::json list_events(ReadContext& context, const Query& query) {
  storage::BotRepository bots(context.db);
  const auto filter = filter_of(bots, query);
  // Events name their bot by id; look each bot up once per page. A removed bot shows as null.
  std::map<std::int64_t, nlohmann::json> names;
  auto name_of = [&](const std::optional<std::int64_t>& bot_id) -> nlohmann::json {
    if (!bot_id) return nullptr;
    auto [it, inserted] = names.try_emplace(*bot_id, nullptr);
    if (inserted)
      if (auto bot = bots.find(*bot_id)) it->second = bot->name;
    return it->second;
  };
  auto page = nlohmann::json::array();
  for (const auto& event : storage::EventRepository(context.db).list(filter)) {
    page.push_back({
        {"id", event.id},
        {"at", format_rfc3339_ms(event.at_ms)},
        {"bot", name_of(event.bot_id)},
        {"bot_id", optional_json(event.bot_id)},
        {"chat", optional_json(event.chat_id)},
        {"kind", storage::to_string(event.kind)},
        {"reason", event.reason},
        {"live_bytes", optional_json(event.live_bytes)},
        {"budget", optional_json(event.budget)},
        {"detail", event.detail},
        {"crossed_at", optional_time(event.crossed_at_ms)},
        {"stopped_at", optional_time(event.stopped_at_ms)},
    });
  }
  return page;
}

}  // namespace hangar::rest
