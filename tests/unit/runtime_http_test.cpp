// The HTTP layer: the libcurl client against a local Python HTTPS server
// (tests/runtime/https_server.py) for TLS, retries, timeouts, streaming,
// connection reuse, threads and redaction; the retry arithmetic; FakeClient.
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>

#include <atomic>
#include <thread>

#include <catch2/catch.hpp>

#include "runtime/api/api_client.h"
#include "runtime/http/client.h"
#include "runtime/http/fake_client.h"
#include "tests/runtime/test_support.h"

extern char** environ;

namespace {

using namespace kstate::runtime::http;
using kstate::testing::ReadFile;
using kstate::testing::TempDir;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

int Spawn(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawnp(&pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0) return -1;
  return pid;
}

bool ToolsAvailable() {
  static const bool available = access(KSTATE_TEST_PYTHON3, X_OK) == 0 && kstate::testing::OnPath("openssl");
  return available;
}

#define SKIP_WITHOUT_TOOLS()                                                       \
  if (!ToolsAvailable()) {                                                         \
    WARN("skipped: python3 (" KSTATE_TEST_PYTHON3 ") or openssl is not available"); \
    return;                                                                        \
  }

// The test certificates, made once per process.
const std::string& Certs() {
  static TempDir dir;
  static const bool made = [] {
    int pid = Spawn({KSTATE_TEST_PYTHON3, KSTATE_TEST_HTTPS_SERVER, "certs", dir.path()});
    int status = -1;
    if (pid > 0) waitpid(pid, &status, 0);
    return status == 0;
  }();
  REQUIRE(made);
  return dir.path();
}

std::string Cert(const std::string& name) { return Certs() + "/" + name; }

// One server process, killed when the test ends: https_server.py, or with
// `node`, h2_server.js.
class Server {
 public:
  explicit Server(const std::string& cert, bool require_client_cert = false, bool node = false) {
    std::vector<std::string> args = {KSTATE_TEST_PYTHON3, KSTATE_TEST_HTTPS_SERVER, "serve", "--cert", Cert(cert + ".pem"),
                                     "--key", Cert(cert + ".key"), "--port-file", dir_ / "port"};
    if (node) args = {"node", KSTATE_TEST_H2_SERVER, Cert(cert + ".pem"), Cert(cert + ".key"), dir_ / "port"};
    if (require_client_cert) {
      args.push_back("--client-ca");
      args.push_back(Cert("ca.pem"));
    }
    pid_ = Spawn(args);
    REQUIRE(pid_ > 0);
    for (int i = 0; i < 300 && port_.empty(); ++i) {
      std::this_thread::sleep_for(milliseconds(50));
      port_ = ReadFile(dir_ / "port");
    }
    REQUIRE(!port_.empty());
  }
  ~Server() {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  std::string Url(const std::string& path) const { return "https://127.0.0.1:" + port_ + path; }
  const std::string& port() const { return port_; }

 private:
  TempDir dir_;
  int pid_ = -1;
  std::string port_;
};

TlsOptions TrustingTestCa() {
  TlsOptions tls;
  tls.ca_pem = ReadFile(Cert("ca.pem"));
  return tls;
}

Request Get(const std::string& url) {
  Request request;
  request.url = url;
  return request;
}

long long MillisSince(Clock::time_point start) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - start).count();
}

const RetryPolicy kFast{5, milliseconds(5), milliseconds(50)};

}  // namespace

TEST_CASE("runtime/http: TLS verified with a CA from PEM text and from a file", "[runtime]") {
  SKIP_WITHOUT_TOOLS();
  Server server("server");
  Response from_pem = MakeCurlClient(TrustingTestCa())->Send(Get(server.Url("/ok")));
  CHECK(from_pem.error == "");
  CHECK(from_pem.status == 200);
  CHECK(from_pem.body == "ok");
  CHECK(from_pem.attempts == 1);
  TlsOptions file;
  file.ca_file = Cert("ca.pem");
  Response from_file = MakeCurlClient(file)->Send(Get(server.Url("/ok")));
  CHECK(from_file.status == 200);
  CHECK(from_file.Find("Content-Length") != nullptr);
}

