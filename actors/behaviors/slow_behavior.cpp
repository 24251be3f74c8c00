#include "actors/behaviors/slow_behavior.hpp"

#include "actors/behaviors/replies.hpp"

namespace hangar::actors::behaviors {

Reaction SlowBehavior::on_update(const telegram::Update& update, std::string&) {
  auto reaction = echo_reaction(update);
  auto text = message_text(update);
  if (text && text->rfind("slow", 0) == 0) reaction.delay = delay_;
  return reaction;
}

}  // namespace hangar::actors::behaviors
