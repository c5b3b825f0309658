// The libcurl implementation of http::Client: a pool of easy handles (each
// keeps its own connections alive) sharing DNS and TLS sessions, retries with
// backoff, and failures put in words that name the host.
#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <random>
#include <system_error>
#include <thread>

#include <fmt/format.h>

#include "runtime/http/client.h"
#include "runtime/http/curl_target.h"

namespace kstate::runtime::http {
namespace {

using Clock = std::chrono::steady_clock;
using OnData = std::function<bool(std::string_view)>;

constexpr std::chrono::milliseconds kConnectTimeout{15000};
constexpr size_t kMaxIdleHandles = 16;

// Whether a failed transfer may be retried, and for which requests.
enum class Failure { kNone, kBeforeSend, kMaybeSent, kFinal };

// Answers larger than this are refused: the largest real ones (a LIST of
// many pods) are tens of megabytes, and an answer is held in memory whole.
constexpr size_t kMaxBody = size_t{256} << 20;

struct Transfer {
  Response* response = nullptr;
  bool too_large = false;  // the body passed kMaxBody (after decompression)
  const OnData* on_data = nullptr;
  long status = 0;  // from the last status line seen
  bool delivered = false;
  bool stopped = false;
  long http_version = 0;  // CURL_HTTP_VERSION_*, for the log
};

const char* VersionName(long version) {
  switch (version) {
    case CURL_HTTP_VERSION_1_0: return "HTTP/1.0";
    case CURL_HTTP_VERSION_1_1: return "HTTP/1.1";
    case CURL_HTTP_VERSION_2_0: return "HTTP/2";
    case CURL_HTTP_VERSION_3: return "HTTP/3";
    default: return "HTTP";
  }
}

size_t OnHeader(char* buffer, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  std::string_view line(buffer, size * count);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.starts_with("HTTP/")) {
    // A new response (after 100 Continue or a proxy's CONNECT): start over.
    transfer->response->headers.clear();
    size_t space = line.find(' ');
    transfer->status = space == std::string_view::npos ? 0 : std::atol(std::string(line.substr(space + 1, 3)).c_str());
    return size * count;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return size * count;
  std::string name(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  transfer->response->headers.push_back({std::move(name), std::string(value)});
  return size * count;
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  std::string_view chunk(data, size * count);
  if (transfer->on_data != nullptr && transfer->status >= 200 && transfer->status < 300) {
    transfer->delivered = true;
    if (!(*transfer->on_data)(chunk)) {
      transfer->stopped = true;
      return 0;  // aborts the transfer with CURLE_WRITE_ERROR
    }
    return chunk.size();
  }
  if (transfer->response->body.size() + chunk.size() > kMaxBody) {
    transfer->too_large = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  transfer->response->body.append(chunk);
  return chunk.size();
}

Failure Classify(CURLcode code, CURL* handle) {
  switch (code) {
    case CURLE_OK: return Failure::kNone;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT: return Failure::kBeforeSend;
    case CURLE_OPERATION_TIMEDOUT: {
      // A connect timeout may be retried; a whole-request timeout has spent its budget.
      curl_off_t connected = 0;
      curl_easy_getinfo(handle, CURLINFO_CONNECT_TIME_T, &connected);
      return connected == 0 ? Failure::kBeforeSend : Failure::kFinal;
    }
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM: return Failure::kMaybeSent;
    default: return Failure::kFinal;
  }
}

std::string Describe(CURLcode code, CURL* handle, const Target& target, const TlsOptions& tls, const char* errbuf,
                     const Request& request) {
  std::string detail = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(code);
  const std::string& where = target.host_port;
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST: return fmt::format("cannot resolve host {}: {}", target.host, detail);
    case CURLE_FILESIZE_EXCEEDED: return fmt::format("the answer of {} is larger than 256 MiB; it was not read", where);
    case CURLE_COULDNT_RESOLVE_PROXY: return "cannot resolve the proxy's host: " + detail;
    case CURLE_COULDNT_CONNECT: {
      long os_errno = 0;
      curl_easy_getinfo(handle, CURLINFO_OS_ERRNO, &os_errno);
      if (os_errno != 0) detail = std::system_category().message(static_cast<int>(os_errno));
      return fmt::format("cannot connect to {}: {}", where, detail);
    }
    case CURLE_OPERATION_TIMEDOUT:
      if (Classify(code, handle) == Failure::kBeforeSend) return fmt::format("cannot connect to {}: timed out", where);
      return fmt::format("request to {} timed out after {} ms", where, request.timeout.count());
    case CURLE_PEER_FAILED_VERIFICATION:
      return fmt::format("cannot verify the TLS certificate of {}{}: {}", where,
                         tls.server_name.empty() ? "" : " as `" + tls.server_name + "`", detail);
    case CURLE_SSL_CONNECT_ERROR: return fmt::format("TLS handshake with {} failed: {}", where, detail);
    case CURLE_SSL_CERTPROBLEM: return "the client certificate or key cannot be used: " + detail;
    case CURLE_SSL_CACERT_BADFILE: return "cannot load the CA certificates: " + detail;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING: return fmt::format("connection to {} failed: {}", where, detail);
    default: return fmt::format("request to {} failed: {}", where, detail);
  }
}

void SetTlsOptions(CURL* handle, const TlsOptions& tls) {
  if (!tls.ca_pem.empty()) {
    curl_blob blob{const_cast<char*>(tls.ca_pem.data()), tls.ca_pem.size(), CURL_BLOB_COPY};
    curl_easy_setopt(handle, CURLOPT_CAINFO_BLOB, &blob);
    curl_easy_setopt(handle, CURLOPT_CAPATH, nullptr);  // the given CA only, as kubectl
  } else if (!tls.ca_file.empty()) {
    curl_easy_setopt(handle, CURLOPT_CAINFO, tls.ca_file.c_str());
    curl_easy_setopt(handle, CURLOPT_CAPATH, nullptr);
  }
  if (!tls.client_cert_pem.empty()) {
    curl_blob cert{const_cast<char*>(tls.client_cert_pem.data()), tls.client_cert_pem.size(), CURL_BLOB_COPY};
    curl_easy_setopt(handle, CURLOPT_SSLCERT_BLOB, &cert);
    curl_easy_setopt(handle, CURLOPT_SSLCERTTYPE, "PEM");
  }
  if (!tls.client_key_pem.empty()) {
    curl_blob key{const_cast<char*>(tls.client_key_pem.data()), tls.client_key_pem.size(), CURL_BLOB_COPY};
    curl_easy_setopt(handle, CURLOPT_SSLKEY_BLOB, &key);
    curl_easy_setopt(handle, CURLOPT_SSLKEYTYPE, "PEM");
  }
  if (tls.insecure_skip_verify) {
    curl_easy_setopt(handle, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(handle, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (!tls.proxy_url.empty()) curl_easy_setopt(handle, CURLOPT_PROXY, tls.proxy_url.c_str());
}

void SetMethod(CURL* handle, const Request& request) {
  if (request.method == "GET") {
    curl_easy_setopt(handle, CURLOPT_HTTPGET, 1L);
    return;
  }
  if (request.method == "HEAD") {
    curl_easy_setopt(handle, CURLOPT_NOBODY, 1L);
    return;
  }
  curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT" || request.method == "PATCH") {
    curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(handle, CURLOPT_POSTFIELDS, request.body.data());
  }
}

class CurlClient : public Client {
 public:
  CurlClient(TlsOptions tls, RetryPolicy retry, Logger logger)
      : tls_(std::move(tls)), retry_(retry), logger_(std::move(logger)), random_(std::random_device{}()) {
    share_ = curl_share_init();
    // Connections are not shared: libcurl does not support sharing them between
    // threads. Each pooled easy handle keeps its own instead.
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    curl_share_setopt(share_, CURLSHOPT_LOCKFUNC, &CurlClient::Lock);
    curl_share_setopt(share_, CURLSHOPT_UNLOCKFUNC, &CurlClient::Unlock);
    curl_share_setopt(share_, CURLSHOPT_USERDATA, this);
  }
  ~CurlClient() override {
    for (CURL* handle : idle_) curl_easy_cleanup(handle);
    curl_share_cleanup(share_);
  }
  CurlClient(const CurlClient&) = delete;
  CurlClient& operator=(const CurlClient&) = delete;

  Response Send(const Request& request) override { return Run(request, nullptr); }
  Response Stream(const Request& request, const OnData& on_data) override { return Run(request, &on_data); }

 private:
  static void Lock(CURL*, curl_lock_data data, curl_lock_access, void* user) {
    static_cast<CurlClient*>(user)->locks_[data % kLockCount].lock();
  }
  static void Unlock(CURL*, curl_lock_data data, void* user) {
    static_cast<CurlClient*>(user)->locks_[data % kLockCount].unlock();
  }

  CURL* Acquire() {
    {
      std::lock_guard lock(pool_mutex_);
      if (!idle_.empty()) {
        CURL* handle = idle_.back();
        idle_.pop_back();
        return handle;
      }
    }
    return curl_easy_init();
  }
  void Release(CURL* handle) {
    std::lock_guard lock(pool_mutex_);
    if (idle_.size() < kMaxIdleHandles) {
      idle_.push_back(handle);
      return;
    }
    curl_easy_cleanup(handle);
  }

  double Random01() {
    std::lock_guard lock(random_mutex_);
    return std::uniform_real_distribution<double>(0.0, 1.0)(random_);
  }

  void Log(const std::string& line) const {
    if (logger_) logger_(line);
  }

  Response Run(const Request& request, const OnData* on_data);
  Response Attempt(const Request& request, const Target& target, const OnData* on_data, Transfer& transfer,
                   Failure& failure);

  static constexpr int kLockCount = CURL_LOCK_DATA_LAST;
  TlsOptions tls_;
  RetryPolicy retry_;
  Logger logger_;
  CURLSH* share_ = nullptr;
  std::mutex locks_[kLockCount];
  std::mutex pool_mutex_;
  std::vector<CURL*> idle_;
  std::mutex random_mutex_;
  std::mt19937_64 random_;
};

Response CurlClient::Attempt(const Request& request, const Target& target, const OnData* on_data, Transfer& transfer,
                             Failure& failure) {
  Response response;
  transfer.response = &response;
  transfer.on_data = on_data;
  CURL* handle = Acquire();
  curl_easy_reset(handle);  // keeps the handle's live connections
  char errbuf[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(handle, CURLOPT_SHARE, share_);
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(handle, CURLOPT_URL, target.url.c_str());
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(handle, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(handle, CURLOPT_ACCEPT_ENCODING, "");
  auto connect_timeout = kConnectTimeout;
  if (request.timeout.count() > 0) connect_timeout = std::min(connect_timeout, request.timeout);
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(connect_timeout.count()));
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  SetMethod(handle, request);
  SetTlsOptions(handle, tls_);
  curl_slist* connect_to = nullptr;
  if (!target.connect_to.empty()) {
    connect_to = curl_slist_append(connect_to, target.connect_to.c_str());
    curl_easy_setopt(handle, CURLOPT_CONNECT_TO, connect_to);
  }
  curl_slist* headers = curl_slist_append(nullptr, "Expect:");
  if (!target.host_header.empty()) headers = curl_slist_append(headers, ("Host: " + target.host_header).c_str());
  for (const Header& header : request.headers) {
    std::string line = header.value.empty() ? header.name + ";" : header.name + ": " + header.value;
    headers = curl_slist_append(headers, line.c_str());
  }
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(handle, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(handle, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(kMaxBody));

  CURLcode code = curl_easy_perform(handle);
  if (code == CURLE_WRITE_ERROR && transfer.stopped) code = CURLE_OK;
  failure = Classify(code, handle);
  if (code == CURLE_OK) {
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &response.status);
    curl_easy_getinfo(handle, CURLINFO_HTTP_VERSION, &transfer.http_version);
  } else if (code == CURLE_WRITE_ERROR && transfer.too_large) {
    response.body.clear();
    response.error = fmt::format("the answer of {} is larger than 256 MiB (decompressed); it was not read",
                                 target.host_port);
  } else {
    response.error = Describe(code, handle, target, tls_, errbuf, request);
  }
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, nullptr);
  curl_slist_free_all(headers);
  curl_slist_free_all(connect_to);
  // A handle whose transfer was cut short may hold a half-read connection; curl closes it itself.
  Release(handle);
  return response;
}

bool RetryableStatus(long status, bool idempotent) {
  if (status == 429 || status == 503) return true;  // the server did not act on the request
  return idempotent && (status == 500 || status == 502 || status == 504);
}

Response CurlClient::Run(const Request& request, const OnData* on_data) {
  Target target = ResolveTarget(request.url, tls_.server_name);
  if (!target.error.empty()) {
    Response invalid;
    invalid.error = target.error;
    return invalid;
  }
  const bool idempotent = IsIdempotent(request);
  const int max_attempts = std::max(1, retry_.max_attempts);
  for (int attempt = 1;; ++attempt) {
    if (logger_) {
      Log(fmt::format("http: {} {} (attempt {}/{})", request.method, target.log_url, attempt, max_attempts));
      for (const Header& header : request.headers) Log("http:   > " + RedactedHeaderLine(header));
      if (!request.body.empty()) Log(fmt::format("http:   > body: {} bytes", request.body.size()));
    }
    auto start = Clock::now();
    Transfer transfer;
    Failure failure = Failure::kNone;
    Response response = Attempt(request, target, on_data, transfer, failure);
    response.attempts = attempt;
    auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
    if (logger_) {
      if (response.status != 0) {
        Log(fmt::format("http: {} {} -> {} in {} ms ({})", request.method, target.log_url, response.status, elapsed,
                        VersionName(transfer.http_version)));
        for (const Header& header : response.headers) Log("http:   < " + RedactedHeaderLine(header));
        Log(fmt::format("http:   < body: {} bytes", response.body.size()));
      } else {
        Log(fmt::format("http: {} {} -> failed in {} ms: {}", request.method, target.log_url, elapsed, response.error));
      }
    }
    bool retry = false;
    if (!transfer.delivered) {
      if (failure == Failure::kBeforeSend) retry = true;
      if (failure == Failure::kMaybeSent) retry = idempotent;
      if (failure == Failure::kNone) retry = RetryableStatus(response.status, idempotent);
    }
    if (!retry || attempt >= max_attempts) {
      if (response.status == 0 && attempt > 1) response.error += fmt::format(" (after {} attempts)", attempt);
      return response;
    }
    auto delay = RetryAfterDelay(response, retry_.cap);
    if (delay.count() < 0) delay = BackoffDelay(retry_, attempt, Random01());
    if (logger_) Log(fmt::format("http: retrying in {} ms", delay.count()));
    std::this_thread::sleep_for(delay);
  }
}

}  // namespace

std::unique_ptr<Client> MakeCurlClient(TlsOptions tls, RetryPolicy retry, Logger logger) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  return std::make_unique<CurlClient>(std::move(tls), retry, std::move(logger));
}

}  // namespace kstate::runtime::http
