// libFuzzer's entry for REST requests (HANGAR_FUZZ); the corpus test runs the same target. Its
// database lives in a directory of its own under $TMPDIR for the whole run.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "tests/fuzz/targets/fuzz_targets.hpp"

namespace {

hangar::fuzz::RestTarget& target() {
  static const std::unique_ptr<hangar::fuzz::RestTarget> rest = [] {
    const char* tmp = std::getenv("TMPDIR");
    std::string directory = std::string(tmp ? tmp : "/tmp") + "/hangar-fuzz-rest-XXXXXX";
    if (!mkdtemp(directory.data())) std::abort();
    return std::make_unique<hangar::fuzz::RestTarget>(directory);
  }();
  return *rest;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  target().run(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
