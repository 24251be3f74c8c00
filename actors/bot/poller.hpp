#pragma once
// The bot's poll loop: long-poll getUpdates, commit each batch to the inbox (which is what
// acknowledges it: the next offset goes out only after the commit), hand the fresh updates to
// the chats, and poll again, unless the inbox is full, which pauses polling until it drains.
#include "actors/bot/bot_state.hpp"

namespace hangar::actors::bot {

void poll(BotSelf* self);
// A getUpdates answer that was ok.
void on_updates(BotSelf* self, botapi::CallResult& result);
void on_batch_committed(BotSelf* self, BatchCommitted& batch);
void on_inbox_counted(BotSelf* self, InboxCounted counted);
void count_inbox(BotSelf* self);

}  // namespace hangar::actors::bot
