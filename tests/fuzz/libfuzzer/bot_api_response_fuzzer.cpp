// libFuzzer's entry for Bot API responses (HANGAR_FUZZ); the corpus test runs the same target.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tests/fuzz/targets/fuzz_targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // A FuzzFinding escapes on purpose: libFuzzer reports the input that broke a bound.
  hangar::fuzz::bot_api_response(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
