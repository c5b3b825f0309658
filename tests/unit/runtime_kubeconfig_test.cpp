// Loading cluster access as kubectl does: sources and merging, overrides,
// paths and -data fields, TLS rules, in-cluster, refusals, malformed input,
// and that no credential ever reaches an error message.
#include <random>

#include <catch2/catch.hpp>

#include "runtime/kube/kubeconfig.h"
#include "runtime/kube/kubeconfig_text.h"
#include "tests/runtime/kube_fixtures.h"

namespace {

using namespace kstate::runtime::kube;
using namespace kstate::testing;

std::string B64(const std::string& text) { return EncodeBase64(text); }

// A kubeconfig with one context `name` -> cluster `name` -> user `name`.
std::string Simple(const std::string& name, const std::string& cluster_body, const std::string& user_body,
                   const std::string& extra_context = "") {
  return "apiVersion: v1\nkind: Config\ncurrent-context: " + name + "\nclusters:\n- name: " + name +
         "\n  cluster:\n" + cluster_body + "users:\n- name: " + name + "\n  user:\n" + user_body +
         "contexts:\n- name: " + name + "\n  context:\n    cluster: " + name + "\n    user: " + name + "\n" +
         extra_context;
}

ClusterAccess LoadFile(const TempDir& dir, const std::string& text, LoadOptions options = {}) {
  WriteFile(dir / "config", text);
  LoadOptions with_env = OptionsIn(dir);
  with_env.kubeconfig = dir / "config";
  with_env.context = options.context;
  with_env.namespace_override = options.namespace_override;
  return LoadClusterAccess(with_env);
}

std::string FileError(const TempDir& dir, const std::string& text) {
  WriteFile(dir / "config", text);
  LoadOptions options = OptionsIn(dir);
  options.kubeconfig = dir / "config";
  return LoadError(options);
}

}  // namespace

TEST_CASE("runtime/kubeconfig: KUBECONFIG files merge, the first to set a value wins", "[runtime]") {
  TempDir dir;
  WriteFile(dir / "a", R"(current-context: ctx-a
clusters:
- name: shared
  cluster: {server: "https://a.example:6443"}
users:
- name: ua
  user: {token: from-a}
contexts:
- name: ctx-a
  context: {cluster: shared, user: ua}
)");
  WriteFile(dir / "b", R"(current-context: ctx-b
clusters:
- name: shared
  cluster: {server: "https://b.example:6443"}
- name: only-b
  cluster: {server: "https://only-b.example"}
users:
- name: ua
  user: {username: ignored, password: ignored}
contexts:
- name: ctx-b
  context: {cluster: only-b, user: ua, namespace: from-b}
- name: ctx-a
  context: {cluster: only-b, user: ua}
)");
  WriteFile(dir / "c", "clusters: []\n");
  LoadOptions options = OptionsIn(dir, {{"KUBECONFIG", dir / "missing" + ":" + dir / "a" + "::" + dir / "b"}});
  ClusterAccess access = LoadClusterAccess(options);
  CHECK(access.context == "ctx-a");
  CHECK(access.server == "https://a.example:6443");
  CHECK(access.namespace_name == "default");
  // The whole user `ua` comes from the first file: b's username/password are discarded.
  CHECK(access.credentials->Describe() == "token");
  CHECK(access.credentials->Get().authorization == "Bearer from-a");
  CHECK(access.sources == std::vector<std::string>{dir / "a", dir / "b"});

  options.context = "ctx-b";
  access = LoadClusterAccess(options);
  CHECK(access.server == "https://only-b.example");
  CHECK(access.namespace_name == "from-b");

  // A first file that sets no current-context leaves it to the next.
  access = LoadClusterAccess(OptionsIn(dir, {{"KUBECONFIG", dir / "c" + ":" + dir / "b"}}));
  CHECK(access.context == "ctx-b");
}

