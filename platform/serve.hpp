#pragma once
// The `serve` and `demo` commands after their flags are parsed.
#include <cstddef>

#include "platform/settings.hpp"

namespace hangar {

// Runs the platform (supervisor, every enabled bot, HTTP server) until SIGINT or SIGTERM.
// Prints "Serving on http://HOST:PORT" to stdout once listening, and the admin token when it
// was just generated. Returns the exit status; a startup error (database refused, already
// served, cannot listen) prints one line to stderr and returns 2.
int run_serve(const Settings& settings);

struct DemoOptions {
  std::size_t bots = 20;
  std::size_t chats_per_bot = 5;
  double messages_per_second = 20;
};

// `serve` on settings.db_path (the caller defaults it to hangar-demo.db) with an in-process
// simulator, a demo fleet registered on it, and simulated users. Prints the address and the
// admin token every time it starts.
int run_demo(Settings settings, const DemoOptions& demo);

}  // namespace hangar
