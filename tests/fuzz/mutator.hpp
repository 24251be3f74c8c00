#pragma once
// Deterministic mutations of corpus inputs, so that the corpus test finds the same inputs on every
// machine and every run: the same seed gives the same sequence. Small, stacked edits of the
// kinds that break parsers: flipped bits, bytes and tokens of JSON and HTTP inserted, ranges
// deleted, repeated (deep nesting, long headers) or spliced from another input, truncation; and,
// for an input that is JSON, a value swapped for one of the wrong type or size, so that the
// readers behind the JSON parser see well-formed hostile documents too.
#include <cstdint>
#include <string>
#include <vector>

namespace hangar::fuzz {

class Mutator {
 public:
  explicit Mutator(std::uint64_t seed) : state_(seed) {}

  // A mutation of `input`, maybe spliced with another of `corpus`; at most `max_size` bytes.
  std::string mutate(const std::string& input, const std::vector<std::string>& corpus,
                     std::size_t max_size);
  std::size_t below(std::size_t bound);  // uniform enough in [0, bound), bound > 0

 private:
  std::uint64_t next();
  void mutate_once(std::string& data, const std::vector<std::string>& corpus);
  bool mutate_json(std::string& data);  // false when `data` is no JSON it can edit

  std::uint64_t state_;
};

}  // namespace hangar::fuzz
