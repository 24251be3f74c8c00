// Issue 8's fuzzing, in every CI stage (the AddressSanitizer stage is where it counts): each input
// of tests/fuzz/corpus/<target>/, then a fixed number of mutations of them drawn from a fixed
// seed, goes through the fuzz target. A crash, a sanitizer report, an exception escaping or a
// FuzzFinding fails the test, naming the input (a mutation by its number, which the seed makes
// reproducible). The same corpus seeds the libFuzzer executables (HANGAR_FUZZ, see the README).
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "tests/fuzz/mutator.hpp"
#include "tests/fuzz/targets/fuzz_targets.hpp"
#include "tests/support/temp_dir.hpp"

using hangar::fuzz::Mutator;
using hangar::test::read_file;

namespace {

using Clock = std::chrono::steady_clock;

// Mutations stop at this, or at the count a test asks for, whichever comes first: a slow
// sanitizer build runs fewer of the same sequence.
constexpr auto kTimeBudget = std::chrono::seconds(10);
constexpr std::size_t kMaxMutatedBytes = 1u << 20;

struct Input {
  std::string name;
  std::string bytes;
};

std::vector<Input> load_corpus(const std::string& target) {
  std::vector<Input> corpus;
  const std::filesystem::path dir = std::filesystem::path(HANGAR_FUZZ_CORPUS) / target;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.is_regular_file())
      corpus.push_back({entry.path().filename().string(), read_file(entry.path().string())});
  std::sort(corpus.begin(), corpus.end(),
            [](const Input& a, const Input& b) { return a.name < b.name; });
  return corpus;
}

// The front of an input, printable.
std::string preview(const std::string& bytes) {
  static const char hex[] = "0123456789abcdef";
  std::string shown;
  for (const char c : bytes.substr(0, 160)) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7f && byte != '\\') {
      shown += c;
    } else {
      shown += "\\x";
      shown += hex[byte >> 4];
      shown += hex[byte & 15];
    }
  }
  return bytes.size() > 160 ? shown + "..." : shown;
}

// True when `run` took the input in its stride; otherwise fails the test with what went wrong.
bool survives(const std::function<void(const std::string&)>& run, const std::string& name,
              const std::string& input) {
  try {
    run(input);
    return true;
  } catch (const std::exception& error) {
    FAIL_CHECK(name << " (" << input.size() << " bytes: " << preview(input)
                    << "): " << error.what());
  } catch (...) {
    FAIL_CHECK(name << " (" << input.size() << " bytes: " << preview(input)
                    << "): a non-standard exception");
  }
  return false;
}

void fuzz(const std::string& target, std::uint64_t seed, std::size_t mutations,
          const std::function<void(const std::string&)>& run) {
  const auto corpus = load_corpus(target);
  REQUIRE(corpus.size() >= 20);
  for (const auto& input : corpus)
    if (!survives(run, target + "/" + input.name, input.bytes)) return;

  std::vector<std::string> bytes;
  for (const auto& input : corpus) bytes.push_back(input.bytes);
  Mutator mutator(seed);
  const auto deadline = Clock::now() + kTimeBudget;
  std::size_t done = 0;
  for (; done < mutations && Clock::now() < deadline; ++done) {
    const Input& base = corpus[mutator.below(corpus.size())];
    const std::string input = mutator.mutate(base.bytes, bytes, kMaxMutatedBytes);
    if (!survives(run, "mutation " + std::to_string(done) + " of " + target + "/" + base.name,
                  input))
      return;
  }
  if (done < mutations)
    WARN(target << ": " << done << " of " << mutations << " mutations within the time budget");
}

}  // namespace

TEST_CASE("Bot API responses: the corpus and its mutations leave the parsers standing") {
  fuzz("bot_api_response", 0x5eed0001, 100000,
       [](const std::string& input) { hangar::fuzz::bot_api_response(input); });
}

TEST_CASE("REST requests: the corpus and its mutations leave the API standing") {
  hangar::test::TempDir dir;
  hangar::fuzz::RestTarget rest(dir.path());
  fuzz("rest_request", 0x5eed0002, 20000, [&](const std::string& input) { rest.run(input); });
}

TEST_CASE("the mutator gives the same inputs for the same seed") {
  const std::vector<std::string> corpus = {"{\"ok\":true}", "GET / HTTP/1.1\r\n\r\n"};
  Mutator first(7), second(7), other(8);
  bool differs = false;
  for (int i = 0; i < 200; ++i) {
    const auto input = first.mutate(corpus[i % 2], corpus, 4096);
    CHECK(input == second.mutate(corpus[i % 2], corpus, 4096));
    differs = differs || input != other.mutate(corpus[i % 2], corpus, 4096);
    CHECK(input.size() <= 4096);
  }
  CHECK(differs);
}
