#pragma once
// Turns a completion that runs on another thread (Asio, the storage worker) into a message to
// an actor. Only a weak handle is captured: an actor that has ended is not kept alive by
// pending I/O, and the result is dropped.
#include <utility>

#include <caf/all.hpp>

namespace hangar::actors {

class WeakActor {
 public:
  template <class Self>
  explicit WeakActor(Self* self) : weak_(self->ctrl()) {}

  template <class... Ts>
  void send(Ts&&... xs) const {
    if (auto strong = weak_.lock())
      caf::anon_send(caf::actor_cast<caf::actor>(strong), std::forward<Ts>(xs)...);
  }

 private:
  caf::weak_actor_ptr weak_;
};

}  // namespace hangar::actors
