#include "actors/behaviors/echo_behavior.hpp"

#include "actors/behaviors/replies.hpp"

namespace hangar::actors::behaviors {

Reaction EchoBehavior::on_update(const telegram::Update& update, std::string&) {
  return echo_reaction(update);
}

}  // namespace hangar::actors::behaviors