TEST_CASE("runtime/kubeconfig: sources: --kubeconfig must exist, ~/.kube/config is the default", "[runtime]") {
  TempDir dir;
  LoadOptions options = OptionsIn(dir);
  options.kubeconfig = dir / "nope";
  CHECK(LoadError(options) == "the kubeconfig `" + dir / "nope" + "` given with --kubeconfig does not exist");
  CHECK_THAT(LoadError(OptionsIn(dir, {{"KUBECONFIG", dir / "x:" + dir / "y"}})),
             Catch::StartsWith("no cluster configured: KUBECONFIG (") && Catch::Contains("does not exist"));
  CHECK_THAT(LoadError(OptionsIn(dir)), Catch::StartsWith("no cluster configured: " + dir / "home/.kube/config"));
  WriteFile(dir / "home/.kube/config", Simple("home", "    server: https://home.example\n", "    token: t\n"));
  CHECK(LoadClusterAccess(OptionsIn(dir)).server == "https://home.example");
  // KUBECONFIG set: ~/.kube/config is not read.
  CHECK_THAT(LoadError(OptionsIn(dir, {{"KUBECONFIG", dir / "x"}})), Catch::StartsWith("no cluster configured"));
}

TEST_CASE("runtime/kubeconfig: --context and --namespace override, unknown names are clear errors", "[runtime]") {
  TempDir dir;
  std::string text = Simple("one", "    server: https://one.example\n", "    token: t\n",
                            "- name: two\n  context: {cluster: one, user: one, namespace: team}\n"
                            "- name: lost-cluster\n  context: {cluster: gone, user: one}\n"
                            "- name: lost-user\n  context: {cluster: one, user: ghost}\n"
                            "- name: anonymous\n  context: {cluster: one}\n");
  LoadOptions pick;
  CHECK(LoadFile(dir, text).namespace_name == "default");
  pick.context = "two";
  CHECK(LoadFile(dir, text, pick).namespace_name == "team");
  pick.namespace_override = "mine";
  CHECK(LoadFile(dir, text, pick).namespace_name == "mine");
  pick = {};
  pick.context = "anonymous";
  CHECK(LoadFile(dir, text, pick).credentials->Get().authorization == "");

  LoadOptions options = OptionsIn(dir);
  options.kubeconfig = dir / "config";
  options.context = "nope";
  CHECK(LoadError(options) == "context `nope` not found in " + dir / "config" +
                                  " (contexts: anonymous, lost-cluster, lost-user, one, two)");
  options.context = "lost-cluster";
  CHECK(LoadError(options) == dir / "config:19: context `lost-cluster` names cluster `gone`, not found in " +
                                  dir / "config (clusters: one)");
  options.context = "lost-user";
  CHECK_THAT(LoadError(options), Catch::Contains("user `ghost` of context `lost-user` not found") &&
                                     Catch::Contains("(users: one)"));
  CHECK_THAT(FileError(dir, "clusters: []\ncontexts: [{name: a, context: {cluster: x}}]\n"),
             Catch::Contains("no current-context is set in " + dir / "config") && Catch::Contains("(contexts: a)"));
  // A context's namespace becomes part of request paths: one the API server
  // would refuse (`../namespaces/other`) is a kubeconfig error.
  CHECK_THAT(FileError(dir, Simple("one", "    server: https://one.example\n", "    token: t\n",
                                   "- name: two\n  context: {cluster: one, user: one, namespace: ../namespaces/x}\n")),
             Catch::Contains("`namespace` of context `two` is not a valid namespace name"));
}

