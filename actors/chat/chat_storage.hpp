#pragma once
// A chat actor's storage steps: reading its state and pending updates, and marking the update in
// hand handled (with its state) or set aside. A failed step is tried again after a doubling wait;
// it is not a crash of the chat, so it never dead-letters an update.
#include <optional>
#include <string>
#include <vector>

#include "actors/chat/chat_actor_state.hpp"

namespace hangar::actors::chat {

// Reads the chat's state (on the first load only) and the oldest pending updates after the
// window's last one; answers with ChatLoaded.
void fetch(ChatSelf* self, bool with_state);
std::vector<ChatUpdate> updates_of(const std::vector<storage::InboxUpdate>& rows);

// Marks the update in hand; answers with marked_atom, or storage_failed_atom.
void post_mark(ChatSelf* self, std::optional<std::string> state_to_save,
               std::optional<SetAside> set_aside);
// Writes the mark in hand again.
void write_mark(ChatSelf* self);

// A storage job failed (lock held too long, disk full, SQLite's heap limit): sends
// storage_retry_atom after the wait.
void retry_storage_later(ChatSelf* self);

}  // namespace hangar::actors::chat
