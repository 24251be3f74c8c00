#pragma once
// The simulator's control API under /control/: a thin JSON layer over the simulator's
// operations, so a test in another process can act as users and read what bots sent.
// No authentication: the simulator is a test tool. Documented in sim/README.md.
#include "platform/http/server.hpp"
#include "sim/sim_state.hpp"

namespace hangar::sim {

class ControlApi {
 public:
  explicit ControlApi(SimState& state) : state_(state) {}

  // `path` is the request's path without the query string, starting with /control/.
  http::Response handle(const http::Request& request, std::string_view path);

 private:
  http::Response inject(const http::Request& request, bool callback);
  http::Response sent(const http::Request& request);
  http::Response bot_counters(const http::Request& request);
  http::Response calls(const http::Request& request);
  http::Response tokens(const http::Request& request);
  http::Response faults(const http::Request& request);
  http::Response restart_ids(const http::Request& request);
  http::Response reset(const http::Request& request);
  http::Response flood_limits(const http::Request& request);  // control_flood_limits.cpp

  SimState& state_;
};

}  // namespace hangar::sim
