// ResolveTarget: URL parsing with libcurl's URL API, and the rewrite that
// implements tls-server-name.
#include "runtime/http/curl_target.h"

#include <curl/curl.h>

#include <memory>

namespace kstate::runtime::http {
namespace {

struct UrlDeleter {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};

std::string Part(CURLU* url, CURLUPart part, unsigned flags = 0) {
  char* value = nullptr;
  if (curl_url_get(url, part, &value, flags) != CURLUE_OK || value == nullptr) return "";
  std::string text = value;
  curl_free(value);
  return text;
}

}  // namespace

Target ResolveTarget(const std::string& url, const std::string& server_name) {
  Target target;
  std::unique_ptr<CURLU, UrlDeleter> parsed(curl_url());
  if (curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    target.error = "invalid URL `" + url + "`";
    return target;
  }
  std::string scheme = Part(parsed.get(), CURLUPART_SCHEME);
  if (scheme != "https" && scheme != "http") {
    target.error = "unsupported URL scheme in `" + url + "`: use https or http";
    return target;
  }
  target.host = Part(parsed.get(), CURLUPART_HOST);
  std::string port = Part(parsed.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  std::string explicit_port = Part(parsed.get(), CURLUPART_PORT);
  target.host_port = target.host + ":" + port;
  // User information is never logged.
  curl_url_set(parsed.get(), CURLUPART_USER, nullptr, 0);
  curl_url_set(parsed.get(), CURLUPART_PASSWORD, nullptr, 0);
  target.url = Part(parsed.get(), CURLUPART_URL);
  target.log_url = target.url;
  if (!server_name.empty() && scheme == "https" && server_name != target.host) {
    if (curl_url_set(parsed.get(), CURLUPART_HOST, server_name.c_str(), 0) != CURLUE_OK) {
      target.error = "invalid tls-server-name `" + server_name + "`";
      return target;
    }
    target.url = Part(parsed.get(), CURLUPART_URL);
    target.connect_to = server_name + ":" + port + ":" + target.host + ":" + port;
    target.host_header = explicit_port.empty() ? target.host : target.host + ":" + explicit_port;
  }
  return target;
}

}  // namespace kstate::runtime::http
