#pragma once
// GET /api/events: the event log, newest first, filtered by ?bot= (id or name) and ?kind=, and
// paged with ?limit= and ?before= (an event id).
#include <nlohmann/json.hpp>

#include "platform/rest/request.hpp"

namespace hangar::rest {

nlohmann::json list_events(ReadContext& context, const Query& query);

}  // namespace hangar::rest
