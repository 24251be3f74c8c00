#include <catch2/catch.hpp>

#include "platform/core/units.hpp"

using hangar::format_duration;
using hangar::format_size;
using hangar::parse_duration;
using hangar::parse_size;
using std::chrono::milliseconds;

TEST_CASE("durations: one unit or several, largest first") {
  CHECK(parse_duration("250ms") == milliseconds(250));
  CHECK(parse_duration("2s") == milliseconds(2000));
  CHECK(parse_duration("10m") == milliseconds(600000));
  CHECK(parse_duration("1h") == milliseconds(3600000));
  CHECK(parse_duration("1h30m") == milliseconds(5400000));
  CHECK(parse_duration("1m30s") == milliseconds(90000));
  CHECK(parse_duration("1h2m3s4ms") == milliseconds(3723004));
  CHECK(parse_duration("90s") == milliseconds(90000));
  CHECK(parse_duration("0s") == milliseconds(0));
  CHECK(parse_duration("007s") == milliseconds(7000));
}

TEST_CASE("durations: everything else is refused") {
  for (const char* text : {"",      "10",   "10x",   "s",    "ms",     "1.5s", "-1s",   "+1s",
                           " 1s",   "1s ",  "1 s",   "1S",   "1sec",   "1d",   "10m10", "1h1h",
                           "30m1h", "1s1m", "5ms1s", "1h30", "1_000s", "1e3ms"}) {
    INFO("text: '" << text << "'");
    CHECK_FALSE(parse_duration(text));
  }
}

TEST_CASE("durations: overflow is refused, not wrapped") {
  CHECK(parse_duration("9223372036854775807ms") == milliseconds(INT64_MAX));
  CHECK_FALSE(parse_duration("9223372036854775808ms"));
  CHECK_FALSE(parse_duration("99999999999999999999ms"));  // past uint64 while reading digits
  CHECK(parse_duration("2562047788015h12m55s807ms") == milliseconds(INT64_MAX));
  CHECK_FALSE(parse_duration("2562047788016h"));             // past int64 once scaled
  CHECK_FALSE(parse_duration("2562047788015h12m55s808ms"));  // the sum overflows
}

TEST_CASE("durations are formatted as they are written, and read back") {
  CHECK(format_duration(milliseconds(250)) == "250ms");
  CHECK(format_duration(milliseconds(5400000)) == "1h30m");
  CHECK(format_duration(milliseconds(600000)) == "10m");
  CHECK(format_duration(milliseconds(0)) == "0s");
  CHECK(format_duration(milliseconds(3723004)) == "1h2m3s4ms");
  for (std::int64_t ms : {1, 999, 1000, 61001, 86400000, 90061001}) {
    INFO(ms);
    CHECK(parse_duration(format_duration(milliseconds(ms))) == milliseconds(ms));
  }
}

TEST_CASE("sizes: plain bytes or KiB, MiB, GiB") {
  CHECK(parse_size("0") == 0u);
  CHECK(parse_size("1500") == 1500u);
  CHECK(parse_size("1KiB") == 1024u);
  CHECK(parse_size("64MiB") == 64ull << 20);
  CHECK(parse_size("2GiB") == 2ull << 30);
  CHECK(parse_size("18446744073709551615") == UINT64_MAX);
}

TEST_CASE("sizes: everything else is refused") {
  for (const char* text : {"", "KiB", "1KB", "1kb", "1kib", "1K", "1M", "1B", "1 MiB", "1.5MiB",
                           "-1", "+1", "1MiB1KiB", "MiB1", "0x10", "1TiB"}) {
    INFO("text: '" << text << "'");
    CHECK_FALSE(parse_size(text));
  }
}

TEST_CASE("sizes: overflow is refused, not wrapped") {
  CHECK_FALSE(parse_size("18446744073709551616"));
  CHECK(parse_size("17179869183GiB"));
  CHECK_FALSE(parse_size("17179869184GiB"));
  CHECK_FALSE(parse_size("18014398509481984KiB"));
}

TEST_CASE("sizes are formatted in the largest exact unit, and read back") {
  CHECK(format_size(64ull << 20) == "64MiB");
  CHECK(format_size(1024) == "1KiB");
  CHECK(format_size(1536) == "1536");
  CHECK(format_size(3ull << 30) == "3GiB");
  CHECK(format_size(0) == "0");
  for (std::uint64_t bytes :
       std::initializer_list<std::uint64_t>{1, 1023, 1025, 1ull << 40, UINT64_MAX}) {
    INFO(bytes);
    CHECK(parse_size(format_size(bytes)) == bytes);
  }
}
