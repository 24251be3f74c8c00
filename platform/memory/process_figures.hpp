#pragma once
// Figures the kernel keeps about this process.
#include <cstdint>

namespace hangar {

// Resident set size in bytes, from /proc/self/statm; 0 when it cannot be read.
std::uint64_t process_resident_bytes();

}  // namespace hangar