TEST_CASE("runtime/http: a wrong CA fails with a clear error, insecure works", "[runtime]") {
  SKIP_WITHOUT_TOOLS();
  Server server("server");
  TlsOptions wrong;
  wrong.ca_pem = ReadFile(Cert("other-ca.pem"));
  Response refused = MakeCurlClient(wrong, kFast)->Send(Get(server.Url("/ok")));
  CHECK(refused.status == 0);
  CHECK(refused.attempts == 1);
  CHECK_THAT(refused.error, Catch::Contains("cannot verify the TLS certificate of 127.0.0.1:" + server.port()));
  TlsOptions insecure;
  insecure.insecure_skip_verify = true;
  CHECK(MakeCurlClient(insecure)->Send(Get(server.Url("/ok"))).status == 200);
}

TEST_CASE("runtime/http: tls-server-name verifies a name while connecting to an address", "[runtime]") {
  SKIP_WITHOUT_TOOLS();
  Server server("kube-test");  // a certificate for kube.test only
  Response plain = MakeCurlClient(TrustingTestCa(), kFast)->Send(Get(server.Url("/ok")));
  CHECK(plain.status == 0);
  CHECK_THAT(plain.error, Catch::Contains("cannot verify the TLS certificate of 127.0.0.1:" + server.port()));
  TlsOptions named = TrustingTestCa();
  named.server_name = "kube.test";
  auto client = MakeCurlClient(named);
  Response echo = client->Send(Get(server.Url("/echo")));
  REQUIRE(echo.status == 200);
  // The Host header keeps the address the kubeconfig gave, as Go's client does.
  CHECK_THAT(echo.body, Catch::Contains("\"host\": \"127.0.0.1:" + server.port() + "\""));
  named.ca_pem = ReadFile(Cert("other-ca.pem"));
  Response untrusted = MakeCurlClient(named, kFast)->Send(Get(server.Url("/ok")));
  CHECK_THAT(untrusted.error, Catch::Contains("127.0.0.1:" + server.port() + " as `kube.test`"));
}

TEST_CASE("runtime/http: the client certificate is presented from memory", "[runtime]") {
  SKIP_WITHOUT_TOOLS();
  Server server("server", /*require_client_cert=*/true);
  TlsOptions tls = TrustingTestCa();
  tls.client_cert_pem = ReadFile(Cert("client.pem"));
  tls.client_key_pem = ReadFile(Cert("client.key"));
  Response who = MakeCurlClient(tls)->Send(Get(server.Url("/whoami")));
  CHECK(who.error == "");
  CHECK(who.body == "kstate-test-user");
  Response anonymous = MakeCurlClient(TrustingTestCa(), {2, milliseconds(1), milliseconds(5)})->Send(Get(server.Url("/whoami")));
  CHECK(anonymous.status == 0);
  CHECK(anonymous.error != "");
}

TEST_CASE("runtime/http: 5xx are retried with backoff", "[runtime]") {
  SKIP_WITHOUT_TOOLS();
  Server server("server");
  auto client = MakeCurlClient(TrustingTestCa(), kFast);
  Response flaky = client->Send(Get(server.Url("/flaky?key=a&fail=2&status=503")));
  CHECK(flaky.status == 200);
  CHECK(flaky.body == "ok after 2");
  CHECK(flaky.attempts == 3);
  // A POST that met a 500 may have been acted on: returned as it is.
  Request post = Get(server.Url("/flaky?key=b&fail=1&status=500"));
  post.method = "POST";
  post.body = "{}";
  Response once = client->Send(post);
  CHECK(once.status == 500);
  CHECK(once.attempts == 1);
  // Server-side apply is idempotent, so it is retried.
  Request apply = Get(server.Url("/flaky?key=c&fail=1&status=502"));
  apply.method = "PATCH";
  apply.headers.push_back({"Content-Type", "application/apply-patch+yaml"});
  apply.body = "kind: ConfigMap";
  Response applied = client->Send(apply);
  CHECK(applied.status == 200);
  CHECK(applied.attempts == 2);
  // Retries stop at max_attempts.
  Response exhausted = client->Send(Get(server.Url("/flaky?key=d&fail=99&status=504")));
  CHECK(exhausted.status == 504);
  CHECK(exhausted.attempts == 5);
}

