#pragma once
// Which proxy, if any, a bot reaches its Bot API through: the bot's own setting, else serve's
// environment, read the way curl reads it.
#include <optional>
#include <string>
#include <string_view>

#include "platform/botapi/endpoint.hpp"
#include "platform/botapi/proxy_url.hpp"
#include "platform/core/settings.hpp"

namespace hangar::botapi {

// `own` is the bot's setting: nullopt follows `environment`, "direct" is no proxy at all, anything
// else is the bot's proxy URL, used whatever NO_PROXY says. From the environment, an https
// endpoint takes https_proxy and an http one http_proxy, either falling back to all_proxy, and
// none when no_proxy names the endpoint's host. Throws std::invalid_argument when the setting
// chosen is not a proxy URL (the CLI and serve check them first): a bot that was meant to hide
// behind a proxy must not go direct instead.
std::optional<Proxy> choose_proxy(const Endpoint& endpoint, const std::optional<std::string>& own,
                                  const ProxyEnvironment& environment);

// curl's NO_PROXY: a list of entries separated by commas or spaces. `*` matches every host; a name
// matches itself and its subdomains (a leading dot changes nothing), ignoring case; an IP address
// matches itself, and `address/bits` a whole network. IPv6 entries may be in brackets.
bool no_proxy_matches(std::string_view list, const std::string& host);

}  // namespace hangar::botapi
