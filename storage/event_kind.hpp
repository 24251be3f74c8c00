#pragma once
// The kinds of event in the event log (/api/events' `kind`), named once: actors and repositories
// write them through this enum, the database and the API show their names.
#include <optional>
#include <string_view>

namespace hangar::storage {

enum class EventKind {
  restart,      // an actor was restarted (reason budget, memory_limit, crash or config)
  backoff,      // a bot waits: it passed its restart intensity, or a Bot API or storage step failed
  quarantine,   // a bot backed off too often in a row
  lift,         // a quarantine or the unauthorized state was lifted (`bot enable`)
  evict,        // the memory guard retired idle chats
  dead_letter,  // an update was set aside
  conflict,     // another client holds the bot's updates (a webhook, another poller)
  unauthorized,   // the Bot API refused the bot's token: it makes no more calls
  resume,         // a bot polls again after failed steps
  ids_restarted,  // the Bot API's update ids went back below the bot's offset
  send_dropped,   // a call of a chat's reply failed for good (chat not found, bot blocked)
  flood_wait,     // the Bot API's flood control (429) paused a bot's polling or its sends
};

std::string_view to_string(EventKind kind);
// Nullopt for a name that is no kind.
std::optional<EventKind> event_kind_from(std::string_view name);
// "restart, backoff, ..." for error messages.
std::string_view event_kind_names();

}  // namespace hangar::storage
