#pragma once
// Ownership of a child actor, in the spirit of tdlib's ActorOwn: the owner holds the child's
// handle in an ActorOwn, and dropping it (the owner's state going away, an entry erased from a
// table, a new child assigned over it) stops the child at once. Nobody walks maps of children in
// a destructor, and no child outlives the owner that forgot it.
#include <utility>

#include <caf/actor_cast.hpp>
#include <caf/exit_reason.hpp>

#include "actors/common/stop_reason.hpp"

namespace hangar::actors {

template <class Handle>
class ActorOwn {
 public:
  ActorOwn() = default;
  explicit ActorOwn(Handle handle) : handle_(std::move(handle)) {}
  ActorOwn(ActorOwn&& other) noexcept : handle_(std::exchange(other.handle_, Handle{})) {}
  ActorOwn& operator=(ActorOwn&& other) noexcept {
    if (this != &other) {
      reset();
      handle_ = std::exchange(other.handle_, Handle{});
    }
    return *this;
  }
  ActorOwn(const ActorOwn&) = delete;
  ActorOwn& operator=(const ActorOwn&) = delete;
  ~ActorOwn() { reset(); }

  const Handle& get() const { return handle_; }
  explicit operator bool() const { return static_cast<bool>(handle_); }

  // Stops the child now (ahead of its mailbox) with `reason`, and forgets it.
  void reset(caf::error reason = caf::exit_reason::user_shutdown) {
    if (!handle_) return;
    stop_now(caf::actor_cast<caf::strong_actor_ptr>(handle_), std::move(reason));
    handle_ = Handle{};
  }

  // Lets go of the child without stopping it: it is ending by itself (it was told to retire).
  Handle release() { return std::exchange(handle_, Handle{}); }

 private:
  Handle handle_;
};

}  // namespace hangar::actors