TEST_CASE("runtime/http: 429 honours Retry-After, capped", "[runtime]") {
  SKIP_WITHOUT_TOOLS();
  Server server("server");
  auto start = Clock::now();
  Response honoured = MakeCurlClient(TrustingTestCa(), {3, milliseconds(5), milliseconds(5000)})
                          ->Send(Get(server.Url("/flaky?key=a&fail=1&status=429&retry_after=1")));
  CHECK(honoured.status == 200);
  CHECK(honoured.attempts == 2);
  CHECK(MillisSince(start) >= 950);
  start = Clock::now();
  Response capped = MakeCurlClient(TrustingTestCa(), {3, milliseconds(5), milliseconds(100)})
                        ->Send(Get(server.Url("/flaky?key=b&fail=1&status=429&retry_after=60")));
  CHECK(capped.status == 200);
  CHECK(MillisSince(start) < 3000);
}

TEST_CASE("runtime/http: 4xx other than 429 return at once", "[runtime]") {
  SKIP_WITHOUT_TOOLS();
  Server server("server");
  auto client = MakeCurlClient(TrustingTestCa(), kFast);
  for (int code : {401, 403, 404, 409, 422}) {
    Response response = client->Send(Get(server.Url("/status?code=" + std::to_string(code))));
    CHECK(response.status == code);
    CHECK(response.attempts == 1);
  }
}

TEST_CASE("runtime/http: an answer over 256 MiB is refused, announced or decompressed", "[runtime]") {
  SKIP_WITHOUT_TOOLS();
  Server server("server");
  auto client = MakeCurlClient(TrustingTestCa(), kFast);
  Response announced = client->Send(Get(server.Url("/huge")));
  CHECK_THAT(announced.error, Catch::Contains("is larger than 256 MiB"));
  Response inflated = client->Send(Get(server.Url("/bomb")));
  CHECK_THAT(inflated.error, Catch::Contains("is larger than 256 MiB (decompressed)"));
  CHECK(inflated.body.empty());
}

