#pragma once
// Every documented bound of Hangar (the README's "Bounds"), said once: the modules that enforce
// one and the Settings that carry the adjustable ones both take their value from here.
#include <cstddef>
#include <cstdint>

namespace hangar::bounds {

constexpr std::size_t inbox_updates_per_bot = 10000;   // polling pauses while the inbox is full
constexpr std::size_t response_body_bytes = 8u << 20;  // a Bot API response body
constexpr std::size_t events_per_bot = 10000;          // newest events kept (--events-per-bot)
constexpr std::size_t dead_letters_per_bot = 1000;     // newest dead letters kept
constexpr std::size_t queued_calls_per_bot = 10000;    // calls waiting for the session's connection
// Calls a bot's outbox holds (waiting for a flood window, in flight or waiting to retry); past
// it the bot's chats take no further update until calls finish.
constexpr std::size_t open_calls_per_bot = 1000;
constexpr std::size_t updates_held_per_chat = 32;  // in a chat actor; the rest in the inbox
constexpr std::size_t storage_jobs_per_transaction = 1024;
constexpr std::uint64_t sqlite_heap_bytes = 64ull << 20;  // SQLite's own heap, which no meter sees
constexpr unsigned updates_per_poll = 100;                // getUpdates limit
// Arrays and objects inside one another in a JSON text from the network (a Bot API answer, a
// request to the simulator). Telegram's deepest updates (a reply to a message with an inline
// keyboard) nest about 10 deep.
constexpr std::size_t json_nesting_depth = 64;
// A Bot API retry_after is read as at most this; the retry_after_max timing may cut it further.
constexpr int retry_after_seconds = 3600;

}  // namespace hangar::bounds
