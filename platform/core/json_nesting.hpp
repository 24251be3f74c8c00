#pragma once
// How deep a JSON text nests, found by a scan of its brackets, without building anything.
// nlohmann::json parses any depth without recursion, but copying or dumping a value recurses once
// per level: a body from the network nested a million deep overflows the stack there. Every JSON
// text from the network is checked with this before it is parsed.
#include <cstddef>
#include <string_view>

namespace hangar {

// Whether `text` opens no more than `max_depth` arrays and objects inside one another. Brackets
// inside strings (escapes included) do not count. Linear in the text, constant memory.
bool json_nesting_within(std::string_view text, std::size_t max_depth);

}  // namespace hangar
