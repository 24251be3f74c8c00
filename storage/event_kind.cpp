#include "storage/event_kind.hpp"

#include <array>

namespace hangar::storage {
namespace {

constexpr std::array<std::string_view, 12> names = {
    "restart",  "backoff",      "quarantine", "lift",          "evict",        "dead_letter",
    "conflict", "unauthorized", "resume",     "ids_restarted", "send_dropped", "flood_wait"};

}  // namespace

std::string_view to_string(EventKind kind) {
  return names[static_cast<std::size_t>(kind)];
}

std::optional<EventKind> event_kind_from(std::string_view name) {
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<EventKind>(i);
  return std::nullopt;
}

std::string_view event_kind_names() {
  return "restart, backoff, quarantine, lift, evict, dead_letter, conflict, unauthorized, resume, "
         "ids_restarted, send_dropped, flood_wait";
}

}  // namespace hangar::storage
