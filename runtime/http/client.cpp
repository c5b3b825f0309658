// The parts of the HTTP layer that need no network: header lookup, which
// requests may be retried, backoff arithmetic and credential redaction.
#include "runtime/http/client.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace kstate::runtime::http {
namespace {

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

const std::string* FindHeader(const std::vector<Header>& headers, std::string_view name) {
  for (const Header& header : headers) {
    if (EqualsIgnoringCase(header.name, name)) return &header.value;
  }
  return nullptr;
}

}  // namespace

const std::string* Response::Find(std::string_view header_name) const { return FindHeader(headers, header_name); }

bool IsIdempotent(const Request& request) {
  const std::string& m = request.method;
  if (m == "GET" || m == "HEAD" || m == "PUT" || m == "DELETE" || m == "OPTIONS") return true;
  if (m != "PATCH") return false;
  // Server-side apply sends the whole intent each time, so repeating it is harmless.
  const std::string* type = FindHeader(request.headers, "content-type");
  return type != nullptr && type->starts_with("application/apply-patch");
}

std::chrono::milliseconds BackoffDelay(const RetryPolicy& policy, int attempt, double random01) {
  long long ceiling = policy.base.count();
  for (int i = 1; i < attempt && ceiling < policy.cap.count(); ++i) ceiling *= 2;
  ceiling = std::min<long long>(ceiling, policy.cap.count());
  return std::chrono::milliseconds(static_cast<long long>(static_cast<double>(ceiling) * random01));
}

std::chrono::milliseconds RetryAfterDelay(const Response& response, std::chrono::milliseconds cap) {
  const std::string* value = response.Find("retry-after");
  if (value == nullptr) return std::chrono::milliseconds(-1);
  std::string_view text = *value;
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  long long seconds = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (ec != std::errc() || end != text.data() + text.size() || seconds < 0) return std::chrono::milliseconds(-1);
  if (seconds > cap.count() / 1000 + 1) return cap;
  return std::min(std::chrono::milliseconds(seconds * 1000), cap);
}

std::string RedactedHeaderLine(const Header& header) {
  static constexpr std::string_view kSecret[] = {"authorization", "proxy-authorization", "cookie", "set-cookie",
                                                 "x-auth-token"};
  for (std::string_view secret : kSecret) {
    if (EqualsIgnoringCase(header.name, secret)) return header.name + ": <redacted>";
  }
  return header.name + ": " + header.value;
}

}  // namespace kstate::runtime::http