TEST_CASE("runtime/kubeconfig: relative paths resolve against the file, -data fields are decoded", "[runtime]") {
  TempDir dir;
  WriteFile(dir / "pki/ca.pem", kstate::testing::kCaPem);
  WriteFile(dir / "pki/client.pem", kstate::testing::kClientCertPem);
  WriteFile(dir / "pki/client.key", kstate::testing::kClientKeyPem);
  WriteFile(dir / "conf/config", Simple("files", "    server: https://files.example\n    certificate-authority: ../pki/ca.pem\n",
                                        "    client-certificate: ../pki/client.pem\n    client-key: ../pki/client.key\n"));
  // The working directory is not the file's: relative paths follow the file.
  LoadOptions options = OptionsIn(dir);
  options.kubeconfig = dir / "conf/config";
  ClusterAccess access = LoadClusterAccess(options);
  CHECK(access.tls.ca_pem == kstate::testing::kCaPem);
  CHECK(access.tls.client_cert_pem == kstate::testing::kClientCertPem);
  CHECK(access.tls.client_key_pem == kstate::testing::kClientKeyPem);
  CHECK_THAT(Describe(access), Catch::Contains("and a client certificate"));

  access = LoadFile(dir, Simple("data", "    server: data.example:6443\n    certificate-authority-data: " + B64(kstate::testing::kCaPem) +
                                            "\n    tls-server-name: kube.test\n    proxy-url: socks5://proxy:1080\n",
                                "    client-certificate-data: " + B64(kstate::testing::kClientCertPem) +
                                    "\n    client-key-data: " + B64(kstate::testing::kClientKeyPem) + "\n"));
  CHECK(access.server == "https://data.example:6443");  // no scheme, TLS configured: https
  CHECK(access.tls.ca_pem == kstate::testing::kCaPem);
  CHECK(access.tls.server_name == "kube.test");
  CHECK(access.tls.proxy_url == "socks5://proxy:1080");
  CHECK(access.tls.client_key_pem == kstate::testing::kClientKeyPem);

  CHECK(FileError(dir, Simple("x", "    server: https://x\n    certificate-authority-data: '***'\n", "")) ==
        dir / "config:8: `certificate-authority-data` of cluster `x` is not valid base64");
  CHECK_THAT(FileError(dir, Simple("x", "    server: https://x\n    certificate-authority-data: " + B64("not pem") + "\n", "")),
             Catch::Contains("the certificate authority of cluster `x` is not a PEM certificate"));
  CHECK_THAT(FileError(dir, Simple("x", "    server: https://x\n    certificate-authority: missing.pem\n", "")),
             Catch::Contains("certificate-authority of cluster `x`: cannot read `" + dir / "missing.pem`"));
  CHECK_THAT(FileError(dir, Simple("x", "    server: https://x\n", "    client-certificate-data: " + B64(kstate::testing::kClientCertPem) +
                                                                  "\n    client-key-data: " + B64(kstate::testing::kOtherKeyPem) + "\n")),
             Catch::Contains("user `x`: the client certificate and key do not match"));
  CHECK_THAT(FileError(dir, Simple("x", "    server: https://x\n", "    client-certificate-data: " + B64(kstate::testing::kClientCertPem) + "\n")),
             Catch::Contains("has a client certificate but no client-key"));
  CHECK_THAT(FileError(dir, Simple("x", "    server: https://x\n",
                                   "    client-key-data: " + B64(kstate::testing::kClientKeyPem) + "\n")),
             Catch::Contains("user `x` has a client key but no client-certificate(-data)"));
  CHECK_THAT(FileError(dir, Simple("x", "    server: ''\n", "")), Catch::Contains("no server found for cluster `x`"));
  for (const char* server : {"https://", "https://h?x=1", "https://h/p#f", "https://user@h"}) {
    CHECK_THAT(FileError(dir, Simple("x", std::string("    server: '") + server + "'\n", "")),
               Catch::Contains("is not an http(s)://HOST[:PORT][/PATH] URL"));
  }
  CHECK_THAT(FileError(dir, Simple("x", "    server: https://x\n    proxy-url: ftp://p\n", "")),
             Catch::Contains("only HTTP, HTTPS and SOCKS5 proxies"));
}

TEST_CASE("runtime/kubeconfig: insecure-skip-tls-verify warns, and is an error with a CA", "[runtime]") {
  TempDir dir;
  ClusterAccess access = LoadFile(dir, Simple("lab", "    server: https://lab\n    insecure-skip-tls-verify: true\n", "    token: t\n"));
  CHECK(access.tls.insecure_skip_verify);
  REQUIRE(access.warnings.size() == 1);
  CHECK_THAT(access.warnings[0], Catch::Contains("cluster `lab` sets insecure-skip-tls-verify"));
  CHECK_THAT(FileError(dir, Simple("lab", "    server: https://lab\n    insecure-skip-tls-verify: true\n    certificate-authority-data: " +
                                              B64(kstate::testing::kCaPem) + "\n", "")),
             Catch::Contains("specifying a root certificates file with the insecure flag is not allowed"));
  CHECK_THAT(FileError(dir, Simple("lab", "    server: https://lab\n    insecure-skip-tls-verify: maybe\n", "")),
             Catch::Contains("config:8: `insecure-skip-tls-verify` of cluster `lab` must be true or false"));
}

