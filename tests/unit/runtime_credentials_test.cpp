// Credentials from a kubeconfig user: tokens and token files, basic auth,
// exec plugins (v1 and v1beta1: caching, expiry, environment, failures), the
// client decorator that re-runs a plugin after a 401, and the text helpers.
#include <atomic>
#include <thread>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "runtime/http/fake_client.h"
#include "runtime/kube/credentials.h"
#include "runtime/kube/credentials_exec.h"
#include "runtime/kube/kubeconfig.h"
#include "runtime/kube/kubeconfig_text.h"
#include "tests/runtime/kube_fixtures.h"

namespace {

using namespace kstate::runtime::kube;
using namespace kstate::testing;
using TimePoint = std::chrono::system_clock::time_point;

TimePoint Year(int year) {
  return *ParseRfc3339(std::to_string(year) + "-06-01T00:00:00Z");
}

// A plugin that counts its runs in $DIR/count, saves its arguments, $FOO and
// KUBERNETES_EXEC_INFO, and prints `$DIR/reply` with N replaced by the run number.
constexpr const char* kPlugin = R"(#!/bin/sh
n=$(cat "$DIR/count" 2>/dev/null || echo 0)
n=$((n + 1))
echo "$n" > "$DIR/count"
echo "$1 $2 $FOO" > "$DIR/args"
printf '%s' "$KUBERNETES_EXEC_INFO" > "$DIR/info.json"
sed "s/RUN/$n/" "$DIR/reply"
)";

struct ExecSetup {
  TempDir dir;
  std::shared_ptr<TimePoint> now = std::make_shared<TimePoint>(Year(2029));

  ExecSetup() { WriteFile(dir / "bin/plugin.sh", kPlugin, 0755); }

  void Reply(const std::string& json) { WriteFile(dir / "reply", json); }

  LoadOptions Write(const std::string& exec_body, const std::string& cluster_extra = "") {
    WriteFile(dir / "conf/config", "current-context: c\nclusters:\n- name: c\n  cluster:\n    server: https://exec.example\n"
                                   "    certificate-authority-data: " +
                                       EncodeBase64(kstate::testing::kCaPem) + "\n" + cluster_extra +
                                       "users:\n- name: u\n  user:\n    exec:\n" + exec_body +
                                       "contexts:\n- name: c\n  context: {cluster: c, user: u}\n");
    LoadOptions options = OptionsIn(dir);
    options.kubeconfig = dir / "conf/config";
    options.now = [now = now] { return *now; };
    return options;
  }

  std::string V1(const std::string& extra = "") const {
    return "      apiVersion: client.authentication.k8s.io/v1\n      command: ../bin/plugin.sh\n"
           "      args: [one, two]\n      interactiveMode: Never\n      installHint: 'install it with: brew install plugin'\n"
           "      env:\n      - {name: DIR, value: '" + dir.path() + "'}\n      - {name: FOO, value: bar}\n" + extra;
  }

  int Runs() const { return std::stoi(ReadFile(dir / "count")); }
};

constexpr const char* kTokenReply = R"({"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential",
 "status": {"token": "exec-token-RUN", "expirationTimestamp": "2030-01-01T00:00:00Z"}})";

}  // namespace

