#pragma once
// Feeds bytes that arrived in one piece to a Beast parser as the HTTP server and the Bot API
// client read them: the header first, checked against the caps, then the body.
#include <cstddef>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>

namespace hangar::fuzz {

// Parses one message from the front of `bytes`, advancing it past what was used. False when the
// message is malformed, over a cap, or incomplete. With `eof_ends_message` (responses), the end
// of the bytes is the peer closing the connection, which ends a body without a length.
template <class Parser>
bool parse_message(Parser& parser, boost::asio::const_buffer& bytes, std::size_t body_limit,
                   bool eof_ends_message) {
  namespace bhttp = boost::beast::http;
  boost::system::error_code ec;
  parser.eager(false);
  while (!parser.is_done()) {
    if (bytes.size() == 0) {
      if (!eof_ends_message) return false;
      parser.put_eof(ec);
      return !ec && parser.is_done();
    }
    const std::size_t used = parser.put(bytes, ec);
    bytes += used;
    if (ec == bhttp::error::need_more) {
      if (used == 0) bytes += bytes.size();  // all that came is not enough
      ec = {};
      continue;
    }
    if (ec) return false;
    // Beast 1.74 loses the body_limit error of a too-large Content-Length when it parses
    // eagerly, so both readers check the declared length after the header.
    if (parser.is_header_done() && !parser.eager()) {
      if (parser.content_length().value_or(0) > body_limit) return false;
      parser.eager(true);
    }
  }
  return true;
}

}  // namespace hangar::fuzz
