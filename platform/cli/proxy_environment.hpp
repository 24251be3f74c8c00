#pragma once
// serve's proxy variables, for the bots that name no proxy of their own.
#include "platform/core/settings.hpp"

namespace hangar::cli {

// Reads https_proxy / HTTPS_PROXY, http_proxy, all_proxy / ALL_PROXY and no_proxy / NO_PROXY,
// the lower-case form first, as curl does (curl reads no HTTP_PROXY in upper case, since CGI
// puts a request's Proxy header there). A proxy URL that does not parse ends the command with
// exit status 2, naming the variable and never repeating its user or password.
ProxyEnvironment read_proxy_environment();

}  // namespace hangar::cli
