#pragma once
// A meter charged by hand, for tests that need exact live figures without allocating them. The
// charge is credited back when the last copy of the returned pointer goes.
#include <cstdint>
#include <memory>

#include "platform/memory/memory_meter.hpp"

namespace hangar::test {

inline std::shared_ptr<MemoryMeter> charged_meter(std::uint64_t bytes, std::uint64_t budget = 0) {
  auto meter = MemoryMeter::create(nullptr, budget);
  meter->charge(bytes);
  MemoryMeter* raw = meter.get();
  return std::shared_ptr<MemoryMeter>(raw,
                                      [owner = std::move(meter), bytes](MemoryMeter* m) mutable {
                                        m->credit(bytes);
                                        owner.reset();
                                      });
}

}  // namespace hangar::test