TEST_CASE("runtime/http: connection refused is retried, then fails clearly", "[runtime]") {
  int probe = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  REQUIRE(bind(probe, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  getsockname(probe, reinterpret_cast<sockaddr*>(&address), &length);
  close(probe);  // nothing listens there now
  std::string port = std::to_string(ntohs(address.sin_port));
  Request request = Get("https://127.0.0.1:" + port + "/ok");
  request.method = "POST";  // never reached the server, so even a POST is retried
  Response response = MakeCurlClient({}, {3, milliseconds(5), milliseconds(20)})->Send(request);
  CHECK(response.status == 0);
  CHECK(response.attempts == 3);
  CHECK(response.error == "cannot connect to 127.0.0.1:" + port + ": Connection refused (after 3 attempts)");
}

TEST_CASE("runtime/http: a request that takes too long times out", "[runtime]") {
  SKIP_WITHOUT_TOOLS();
  Server server("server");
  Request slow = Get(server.Url("/slow?ms=3000"));
  slow.timeout = milliseconds(400);
  auto start = Clock::now();
  Response response = MakeCurlClient(TrustingTestCa(), kFast)->Send(slow);
  CHECK(response.status == 0);
  CHECK(response.attempts == 1);
  CHECK(response.error == "request to 127.0.0.1:" + server.port() + " timed out after 400 ms");
  CHECK(MillisSince(start) < 2500);
}

TEST_CASE("runtime/http: streaming delivers chunks as they arrive and stops on request", "[runtime]") {
  SKIP_WITHOUT_TOOLS();
  Server server("server");
  auto client = MakeCurlClient(TrustingTestCa());
  Request watch = Get(server.Url("/stream?n=5&delay_ms=150"));
  watch.timeout = milliseconds(0);
  std::string received;
  std::vector<Clock::time_point> arrivals;
  Response whole = client->Stream(watch, [&](std::string_view chunk) {
    received.append(chunk);
    arrivals.push_back(Clock::now());
    return true;
  });
  CHECK(whole.status == 200);
  CHECK(received == "line 0\nline 1\nline 2\nline 3\nline 4\n");
  CHECK(whole.body.empty());
  REQUIRE(arrivals.size() >= 3);
  CHECK(std::chrono::duration_cast<milliseconds>(arrivals.back() - arrivals.front()).count() >= 400);

  Request endless = Get(server.Url("/stream?n=100000&delay_ms=20"));
  endless.timeout = milliseconds(0);
  int calls = 0;
  auto start = Clock::now();
  Response stopped = client->Stream(endless, [&](std::string_view) { return ++calls < 3; });
  CHECK(stopped.status == 200);
  CHECK(stopped.error == "");
  CHECK(calls == 3);
  CHECK(MillisSince(start) < 3000);

  // An error status is not streamed: its body comes back whole.
  Response missing = client->Stream(Get(server.Url("/status?code=404")), [&](std::string_view) { return true; });
  CHECK(missing.status == 404);
  CHECK(missing.body == "status 404");
}

TEST_CASE("runtime/http: HTTP/2 is used when the server offers it", "[runtime]") {
  SKIP_WITHOUT_TOOLS();
  if (!kstate::testing::OnPath("node")) {
    WARN("skipped: node (for an HTTP/2 test server) is not available");
    return;
  }
  Server server("server", false, /*node=*/true);
  std::vector<std::string> lines;
  auto client = MakeCurlClient(TrustingTestCa(), {}, [&](std::string_view line) { lines.emplace_back(line); });
  Request put = Get(server.Url("/echo"));
  put.method = "PUT";
  put.body = "12345";
  for (int i = 0; i < 3; ++i) CHECK(client->Send(put).body == "2.0 PUT 5");
  std::string streamed;
  Request watch = Get(server.Url("/stream"));
  watch.timeout = milliseconds(0);
  CHECK(client->Stream(watch, [&](std::string_view chunk) {
    streamed.append(chunk);
    return true;
  }).status == 200);
  CHECK(streamed == "line 0\nline 1\nline 2\n");
  std::string all;
  for (const std::string& line : lines) all += line + "\n";
  CHECK_THAT(all, Catch::Contains("-> 200 in") && Catch::Contains("(HTTP/2)"));
}

TEST_CASE("runtime/http: sequential requests reuse one connection", "[runtime]") {
  SKIP_WITHOUT_TOOLS();
  Server server("server");
  auto client = MakeCurlClient(TrustingTestCa());
  for (int i = 0; i < 5; ++i) REQUIRE(client->Send(Get(server.Url("/ok"))).status == 200);
  CHECK(client->Send(Get(server.Url("/connections"))).body == "1");
}

TEST_CASE("runtime/http: one client used from four threads at once", "[runtime]") {
  SKIP_WITHOUT_TOOLS();
  Server server("server");
  auto client = MakeCurlClient(TrustingTestCa());
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) ok += client->Send(Get(server.Url("/ok"))).status == 200 ? 1 : 0;
    });
  }
  for (std::thread& thread : threads) thread.join();
  CHECK(ok == 40);
  CHECK(std::stoi(client->Send(Get(server.Url("/connections"))).body) <= 4);
}

TEST_CASE("runtime/http: the logger never shows credentials or bodies", "[runtime]") {
  SKIP_WITHOUT_TOOLS();
  Server server("server");
  std::vector<std::string> lines;
  std::mutex mutex;
  auto client = MakeCurlClient(TrustingTestCa(), kFast, [&](std::string_view line) {
    std::lock_guard lock(mutex);
    lines.emplace_back(line);
  });
  Request request = Get(server.Url("/flaky?key=a&fail=1&status=503"));
  request.method = "PUT";
  request.headers = {{"Authorization", "Bearer sekrit-token-123"}, {"Content-Type", "application/json"}};
  request.body = R"({"data":{"password":"body-secret"}})";
  REQUIRE(client->Send(request).status == 200);
  std::string all;
  for (const std::string& line : lines) all += line + "\n";
  CHECK_THAT(all, !Catch::Contains("sekrit") && !Catch::Contains("body-secret"));
  CHECK_THAT(all, Catch::Contains("Authorization: <redacted>"));
  CHECK_THAT(all, Catch::Contains("PUT " + server.Url("/flaky?key=a&fail=1&status=503") + " (attempt 2/5)"));
  CHECK_THAT(all, Catch::Contains("-> 503 in") && Catch::Contains("-> 200 in"));
  CHECK_THAT(all, Catch::Contains("body: 35 bytes"));
  CHECK_THAT(all, Catch::Contains("(HTTP/1.1)"));  // the test server offers no HTTP/2
}

