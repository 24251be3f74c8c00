#pragma once
// The graceful stop, from the fleet supervisor down to every chat: take no new work, finish what
// is in hand, then end. A bot stops polling and confirms its offset to the Bot API; a chat
// finishes the update it is handling (its reply sent, its handled-mark written) and takes no
// other. serve sends it on SIGINT or SIGTERM.
#include <caf/atom.hpp>

namespace hangar::actors {

using drain_atom = caf::atom_constant<caf::atom("drain")>;

}  // namespace hangar::actors
