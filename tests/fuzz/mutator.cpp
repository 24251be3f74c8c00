#include "tests/fuzz/mutator.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <string_view>

#include <nlohmann/json.hpp>

#include "platform/core/json_nesting.hpp"

namespace hangar::fuzz {

namespace {

// What JSON, HTTP and query parsers trip over: structure, escapes, numbers past every integer
// type, broken UTF-8, header and chunk syntax, percent-encoding, and the REST API's own names.
constexpr std::array<std::string_view, 48> kTokens = {"[",
                                                      "]",
                                                      "{",
                                                      "}",
                                                      "\"",
                                                      "\\",
                                                      ",",
                                                      ":",
                                                      "{\"a\":",
                                                      "[[[[[[[[",
                                                      "\\u",
                                                      "\\ud800",
                                                      "\\udc00\\ud800",
                                                      "\\u0000",
                                                      "\xc3",
                                                      "\xe2\x82",
                                                      "\xf0\x9f\x98",
                                                      "\xff\xfe",
                                                      "\xc0\xaf",
                                                      "9223372036854775807",
                                                      "9223372036854775808",
                                                      "18446744073709551616",
                                                      "-9223372036854775809",
                                                      "1e400",
                                                      "-0",
                                                      "0.5",
                                                      "null",
                                                      "true",
                                                      "\"ok\":true",
                                                      "\"ok\":false",
                                                      "\"result\":",
                                                      "\"update_id\":",
                                                      "\"retry_after\":",
                                                      "\"message\":{\"chat\":",
                                                      "\r\n",
                                                      "\r\n\r\n",
                                                      "Transfer-Encoding: chunked\r\n",
                                                      "Content-Length: 18446744073709551616\r\n",
                                                      "ffffffffffffffffff\r\n",
                                                      "0\r\n\r\n",
                                                      "%",
                                                      "%zz",
                                                      "%00",
                                                      "?limit=",
                                                      "&before=-1",
                                                      "/api/bots/",
                                                      "Authorization: Bearer ",
                                                      "Cookie: hangar_session="};

constexpr std::array<char, 16> kBytes = {'\0', '\xff', '"',  '\\', '[', '{',    ']',    '}',
                                         ',',  ':',    '\r', '\n', '%', '\x80', '\xc3', ' '};

using nlohmann::json;

// Values of the wrong type or size for any field: integers at and past every limit, floats,
// strings where numbers go, containers where scalars go, and nesting past Hangar's bound.
json hostile_value(std::size_t pick) {
  switch (pick) {
    case 0:
      return std::numeric_limits<std::int64_t>::max();
    case 1:
      return std::numeric_limits<std::uint64_t>::max();
    case 2:
      return std::numeric_limits<std::int64_t>::min();
    case 3:
      return 1e308;
    case 4:
      return -0.5;
    case 5:
      return true;
    case 6:
      return nullptr;
    case 7:
      return "";
    case 8:
      return std::string(10000, 'x');
    case 9:
      return json::array();
    case 10:
      return json::object();
    case 11:
      return "12345";
    case 12: {
      json nested = 1;
      for (int depth = 0; depth < 70; ++depth) nested = json::array({std::move(nested)});
      return nested;
    }
    default:
      return -1;
  }
}

constexpr std::size_t kHostileValues = 14;
constexpr std::array<const char*, 10> kFieldNames = {
    "ok", "result", "update_id", "message", "chat", "from", "id", "text", "username", "parameters"};

// Every value in `root`, parents before children.
std::vector<json*> values_of(json& root) {
  std::vector<json*> values = {&root};
  for (std::size_t i = 0; i < values.size(); ++i)
    if (values[i]->is_structured())
      for (auto& child : *values[i]) values.push_back(&child);
  return values;
}

}  // namespace

std::uint64_t Mutator::next() {
  // SplitMix64: fixed, portable, and good enough to pick edits.
  std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

std::size_t Mutator::below(std::size_t bound) {
  return static_cast<std::size_t>(next() % bound);
}

std::string Mutator::mutate(const std::string& input, const std::vector<std::string>& corpus,
                            std::size_t max_size) {
  std::string data = input;
  const std::size_t edits = 1 + below(4);
  for (std::size_t i = 0; i < edits; ++i) mutate_once(data, corpus);
  if (data.size() > max_size) data.resize(max_size);
  return data;
}

void Mutator::mutate_once(std::string& data, const std::vector<std::string>& corpus) {
  const std::size_t at = below(data.size() + 1);
  switch (below(9)) {
    case 0:  // flip a bit
      if (!data.empty()) data[at % data.size()] ^= static_cast<char>(1u << below(8));
      break;
    case 1:  // a byte parsers care about
      if (!data.empty()) data[at % data.size()] = kBytes[below(kBytes.size())];
      break;
    case 2:  // a token of JSON or HTTP
      data.insert(at, kTokens[below(kTokens.size())]);
      break;
    case 3: {  // delete a range
      const std::size_t length = std::min(data.size() - at, 1 + below(64));
      data.erase(at, length);
      break;
    }
    case 4: {  // repeat a short range many times: nesting, long headers, long numbers
      const std::size_t length = std::min(data.size() - at, 1 + below(8));
      const std::string piece = data.substr(at, length);
      const std::size_t times = 1 + below(4096);
      std::string repeated;
      repeated.reserve(piece.size() * times);
      for (std::size_t k = 0; k < times; ++k) repeated += piece;
      data.insert(at, repeated);
      break;
    }
    case 5:  // cut short
      data.resize(at);
      break;
    case 6: {  // this input's front, another's back
      const std::string& other = corpus[below(corpus.size())];
      data = data.substr(0, at) + other.substr(below(other.size() + 1));
      break;
    }
    case 7:
      if (mutate_json(data)) break;
      [[fallthrough]];
    default: {  // a digit run changed: lengths, chunk sizes, ids, limits
      const auto digit = std::find_if(data.begin() + static_cast<std::ptrdiff_t>(at), data.end(),
                                      [](char c) { return c >= '0' && c <= '9'; });
      if (digit != data.end()) data.insert(digit, static_cast<char>('0' + below(10)));
      break;
    }
  }
}

bool Mutator::mutate_json(std::string& data) {
  // Dumping nests recursively: only documents within Hangar's own bound are edited.
  if (!json_nesting_within(data, 32)) return false;
  json document = json::parse(data, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) return false;
  auto values = values_of(document);
  json& target = *values[below(values.size())];
  if (target.is_object() && below(2) == 0) {
    target[kFieldNames[below(kFieldNames.size())]] = hostile_value(below(kHostileValues));
  } else if (below(4) == 0) {
    target = *values[below(values.size())];  // a copy of another part, maybe itself
  } else {
    target = hostile_value(below(kHostileValues));
  }
  data = document.dump(-1, ' ', false, json::error_handler_t::replace);
  return true;
}

}  // namespace hangar::fuzz
