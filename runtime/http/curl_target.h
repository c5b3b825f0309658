// Where a request goes: the URL libcurl is given, the real host for messages,
// and the tls-server-name mapping. Internal to the HTTP layer.
#pragma once

#include <string>

namespace kstate::runtime::http {

struct Target {
  std::string url;          // given to libcurl; its host is the TLS server name when one is set
  std::string host;         // the host actually connected to
  std::string host_port;    // "host:port", for messages
  std::string host_header;  // with a server name: the original authority, sent as Host
  std::string connect_to;   // with a server name: CURLOPT_CONNECT_TO "name:port:host:port"
  std::string log_url;      // the URL without user information
  std::string error;        // the URL is not usable
};

// libcurl has no option for "verify this name while connecting to that
// address", so with a `server_name` the URL's host becomes the server name
// (used for SNI and for verification) and CURLOPT_CONNECT_TO maps it back to
// the real host and port; the Host header keeps the original authority.
Target ResolveTarget(const std::string& url, const std::string& server_name);

}  // namespace kstate::runtime::http
