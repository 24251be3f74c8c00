#pragma once
// `hangar demo` after its flags are parsed.
#include <cstddef>

#include "platform/core/settings.hpp"

namespace hangar::app {

struct DemoOptions {
  std::size_t bots = 20;
  std::size_t chats_per_bot = 5;
  double messages_per_second = 20;
};

// `serve` on settings.db_path (the caller defaults it to hangar-demo.db) with an in-process
// simulator, a demo fleet registered on it, and simulated users. Prints the address and the
// admin token every time it starts.
int run_demo(Settings settings, const DemoOptions& demo);

}  // namespace hangar::app
