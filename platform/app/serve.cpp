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
    wait_for_stop_signal();
  } catch (const StartupError& error) {
    std::cerr << "hangar: " << error.what() << std::endl;
    return 2;
  }
  return 0;
}

}  // namespace hangar::app
