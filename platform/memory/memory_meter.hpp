#pragma once
// Exact live-heap metering. A MemoryMeter counts the bytes of every heap block allocated while it
// is the calling thread's current meter (see MeterScope); heap_hooks.cpp replaces the global
// operator new/delete so that each block carries a 16-byte header naming the meter it was
// charged to and its size, and its free credits that meter on whichever thread frees it.
//
// What a meter counts: requested bytes plus the header (or the alignment padding of an
// over-aligned block), i.e. what the block costs above malloc's own chunk overhead. Blocks are
// charged to the current meter of the allocating thread: an actor's meter while it handles
// messages (MeteredActor), a session's meter in everything its executor runs (MeteredExecutor). A
// message is charged to its sender, a spawned actor object to its spawner. C allocations
// (OpenSSL, SQLite) and the meter objects themselves are not metered.
//
// Lifetime. Frees come after the owner is gone: receivers free messages, the clock thread frees
// timer entries, Asio frees buffers. So a meter is not deleted by its owner but by whoever drops
// its last reference, and one atomic word (live_) decides who that is:
//   live_ = own live bytes + hold * (1 while any owner shared_ptr exists + live child meters).
// Every charged block adds at least 16 bytes, so live_ reaches 0 exactly once: when the owner
// has let go, no child meter is left and the last charged block is freed. The thread whose
// fetch_sub brings it to 0 (the owner's release, a credit, or a child's deletion) deletes the
// meter and then drops the hold on its parent. Nobody can charge it then, since a thread's
// current meter is always one that its owner still holds (the actor, or the executor's wrapped
// function, holds a shared_ptr). Limits: 1 TiB live per meter, 16 million children per meter.
//
// Roll-up. A charge to a meter also adds to children_ of each ancestor, so a bot's
// total_bytes() (own + its chats') is two loads. Cost per charged new/delete: one thread_local
// read, one relaxed atomic add on the meter, one per ancestor, and a plain store to the calling
// thread's slot of the process-wide figure (metered_bytes()).
//
// Budgets. A meter may hold a budget on its total_bytes(). The charge that takes the total past
// it records the steady time once ("over budget since") and counts a crossing; nothing is called
// back from inside operator new, the supervisor polls budget_crossings() and over_budget_since().
//
// Built with HANGAR_METERING=0 (CMake -DHANGAR_METERING=OFF), operator new is left alone and
// every meter reads 0, so that the cost of metering can be measured.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>

namespace hangar {

constexpr bool metering_enabled = HANGAR_METERING;

class MemoryMeter {
 public:
  using Clock = std::chrono::steady_clock;

  // A new meter, owned by the returned pointer (and its copies). The meter itself stays alive
  // after the last copy is gone until every block charged to it is freed. With a parent, its
  // bytes also count in the parent's total_bytes() and keep the parent alive. `budget` 0: none.
  static std::shared_ptr<MemoryMeter> create(const std::shared_ptr<MemoryMeter>& parent = nullptr,
                                             std::uint64_t budget = 0);

  MemoryMeter(const MemoryMeter&) = delete;
  MemoryMeter& operator=(const MemoryMeter&) = delete;

  // Bytes of live blocks charged to this meter.
  std::uint64_t live_bytes() const noexcept {
    return live_.load(std::memory_order_relaxed) & bytes_mask;
  }
  // The parent given at create() (null: none); it lives at least as long as this meter.
  const MemoryMeter* parent() const noexcept { return parent_; }
  // live_bytes() plus those of every descendant meter.
  std::uint64_t total_bytes() const noexcept {
    return live_bytes() + children_.load(std::memory_order_relaxed);
  }

  // Sets the budget on total_bytes() (0: none) and clears "over budget since"; a total already
  // over the new budget is flagged from now on.
  void set_budget(std::uint64_t bytes) noexcept;
  std::uint64_t budget() const noexcept { return budget_.load(std::memory_order_relaxed); }
  // When a charge first took total_bytes() past the budget, if one did since set_budget().
  std::optional<Clock::time_point> over_budget_since() const noexcept;
  // How many times any meter of the process went over its budget: a watcher that sees it
  // unchanged knows no meter needs a look.
  static std::uint64_t budget_crossings() noexcept;

  // The calling thread's current meter (null: allocations are charged to nobody).
  static MemoryMeter* current() noexcept { return current_; }

  // Bytes charged to any meter and not freed yet, over the whole process.
  static std::int64_t metered_bytes() noexcept;
  // Meter objects not deleted yet, owned or kept by their blocks (a leak check for tests).
  static std::size_t meter_objects() noexcept;

  // For heap_hooks.cpp only: account for a block of `bytes` charged to this meter, or freed.
  void charge(std::uint64_t bytes) noexcept;
  void credit(std::uint64_t bytes) noexcept;

 private:
  friend class MeterScope;
  static constexpr std::uint64_t hold = std::uint64_t{1} << 40;
  static constexpr std::uint64_t bytes_mask = hold - 1;

  MemoryMeter(MemoryMeter* parent, std::uint64_t budget) noexcept;
  ~MemoryMeter() = default;
  // Drops `amount` from m's live_ and deletes what reaches 0, walking up the parents.
  static void drop(MemoryMeter* m, std::uint64_t amount) noexcept;
  void check_budget(std::uint64_t total) noexcept;

  // Trivially initialised, so every access is a plain TLS load with no init guard.
  static inline thread_local MemoryMeter* current_ = nullptr;

  MemoryMeter* const parent_;
  std::atomic<std::uint64_t> live_;
  std::atomic<std::uint64_t> children_{0};
  std::atomic<std::uint64_t> budget_;
  std::atomic<Clock::rep> over_since_{0};  // steady ticks; 0: not over budget
};

// Makes `meter` the calling thread's current meter for the scope's lifetime, then restores the
// previous one. The caller keeps the meter owned meanwhile (see the lifetime note above).
class MeterScope {
 public:
  explicit MeterScope(MemoryMeter* meter) noexcept : previous_(MemoryMeter::current_) {
    MemoryMeter::current_ = meter;
  }
  ~MeterScope() { MemoryMeter::current_ = previous_; }
  MeterScope(const MeterScope&) = delete;
  MeterScope& operator=(const MeterScope&) = delete;

  // Switches the meter of the scope the calling thread is in, until that scope ends (an actor
  // attaching its meter from inside its first message handling).
  static void replace_current(MemoryMeter* meter) noexcept { MemoryMeter::current_ = meter; }

 private:
  MemoryMeter* previous_;
};

// Wraps a completion handler so that it runs with `meter` current, and keeps the meter owned
// until the handler is destroyed. The wrapper carries no Asio associations: apply
// bind_executor (a strand) outside it, not inside.
template <class Handler>
auto with_meter(std::shared_ptr<MemoryMeter> meter, Handler handler) {
  return [meter = std::move(meter), handler = std::move(handler)](auto&&... args) mutable {
    MeterScope scope(meter.get());
    return handler(std::forward<decltype(args)>(args)...);
  };
}

}  // namespace hangar