TEST_CASE("runtime/kubeconfig: in-cluster service account when no kubeconfig exists", "[runtime]") {
  TempDir dir;
  WriteFile(dir / "sa/token", "sa-token-1\n");
  WriteFile(dir / "sa/ca.crt", kstate::testing::kCaPem);
  WriteFile(dir / "sa/namespace", "payments\n");
  std::map<std::string, std::string> env = {{"KUBERNETES_SERVICE_HOST", "10.96.0.1"}, {"KUBERNETES_SERVICE_PORT", "443"}};
  ClusterAccess access = LoadClusterAccess(OptionsIn(dir, env));
  CHECK(access.in_cluster);
  CHECK(access.server == "https://10.96.0.1:443");
  CHECK(access.namespace_name == "payments");
  CHECK(access.tls.ca_pem == kstate::testing::kCaPem);
  CHECK(access.credentials->Get().authorization == "Bearer sa-token-1");
  WriteFile(dir / "sa/token", "sa-token-rotated\n");  // the kubelet rotates it
  CHECK(access.credentials->Get().authorization == "Bearer sa-token-rotated");
  CHECK_THAT(Describe(access), Catch::Contains("in-cluster") && !Catch::Contains("sa-token"));

  env["KUBERNETES_SERVICE_HOST"] = "fd00::1";
  env["POD_NAMESPACE"] = "from-env";
  access = LoadClusterAccess(OptionsIn(dir, env));
  CHECK(access.server == "https://[fd00::1]:443");
  CHECK(access.namespace_name == "from-env");
  LoadOptions overridden = OptionsIn(dir, env);
  overridden.namespace_override = "cli";
  CHECK(LoadClusterAccess(overridden).namespace_name == "cli");
  // A kubeconfig, when there is one, wins.
  WriteFile(dir / "home/.kube/config", Simple("k", "    server: https://k\n", "    token: t\n"));
  CHECK_FALSE(LoadClusterAccess(OptionsIn(dir, env)).in_cluster);
}

TEST_CASE("runtime/kubeconfig: auth-provider and impersonation are refused clearly", "[runtime]") {
  TempDir dir;
  CHECK_THAT(FileError(dir, Simple("g", "    server: https://g\n", "    auth-provider:\n      name: gcp\n      config: {access-token: secret-at}\n")),
             Catch::Contains("user `g` uses auth-provider `gcp`") && Catch::Contains("use an exec credential plugin") &&
                 Catch::Contains("gke-gcloud-auth-plugin") && !Catch::Contains("secret-at"));
  CHECK_THAT(FileError(dir, Simple("i", "    server: https://i\n", "    token: t\n    as: admin\n")),
             Catch::Contains("impersonates"));
}

TEST_CASE("runtime/kubeconfig: malformed YAML and wrong types name the file and line", "[runtime]") {
  TempDir dir;
  CHECK_THAT(FileError(dir, "clusters:\n- name: a\n  cluster: {server: [unclosed\n"),
             Catch::StartsWith(dir / "config:") && Catch::Contains("invalid YAML"));
  CHECK(FileError(dir, "- just\n- a list\n") ==
        dir / "config:1: a kubeconfig must be a mapping (apiVersion, kind, clusters, users, contexts)");
  CHECK(FileError(dir, "apiVersion: v1\nclusters: {a: b}\n") == dir / "config:2: `clusters` of the kubeconfig must be a list");
  CHECK(FileError(dir, "clusters:\n- name: a\n  cluster: [1]\n") == dir / "config:3: `cluster` of cluster `a` must be a mapping");
  CHECK(FileError(dir, "clusters:\n- name: a\n  cluster: {server: {x: 1}}\n") ==
        dir / "config:3: `server` of cluster `a` must be a string");
  CHECK(FileError(dir, "clusters:\n- name: a\n- name: a\n") == dir / "config:3: duplicate cluster name `a` (first at line 2)");
  CHECK(FileError(dir, "clusters:\n- cluster: {}\n") == dir / "config:2: a cluster in `clusters` has no name");
  CHECK(FileError(dir, "kind: Pod\n") == dir / "config:1: `kind` is `Pod`, not `Config`");
  CHECK(FileError(dir, "users:\n- name: u\n  user: {exec: {command: x, args: {a: 1}}}\n") ==
        dir / "config:3: `args` of the exec plugin of user `u` must be a list");
  CHECK_THAT(FileError(dir, ""), Catch::StartsWith("no cluster configured"));  // empty: an empty config
  CHECK_THAT(FileError(dir, std::string("\xff\xfe garbage: [\x01")), Catch::StartsWith(dir / "config"));
  // A directory where a file should be.
  LoadOptions options = OptionsIn(dir);
  options.kubeconfig = dir.path();
  CHECK_THAT(LoadError(options), Catch::Contains("is a directory"));
}