TEST_CASE("runtime/credentials: token, tokenFile re-read when it changes, basic auth", "[runtime]") {
  TempDir dir;
  Credentials token(CredentialsConfig{"u", "static", "", "", "", std::nullopt, nullptr});
  CHECK(token.Get().authorization == "Bearer static");
  CHECK_FALSE(token.Refresh());

  WriteFile(dir / "token", "one\n");
  Credentials file(CredentialsConfig{"u", "", dir / "token", "", "", std::nullopt, nullptr});
  CHECK(file.Get().authorization == "Bearer one");
  WriteFile(dir / "token", "two-two\n");
  CHECK(file.Get().authorization == "Bearer two-two");
  CHECK_FALSE(file.Refresh());  // unchanged since the last read
  std::remove((dir / "token").c_str());
  CHECK(file.Get().error == "the token file of user `u`: cannot read `" + dir / "token" + "`: No such file or directory");

  // Both: the file wins while it can be read, the token stands in otherwise.
  Credentials both(CredentialsConfig{"u", "fallback", dir / "token", "", "", std::nullopt, nullptr});
  CHECK(both.Get().authorization == "Bearer fallback");
  WriteFile(dir / "token", "from-file");
  CHECK(both.Get().authorization == "Bearer from-file");

  Credentials basic(CredentialsConfig{"u", "", "", "admin", "pa:ss", std::nullopt, nullptr});
  CHECK(basic.Get().authorization == "Basic " + EncodeBase64("admin:pa:ss"));
  CHECK_THAT(basic.Describe(), !Catch::Contains("pa:ss"));

  // Through a kubeconfig: a relative tokenFile, which must exist when loading.
  WriteFile(dir / "conf/config", "current-context: c\nclusters: [{name: c, cluster: {server: 'https://t'}}]\n"
                                 "users: [{name: u, user: {tokenFile: tok}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\n");
  LoadOptions options = OptionsIn(dir);
  options.kubeconfig = dir / "conf/config";
  CHECK_THAT(LoadError(options), Catch::Contains("tokenFile of user `u`: cannot read `" + dir / "conf/tok`"));
  WriteFile(dir / "conf/tok", "relative\n");
  CHECK(LoadClusterAccess(options).credentials->Get().authorization == "Bearer relative");
  WriteFile(dir / "conf/config", "current-context: c\nclusters: [{name: c, cluster: {server: 'https://t'}}]\n"
                                 "users: [{name: u, user: {token: t, username: a, password: b}}]\n"
                                 "contexts: [{name: c, context: {cluster: c, user: u}}]\n");
  CHECK_THAT(LoadError(options), Catch::Contains("more than one authentication method found for user `u`"));
}

TEST_CASE("runtime/credentials: an exec plugin (v1) is cached until its credential expires", "[runtime]") {
  ExecSetup setup;
  setup.Reply(kTokenReply);
  LoadOptions options = setup.Write(setup.V1("      provideClusterInfo: true\n"),
                                    "    extensions:\n    - name: client.authentication.k8s.io/exec\n"
                                    "      extension: {audience: kstate, port: 8443}\n");
  ClusterAccess access = LoadClusterAccess(options);
  CHECK(access.credentials->Describe() == "exec plugin `" + setup.dir / "bin/plugin.sh` (client.authentication.k8s.io/v1)");
  CHECK(access.credentials->Get().authorization == "Bearer exec-token-1");
  CHECK(access.credentials->Get().authorization == "Bearer exec-token-1");
  CHECK(setup.Runs() == 1);
  CHECK(ReadFile(setup.dir / "args") == "one two bar\n");
  nlohmann::json info = nlohmann::json::parse(ReadFile(setup.dir / "info.json"));
  CHECK(info["kind"] == "ExecCredential");
  CHECK(info["apiVersion"] == "client.authentication.k8s.io/v1");
  CHECK(info["spec"]["interactive"] == false);
  CHECK(info["spec"]["cluster"]["server"] == "https://exec.example");
  CHECK(info["spec"]["cluster"]["certificate-authority-data"] == EncodeBase64(kstate::testing::kCaPem));
  CHECK(info["spec"]["cluster"]["config"] == nlohmann::json({{"audience", "kstate"}, {"port", 8443}}));

  *setup.now = Year(2031);  // past expirationTimestamp
  CHECK(access.credentials->Get().authorization == "Bearer exec-token-2");
  CHECK(access.credentials->exec_runs() == 2);
  CHECK(access.credentials->Refresh());  // after a 401
  CHECK(access.credentials->Get().authorization == "Bearer exec-token-3");

  // Without provideClusterInfo there is no spec.cluster.
  LoadClusterAccess(setup.Write(setup.V1())).credentials->Get();
  CHECK_FALSE(nlohmann::json::parse(ReadFile(setup.dir / "info.json"))["spec"].contains("cluster"));
}

