#pragma once
// Turns a completion that runs on another thread (Asio, the storage worker) into a message to
// the actor that started the work. Only a weak handle is captured: an actor that has ended is
// not kept alive by pending I/O, and the result is dropped. Typed on the actor's own interface
// (its protocol plus its private messages), so the compiler checks every such send.
#include <utility>

#include <caf/actor_cast.hpp>
#include <caf/send.hpp>
#include <caf/weak_intrusive_ptr.hpp>

namespace hangar::actors {

template <class Handle>
class WeakHandle {
 public:
  // From inside the actor: `WeakHandle<Impl> me(self);`
  template <class Self>
  explicit WeakHandle(Self* self) : weak_(self->ctrl()) {}

  // False when the actor has ended and the message went nowhere.
  template <class... Ts>
  bool send(Ts&&... xs) const {
    auto strong = weak_.lock();
    if (!strong) return false;
    caf::anon_send(caf::actor_cast<Handle>(strong), std::forward<Ts>(xs)...);
    return true;
  }

 private:
  caf::weak_actor_ptr weak_;
};

}  // namespace hangar::actors
