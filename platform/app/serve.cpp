#include "platform/app/serve.hpp"

#include <iostream>

#include "platform/app/serve_runtime.hpp"
#include "platform/core/log.hpp"

namespace hangar::app {

int run_serve(const Settings& settings) {
  block_stop_signals();
  try {
    ServeRuntime runtime(settings);
    std::cout << "Serving on " << runtime.address() << std::endl;
    if (auto token = runtime.generated_admin_token())
      std::cout << "Admin token (shown once; `hangar admin-token reset` makes a new one): "
                << *token << std::endl;
    const int signal = wait_for_stop_signal();
    spdlog::info("received {}, stopping: each chat finishes the update in hand",
                 signal_name(signal));
    exit_at_second_signal();
    if (runtime.stop()) return 0;
    spdlog::warn("stopped what was still running after the drain timeout");
    return 1;
  } catch (const StartupError& error) {
    std::cerr << "hangar: " << error.what() << std::endl;
    return 2;
  }
}

}  // namespace hangar::app