TEST_CASE("runtime/credentials: an exec plugin (v1beta1) returning a client certificate", "[runtime]") {
  ExecSetup setup;
  nlohmann::json reply = {{"apiVersion", "client.authentication.k8s.io/v1beta1"},
                          {"kind", "ExecCredential"},
                          {"status", {{"clientCertificateData", kstate::testing::kClientCertPem},
                                      {"clientKeyData", kstate::testing::kClientKeyPem}}}};
  setup.Reply(reply.dump());
  // v1beta1 may leave interactiveMode out.
  LoadOptions options = setup.Write("      apiVersion: client.authentication.k8s.io/v1beta1\n      command: ../bin/plugin.sh\n"
                                    "      env: [{name: DIR, value: '" + setup.dir.path() + "'}]\n");
  ClusterAccess access = LoadClusterAccess(options);
  std::vector<std::thread> threads;
  std::atomic<int> with_cert{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] { with_cert += access.credentials->Get().client_key_pem == kstate::testing::kClientKeyPem; });
  }
  for (std::thread& thread : threads) thread.join();
  CHECK(with_cert == 4);
  CHECK(setup.Runs() == 1);  // no expiry: cached until a 401
  CHECK(access.credentials->Get().authorization == "");
  CHECK(access.credentials->Get().client_cert_pem == kstate::testing::kClientCertPem);
  CHECK(nlohmann::json::parse(ReadFile(setup.dir / "info.json"))["apiVersion"] == "client.authentication.k8s.io/v1beta1");
}

TEST_CASE("runtime/credentials: exec plugin failures are clear and leak nothing", "[runtime]") {
  ExecSetup setup;
  WriteFile(setup.dir / "bin/fail.sh", "#!/bin/sh\necho 'error: not logged in; run plugin login' >&2\nexit 3\n", 0755);
  std::string v1 = setup.V1();
  std::string failing = v1;
  failing.replace(failing.find("plugin.sh"), 9, "fail.sh");
  std::string error = LoadClusterAccess(setup.Write(failing)).credentials->Get().error;
  CHECK(error == "exec plugin `" + setup.dir / "bin/fail.sh` of user `u` failed with exit code 3:\n"
                 "error: not logged in; run plugin login\ninstall it with: brew install plugin");

  std::string missing = v1;
  missing.replace(missing.find("../bin/plugin.sh"), 16, "kstate-no-such-plugin");
  error = LoadClusterAccess(setup.Write(missing)).credentials->Get().error;
  CHECK(error == "exec plugin `kstate-no-such-plugin` of user `u` was not found\ninstall it with: brew install plugin");

  setup.Reply(R"({"kind": "ExecCredential", "status": {"token": "leaked-token")");
  error = LoadClusterAccess(setup.Write(v1)).credentials->Get().error;
  CHECK_THAT(error, Catch::Contains("gave no usable credential: its output is not an ExecCredential JSON object") &&
                        !Catch::Contains("leaked-token"));
  setup.Reply(R"({"apiVersion": "client.authentication.k8s.io/v1beta1", "kind": "ExecCredential", "status": {"token": "t"}})");
  CHECK_THAT(LoadClusterAccess(setup.Write(v1)).credentials->Get().error,
             Catch::Contains("configured to use API version client.authentication.k8s.io/v1, but returned version "
                             "`client.authentication.k8s.io/v1beta1`"));
  setup.Reply(R"({"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential"})");
  CHECK_THAT(LoadClusterAccess(setup.Write(v1)).credentials->Get().error, Catch::Contains("did not return a status field"));
  setup.Reply(R"({"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential", "status": {"token": "t", "expirationTimestamp": "tomorrow"}})");
  CHECK_THAT(LoadClusterAccess(setup.Write(v1)).credentials->Get().error, Catch::Contains("is not an RFC 3339 time"));

  std::string always = v1;
  always.replace(always.find("Never"), 5, "Always");
  CHECK_THAT(LoadClusterAccess(setup.Write(always)).credentials->Get().error,
             Catch::Contains("needs an interactive terminal") && Catch::Contains("brew install plugin"));
  std::string no_mode = v1;
  no_mode.erase(no_mode.find("      interactiveMode: Never\n"), 29);
  CHECK_THAT(LoadError(setup.Write(no_mode)), Catch::Contains("the exec plugin of user `u` must set `interactiveMode`"));
  CHECK_THAT(LoadError(setup.Write("      apiVersion: client.authentication.k8s.io/v1alpha1\n      command: x\n")),
             Catch::Contains("supported are client.authentication.k8s.io/v1 and v1beta1"));
  CHECK_THAT(LoadError(setup.Write("      apiVersion: client.authentication.k8s.io/v1\n      interactiveMode: Never\n")),
             Catch::Contains("has no `command`"));
}

TEST_CASE("runtime/credentials: a token with a line break is refused, never sent", "[runtime]") {
  CredentialsConfig config;
  config.user = "u";
  config.token = "abc\r\nX-Injected: yes";
  Credentials credentials(config);
  Credentials::Auth auth = credentials.Get();
  CHECK(auth.authorization.empty());
  CHECK_THAT(auth.error, Catch::Contains("the credential of user `u` contains a line break"));
}