TEST_CASE("runtime/kubeconfig: no credential appears in any error or description", "[runtime]") {
  TempDir dir;
  const std::string secret = "TOPSECRET-0123456789";
  std::vector<std::string> broken = {
      Simple("s", "    server: https://s\n", "    token: " + secret + "\n    username: u\n    password: " + secret + "\n"),
      Simple("s", "    server: https://s\n", "    token: " + secret + "\n    client-key-data: " + secret + "!\n"),
      Simple("s", "    server: https://s\n", "    client-certificate-data: " + B64(kstate::testing::kClientCertPem) +
                                              "\n    client-key-data: " + B64(secret) + "\n"),
      Simple("s", "    server: https://s\n", "    token: " + secret + "\n", "- name: s\n  context: {cluster: s}\n"),
      Simple("s", "    server: https://s\n", "    token: [" + secret + "\n"),
      Simple("s", "    server: https://s\n", "    password: {p: " + secret + "}\n"),
  };
  for (const std::string& text : broken) {
    std::string error = FileError(dir, text);
    CHECK(error != "");
    CHECK_THAT(error, !Catch::Contains(secret));
  }
  ClusterAccess access = LoadFile(dir, Simple("s", "    server: https://s\n", "    token: " + secret + "\n"));
  CHECK_THAT(Describe(access), !Catch::Contains(secret));
  CHECK_THAT(access.credentials->Describe(), !Catch::Contains(secret));
  LoadOptions wrong_context = OptionsIn(dir);
  wrong_context.kubeconfig = dir / "config";
  wrong_context.context = "other";
  CHECK_THAT(LoadError(wrong_context), !Catch::Contains(secret));
}

TEST_CASE("runtime/kubeconfig: mutated files load or fail with KubeconfigError, never crash", "[runtime]") {
  TempDir dir;
  const std::string valid = Simple("m", "    server: https://m\n    certificate-authority-data: " + B64(kCaPem) + "\n",
                                   "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: x\n"
                                   "      interactiveMode: Never\n      env: [{name: A, value: b}]\n",
                                   "- name: n\n  context: {cluster: m, namespace: ns}\n");
  std::mt19937 random(20240501);
  const std::string alphabet = ":-[]{}\n \t'\"&*!|>#%@`,?0aZ\x01\xff";
  for (int round = 0; round < 400; ++round) {
    std::string text = valid;
    int edits = 1 + static_cast<int>(random() % 4);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      size_t at = random() % text.size();
      switch (random() % 3) {
        case 0: text[at] = alphabet[random() % alphabet.size()]; break;
        case 1: text.erase(at, 1 + random() % 8); break;
        default: text.resize(at); break;
      }
    }
    WriteFile(dir / "config", text);
    LoadOptions options = OptionsIn(dir);
    options.kubeconfig = dir / "config";
    try {
      LoadClusterAccess(options);
    } catch (const KubeconfigError& e) {
      CHECK_THAT(e.what(), Catch::Contains(dir.path()) || Catch::StartsWith("no ") || Catch::StartsWith("context "));
    }
  }
}
