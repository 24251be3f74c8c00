#include "platform/botapi/tls_context.hpp"

#include <stdexcept>

namespace hangar::botapi {

namespace ssl = boost::asio::ssl;

std::shared_ptr<ssl::context> make_client_tls_context(const std::optional<std::string>& ca_file) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  context->set_verify_mode(ssl::verify_peer);
  // An idle keep-alive connection then holds no read/write buffers (about 34 KB each), which
  // is most of what a TLS connection costs while a bot waits.
  SSL_CTX_set_mode(context->native_handle(), SSL_MODE_RELEASE_BUFFERS);
  boost::system::error_code ec;
  // A missing system store is not fatal by itself: a --ca-file may be all that is needed.
  context->set_default_verify_paths(ec);
  if (ca_file) {
    context->load_verify_file(*ca_file, ec);
    if (ec) throw std::runtime_error("cannot load CA file " + *ca_file + ": " + ec.message());
  }
  return context;
}

}  // namespace hangar::botapi