TEST_CASE("runtime/credentials: an exec plugin that hangs, or leaves a child holding its output, is stopped",
          "[runtime]") {
  ExecSetup setup;
  WriteFile(setup.dir / "bin/hang.sh", "#!/bin/sh\nsleep 30\n", 0755);
  WriteFile(setup.dir / "bin/child.sh", "#!/bin/sh\nsleep 30 &\nexit 0\n", 0755);
  for (const char* script : {"hang.sh", "child.sh"}) {
    ExecConfig config;
    config.api_version = "client.authentication.k8s.io/v1";
    config.command = setup.dir / (std::string("bin/") + script);
    config.interactive_mode = "Never";
    config.timeout = std::chrono::milliseconds(300);
    auto start = std::chrono::steady_clock::now();
    ExecResult result = RunExecPlugin(config, "u");
    auto took = std::chrono::steady_clock::now() - start;
    CHECK_THAT(result.error, Catch::Contains("did not finish within 300 ms and was stopped"));
    CHECK(took < std::chrono::seconds(10));
  }
}

TEST_CASE("runtime/credentials: WithCredentials adds the header and re-runs the plugin once after a 401", "[runtime]") {
  ExecSetup setup;
  setup.Reply(kTokenReply);
  ClusterAccess access = LoadClusterAccess(setup.Write(setup.V1()));
  auto fake = std::make_shared<kstate::runtime::http::FakeClient>([](const kstate::runtime::http::Request& request) {
    kstate::runtime::http::Response response;
    response.status = 401;
    for (const auto& header : request.headers) {
      if (header.name == "Authorization" && header.value == "Bearer exec-token-2") response.status = 200;
    }
    return response;
  });
  auto client = WithCredentials(access.credentials, fake);
  kstate::runtime::http::Request request;
  request.url = "https://exec.example/api";
  CHECK(client->Send(request).status == 200);
  CHECK(fake->requests().size() == 2);
  CHECK(setup.Runs() == 2);

  // A static token cannot get better: the 401 is returned after one request.
  auto static_token = std::make_shared<Credentials>(CredentialsConfig{"u", "t", "", "", "", std::nullopt, nullptr});
  kstate::runtime::http::FakeClient* counted = new kstate::runtime::http::FakeClient([](const auto&) {
    kstate::runtime::http::Response response;
    response.status = 401;
    return response;
  });
  std::shared_ptr<kstate::runtime::http::Client> owned(counted);
  CHECK(WithCredentials(static_token, owned)->Send(request).status == 401);
  CHECK(counted->requests().size() == 1);

  // Credentials that cannot be had: an error, and nothing is sent.
  auto broken = std::make_shared<Credentials>(CredentialsConfig{"u", "", setup.dir / "absent", "", "", std::nullopt, nullptr});
  auto untouched = std::make_shared<kstate::runtime::http::FakeClient>();
  CHECK_THAT(WithCredentials(broken, untouched)->Send(request).error, Catch::Contains("the token file of user `u`"));
  CHECK(untouched->requests().empty());
}

TEST_CASE("runtime/credentials: base64 and RFC 3339", "[runtime]") {
  CHECK(DecodeBase64("aGVsbG8=") == "hello");
  CHECK(DecodeBase64("aGVs\nbG8") == "hello");
  CHECK(DecodeBase64("") == "");
  CHECK_FALSE(DecodeBase64("aGVsbG8=x"));
  CHECK_FALSE(DecodeBase64("a"));
  CHECK_FALSE(DecodeBase64("a*b="));
  for (const std::string& text : std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0\xff\x10", 3)}) CHECK(DecodeBase64(EncodeBase64(text)) == text);
  auto utc = ParseRfc3339("2024-05-01T10:00:00Z");
  REQUIRE(utc);
  CHECK(ParseRfc3339("2024-05-01T12:00:00.123456+02:00") == utc);
  CHECK(ParseRfc3339("2024-05-01T09:30:00-00:30") == utc);
  CHECK(std::chrono::system_clock::to_time_t(*utc) == 1714557600);
  CHECK_FALSE(ParseRfc3339("2024-05-01 10:00"));
  CHECK_FALSE(ParseRfc3339("2024-13-01T10:00:00Z"));
  CHECK_FALSE(ParseRfc3339("2024-05-01T10:00:00Zjunk"));
}
