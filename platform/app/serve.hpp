#pragma once
// `hangar serve` after its flags are parsed.
#include "platform/core/settings.hpp"

namespace hangar::app {

// Runs the platform (supervisor, every enabled bot, HTTP server) until SIGINT or SIGTERM.
// Prints "Serving on http://HOST:PORT" to stdout once listening, and the admin token when it
// was just generated. Returns the exit status; a startup error (database refused, already
// served, cannot listen) prints one line to stderr and returns 2.
int run_serve(const Settings& settings);

}  // namespace hangar::app
