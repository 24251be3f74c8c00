#include "actors/behaviors/leak_behavior.hpp"

#include <cstring>

#include "actors/behaviors/replies.hpp"

namespace hangar::actors::behaviors {

Reaction LeakBehavior::on_update(const telegram::Update& update, std::string&) {
  auto block = std::make_unique<char[]>(bytes_per_update_);
  // Touch every page, so the leak shows in RSS and not only in the meters.
  std::memset(block.get(), 0x5a, bytes_per_update_);
  kept_.push_back(std::move(block));
  return echo_reaction(update);
}

}  // namespace hangar::actors::behaviors