TEST_CASE("runtime/http: a URL that cannot be used is an error, not a crash", "[runtime]") {
  auto client = MakeCurlClient({});
  CHECK(client->Send(Get("not a url")).error != "");
  CHECK_THAT(client->Send(Get("ftp://example.test/x")).error, Catch::Contains("unsupported URL scheme"));
}

TEST_CASE("runtime/http: backoff, Retry-After and idempotence", "[runtime]") {
  RetryPolicy policy{5, milliseconds(200), milliseconds(5000)};
  CHECK(BackoffDelay(policy, 1, 0.0).count() == 0);
  CHECK(BackoffDelay(policy, 1, 0.999).count() == 199);
  CHECK(BackoffDelay(policy, 3, 0.5).count() == 400);    // half of 800
  CHECK(BackoffDelay(policy, 30, 0.5).count() == 2500);  // half of the cap
  Response response;
  response.headers = {{"retry-after", "3"}};
  CHECK(RetryAfterDelay(response, milliseconds(5000)).count() == 3000);
  CHECK(RetryAfterDelay(response, milliseconds(1000)).count() == 1000);
  response.headers = {{"retry-after", "Wed, 21 Oct 2015 07:28:00 GMT"}};
  CHECK(RetryAfterDelay(response, milliseconds(1000)).count() == -1);
  Request request;
  CHECK(IsIdempotent(request));
  request.method = "POST";
  CHECK_FALSE(IsIdempotent(request));
  request.method = "PATCH";
  request.headers = {{"Content-Type", "application/merge-patch+json"}};
  CHECK_FALSE(IsIdempotent(request));
  request.headers = {{"content-type", "application/apply-patch+yaml"}};
  CHECK(IsIdempotent(request));
}

TEST_CASE("runtime/http: FakeClient answers from its queue and handler, and records requests", "[runtime]") {
  FakeClient fake([](const Request& request) {
    Response response;
    response.status = 200;
    response.body = "handled " + request.url;
    return response;
  });
  Response created;
  created.status = 201;
  fake.Push(created);
  Response streamed;
  streamed.status = 200;
  fake.Push(streamed, {"a", "b", "c"});
  Request post;
  post.method = "POST";
  post.url = "https://fake/api";
  CHECK(fake.Send(post).status == 201);
  std::string seen;
  fake.Stream(Get("https://fake/watch"), [&](std::string_view chunk) {
    seen += chunk;
    return chunk != "b";
  });
  CHECK(seen == "ab");
  CHECK(fake.Send(Get("https://fake/x")).body == "handled https://fake/x");
  std::vector<Request> requests = fake.requests();
  REQUIRE(requests.size() == 3);
  CHECK(requests[0].method == "POST");
  CHECK(requests[1].url == "https://fake/watch");
  FakeClient empty;
  CHECK_THAT(empty.Send(Get("https://fake/y")).error, Catch::Contains("no response scripted for GET https://fake/y"));
}

TEST_CASE("runtime/api: a redirect is an error naming where it points, never followed", "[runtime]") {
  auto fake = std::make_shared<FakeClient>([](const Request&) {
    Response response;
    response.status = 302;
    response.headers.push_back({"location", "https://login.example.com/sso?next=%2Fapi"});
    response.body = "<html>Found</html>";
    return response;
  });
  kstate::runtime::api::ApiClient api(fake, "https://fake");
  auto r = api.GetPath("/api/v1/namespaces/default");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error.status == 302);
  CHECK_THAT(r.error.Describe(), Catch::Contains("HTTP 302 and redirects to https://login.example.com/sso?next=%2Fapi"));
  CHECK_THAT(r.error.Describe(), Catch::Contains("check `server` of the cluster in the kubeconfig"));
  CHECK(fake->requests().size() == 1);  // not followed

  auto bare = std::make_shared<FakeClient>([](const Request&) {
    Response response;
    response.status = 301;
    return response;
  });
  kstate::runtime::api::ApiClient bare_api(bare, "https://fake");
  CHECK_THAT(bare_api.GetPath("/api").error.Describe(), Catch::Contains("HTTP 301 and redirects without a Location"));
}
