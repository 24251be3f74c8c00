#include "platform/memory/process_figures.hpp"

#include <unistd.h>

#include <fstream>

namespace hangar {

std::uint64_t process_resident_bytes() {
  // statm holds sizes in pages: total program size first, then the resident set.
  std::ifstream statm("/proc/self/statm");
  std::uint64_t size_pages = 0;
  std::uint64_t resident_pages = 0;
  if (!(statm >> size_pages >> resident_pages)) return 0;
  const long page_size = sysconf(_SC_PAGESIZE);
  return page_size > 0 ? resident_pages * static_cast<std::uint64_t>(page_size) : 0;
}

}  // namespace hangar
