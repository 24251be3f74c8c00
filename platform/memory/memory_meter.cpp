#include "platform/memory/memory_meter.hpp"

#include <pthread.h>

#include <array>
#include <cstdlib>
#include <new>

namespace hangar {

namespace {

// The process-wide figure is split into per-thread slots: a thread owns its slot and updates it
// with a plain load and store, so a charge costs no contended atomic on a shared cache line.
// Reading sums the slots. A slot's value is just a contribution to that sum (frees on another
// thread make it negative), so a slot passes to a new thread as it is, never folded or reset.
struct alignas(64) TallySlot {
  std::atomic<std::int64_t> bytes{0};
  std::atomic<bool> owned{false};
};

constexpr std::size_t tally_slots = 256;
std::array<TallySlot, tally_slots> slots;
// Threads beyond tally_slots, and threads past their exit hook, share this one with fetch_add.
TallySlot shared_slot;
thread_local TallySlot* thread_slot = nullptr;

std::atomic<std::size_t> meter_count{0};
std::atomic<std::uint64_t> crossings{0};

void release_slot(void* slot) {
  static_cast<TallySlot*>(slot)->owned.store(false, std::memory_order_release);
  // Frees later in this thread's teardown (other exit hooks) still count, in the shared slot.
  thread_slot = &shared_slot;
}

// A pthread key rather than a thread_local destructor: it needs no C++ runtime registration
// from inside operator new, and it runs after thread_local destructors, which may free.
pthread_key_t make_exit_key() {
  pthread_key_t key;
  if (pthread_key_create(&key, release_slot) != 0) std::abort();
  return key;
}

TallySlot* claim_slot() noexcept {
  // Created on first use: operator new may run before this file's static initialisers.
  static const pthread_key_t exit_key = make_exit_key();
  for (auto& slot : slots) {
    bool expected = false;
    if (!slot.owned.load(std::memory_order_relaxed) &&
        slot.owned.compare_exchange_strong(expected, true, std::memory_order_acquire)) {
      if (pthread_setspecific(exit_key, &slot) != 0) {
        slot.owned.store(false, std::memory_order_release);
        break;
      }
      return &slot;
    }
  }
  return &shared_slot;
}

void tally(std::int64_t bytes) noexcept {
  TallySlot* slot = thread_slot;
  if (slot == nullptr) slot = thread_slot = claim_slot();
  if (slot == &shared_slot) {
    slot->bytes.fetch_add(bytes, std::memory_order_relaxed);
  } else {
    slot->bytes.store(slot->bytes.load(std::memory_order_relaxed) + bytes,
                      std::memory_order_relaxed);
  }
}

}  // namespace

MemoryMeter::MemoryMeter(MemoryMeter* parent, std::uint64_t budget) noexcept
    : parent_(parent), live_(hold), budget_(budget) {}

std::shared_ptr<MemoryMeter> MemoryMeter::create(const std::shared_ptr<MemoryMeter>& parent,
                                                 std::uint64_t budget) {
  // Meter objects come from malloc, unmetered: they often outlive their owner, and deleting one
  // from inside operator delete must not charge or credit any meter.
  void* memory = std::malloc(sizeof(MemoryMeter));
  if (memory == nullptr) throw std::bad_alloc();
  if (parent) parent->live_.fetch_add(hold, std::memory_order_relaxed);
  auto* meter = new (memory) MemoryMeter(parent.get(), budget);
  meter_count.fetch_add(1, std::memory_order_relaxed);
  try {
    // The owners together hold one reference; the last of them drops it.
    return std::shared_ptr<MemoryMeter>(meter, [](MemoryMeter* m) { drop(m, hold); });
  } catch (...) {
    drop(meter, hold);
    throw;
  }
}

void MemoryMeter::drop(MemoryMeter* m, std::uint64_t amount) noexcept {
  while (m != nullptr && m->live_.fetch_sub(amount, std::memory_order_acq_rel) == amount) {
    MemoryMeter* parent = m->parent_;
    m->~MemoryMeter();
    std::free(m);
    meter_count.fetch_sub(1, std::memory_order_relaxed);
    m = parent;
    amount = hold;
  }
}

void MemoryMeter::charge(std::uint64_t bytes) noexcept {
  auto own = (live_.fetch_add(bytes, std::memory_order_relaxed) + bytes) & bytes_mask;
  check_budget(own + children_.load(std::memory_order_relaxed));
  for (MemoryMeter* up = parent_; up != nullptr; up = up->parent_) {
    auto children = up->children_.fetch_add(bytes, std::memory_order_relaxed) + bytes;
    up->check_budget(up->live_bytes() + children);
  }
  tally(static_cast<std::int64_t>(bytes));
}

void MemoryMeter::credit(std::uint64_t bytes) noexcept {
  tally(-static_cast<std::int64_t>(bytes));
  // Ancestors first: once this meter's live_ drops, another thread may delete it (and with it
  // its hold on the parents).
  for (MemoryMeter* up = parent_; up != nullptr; up = up->parent_)
    up->children_.fetch_sub(bytes, std::memory_order_relaxed);
  drop(this, bytes);
}

void MemoryMeter::check_budget(std::uint64_t total) noexcept {
  auto budget = budget_.load(std::memory_order_relaxed);
  if (budget == 0 || total <= budget || over_since_.load(std::memory_order_relaxed) != 0) return;
  Clock::rep expected = 0;
  if (over_since_.compare_exchange_strong(expected, Clock::now().time_since_epoch().count(),
                                          std::memory_order_relaxed))
    crossings.fetch_add(1, std::memory_order_release);
}

void MemoryMeter::set_budget(std::uint64_t bytes) noexcept {
  budget_.store(bytes, std::memory_order_relaxed);
  over_since_.store(0, std::memory_order_relaxed);
  check_budget(total_bytes());
}

std::optional<MemoryMeter::Clock::time_point> MemoryMeter::over_budget_since() const noexcept {
  auto since = over_since_.load(std::memory_order_relaxed);
  if (since == 0) return std::nullopt;
  return Clock::time_point(Clock::duration(since));
}

std::int64_t MemoryMeter::metered_bytes() noexcept {
  std::int64_t sum = shared_slot.bytes.load(std::memory_order_relaxed);
  for (const auto& slot : slots) sum += slot.bytes.load(std::memory_order_relaxed);
  return sum;
}

std::uint64_t MemoryMeter::budget_crossings() noexcept {
  return crossings.load(std::memory_order_acquire);
}

std::size_t MemoryMeter::meter_objects() noexcept {
  return meter_count.load(std::memory_order_relaxed);
}

}  // namespace hangar
