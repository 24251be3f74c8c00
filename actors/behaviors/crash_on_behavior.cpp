#include "actors/behaviors/crash_on_behavior.hpp"

#include <stdexcept>

#include "actors/behaviors/replies.hpp"

namespace hangar::actors::behaviors {

Reaction CrashOnBehavior::on_update(const telegram::Update& update, std::string&) {
  if (message_text(update) == trigger_)
    throw std::runtime_error("crash-on behaviour: crashing on request");
  return echo_reaction(update);
}

}  // namespace hangar::actors::behaviors
