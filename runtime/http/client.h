// The runtime's one HTTP client interface: plain request/response structs, a
// libcurl implementation (TLS, HTTP/2, retries, connection reuse) and a fake.
// No function here throws: transport failures come back in `Response::error`.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace kstate::runtime::http {

// One header; response header names are lower-cased.
struct Header {
  std::string name, value;
};

// An HTTP request to an absolute URL.
struct Request {
  std::string method = "GET";
  std::string url;
  std::vector<Header> headers;
  std::string body;
  // The whole request, each attempt; 0 means no limit (watch streams).
  std::chrono::milliseconds timeout{30000};
};

// What came back: a status, or `status == 0` and `error` in words.
struct Response {
  long status = 0;
  std::vector<Header> headers;  // names lower-cased
  std::string body;
  std::string error;  // e.g. "cannot connect to 10.0.0.1:6443: Connection refused"
  int attempts = 1;

  // The first header named `header_name` (any case), or null.
  const std::string* Find(std::string_view header_name) const;
};

// How to reach the server: trust, client identity, proxy.
struct TlsOptions {
  std::string ca_pem;   // a CA bundle as PEM text (certificate-authority-data) ...
  std::string ca_file;  // ... or a file; both empty: the system store
  std::string client_cert_pem, client_key_pem;  // PEM text
  bool insecure_skip_verify = false;
  // tls-server-name: the name sent as SNI and verified, while connecting to
  // the URL's host. See curl_client.cpp for how (CURLOPT_CONNECT_TO).
  std::string server_name;
  std::string proxy_url;  // http, https or socks5 proxy; empty: the *_proxy variables
};

// Retries with exponential backoff and full jitter: attempt n waits a random
// time in [0, min(cap, base * 2^(n-1))]; a Retry-After of 429/503 is honoured up to `cap`.
struct RetryPolicy {
  int max_attempts = 5;
  std::chrono::milliseconds base{200};
  std::chrono::milliseconds cap{5000};
};

// Receives debug lines (method, URL, status, timing, attempt, headers with
// credentials redacted, body sizes); never bodies, never credentials.
using Logger = std::function<void(std::string_view line)>;

// The interface higher layers use, so that they can be tested with a fake.
// Implementations are safe to use from several threads at once.
class Client {
 public:
  virtual ~Client() = default;
  // Sends `request`, retrying as the client's policy says.
  virtual Response Send(const Request& request) = 0;
  // For watches: delivers a 2xx body to `on_data` as it arrives; stops when
  // on_data returns false, the stream ends or times out. A non-2xx body is
  // returned in Response::body instead.
  virtual Response Stream(const Request& request, const std::function<bool(std::string_view)>& on_data) = 0;
};

// The libcurl client. Thread-safe; keeps connections alive between requests.
std::unique_ptr<Client> MakeCurlClient(TlsOptions tls, RetryPolicy retry = {}, Logger logger = nullptr);

// Whether `request` may be sent twice with the same effect (GET, HEAD, PUT,
// DELETE, OPTIONS, and PATCH with an apply-patch content type).
bool IsIdempotent(const Request& request);

// The wait before attempt `attempt + 1` (attempt >= 1), `random01` in [0, 1).
std::chrono::milliseconds BackoffDelay(const RetryPolicy& policy, int attempt, double random01);

// A Retry-After header's delay in seconds, capped; -1 when it is absent or not
// a number of seconds (HTTP dates are not honoured: backoff applies).
std::chrono::milliseconds RetryAfterDelay(const Response& response, std::chrono::milliseconds cap);

// The same text with the values of credential headers replaced.
std::string RedactedHeaderLine(const Header& header);

}  // namespace kstate::runtime::http
