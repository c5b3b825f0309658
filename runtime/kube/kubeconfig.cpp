// LoadClusterAccess: which files to read (client-go's loading rules), the
// chosen context, cluster and user checked as kubectl checks them, and the
// in-cluster fallback.
#include "runtime/kube/kubeconfig.h"

#include <sys/stat.h>

#include <cstdlib>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "runtime/kube/kubeconfig_raw.h"
#include "runtime/kube/kubeconfig_text.h"

namespace kstate::runtime::kube {
namespace {

std::string Env(const LoadOptions& options, const std::string& name) {
  if (options.getenv) return options.getenv(name).value_or("");
  const char* value = std::getenv(name.c_str());
  return value == nullptr ? "" : value;
}

bool IsFile(const std::string& path) {
  struct stat info {};
  return stat(path.c_str(), &info) == 0 && !S_ISDIR(info.st_mode);
}

bool Exists(const std::string& path) {
  struct stat info {};
  return stat(path.c_str(), &info) == 0;
}

template <typename Map>
std::string NamesOf(const Map& map) {
  if (map.empty()) return "none";
  std::string names;
  for (const auto& [name, value] : map) names += (names.empty() ? "" : ", ") + name;
  return names;
}

std::string FileList(const std::vector<std::string>& files) { return fmt::format("{}", fmt::join(files, ", ")); }

// The files to read, in precedence order.
std::vector<std::string> Precedence(const LoadOptions& options, std::string& described) {
  if (!options.kubeconfig.empty()) {
    if (!Exists(options.kubeconfig)) {
      throw KubeconfigError("the kubeconfig `" + options.kubeconfig + "` given with --kubeconfig does not exist");
    }
    described = options.kubeconfig;
    return {options.kubeconfig};
  }
  std::string list = Env(options, "KUBECONFIG");
  if (!list.empty()) {
    std::vector<std::string> files;
    std::set<std::string> seen;
    size_t start = 0;
    while (start <= list.size()) {
      size_t colon = std::min(list.find(':', start), list.size());
      std::string file = list.substr(start, colon - start);
      if (!file.empty() && seen.insert(file).second) files.push_back(file);
      start = colon + 1;
    }
    described = "KUBECONFIG (" + list + ")";
    return files;
  }
  std::string home = Env(options, "HOME");
  std::string file = (home.empty() ? std::string(".") : home) + "/.kube/config";
  described = file;
  return {file};
}

std::string ReadOrThrow(const std::string& path, const std::string& what, const Origin& origin) {
  std::string contents, error;
  if (!ReadWholeFile(path, contents, error)) throw KubeconfigError(origin.Where() + ": " + what + ": " + error);
  return contents;
}

void CheckProxy(const std::string& proxy, const std::string& cluster_name, const Origin& origin) {
  if (proxy.empty()) return;
  size_t scheme_end = proxy.find("://");
  std::string scheme = scheme_end == std::string::npos ? "" : proxy.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https" && scheme != "socks5") {
    throw KubeconfigError(fmt::format("{}: invalid `proxy-url` for cluster `{}`: only HTTP, HTTPS and SOCKS5 proxies "
                                      "are supported",
                                      origin.Where(), cluster_name));
  }
}

// Request paths are appended to the server: it must be a scheme and a host,
// with at most a path (`https://`, or a query, would send requests,
// credentials included, somewhere else than written).
bool IsServerUrl(std::string_view server) {
  bool https = server.starts_with("https://"), http = server.starts_with("http://");
  if (!https && !http) return false;
  server.remove_prefix(https ? 8 : 7);
  std::string_view host = server.substr(0, server.find('/'));
  return !host.empty() && host.find_first_of("@ \t\r\n") == std::string_view::npos &&
         server.find_first_of("?#") == std::string_view::npos;
}

// client-go's DefaultServerURL: a server without a scheme gets https when TLS is configured.
std::string NormalizeServer(std::string server, bool tls_configured) {
  if (server.find("://") == std::string::npos) server = (tls_configured ? "https://" : "http://") + server;
  while (server.size() > 1 && server.back() == '/') server.pop_back();
  return server;
}

void ApplyCluster(const std::string& name, const RawCluster& cluster, const RawUser* user, ClusterAccess& access) {
  const Origin& origin = cluster.origin;
  if (cluster.server.empty()) throw KubeconfigError(fmt::format("{}: no server found for cluster `{}`", origin.Where(), name));
  if (!cluster.certificate_authority.empty() && !cluster.certificate_authority_data.empty()) {
    throw KubeconfigError(fmt::format("{}: cluster `{}` sets both certificate-authority and "
                                      "certificate-authority-data; keep one",
                                      origin.Where(), name));
  }
  std::string ca_pem = cluster.certificate_authority_data;
  if (!cluster.certificate_authority.empty()) {
    ca_pem = ReadOrThrow(cluster.certificate_authority, "certificate-authority of cluster `" + name + "`", origin);
  }
  if (cluster.insecure_skip_tls_verify && !ca_pem.empty()) {
    // kubectl's rule (client-go transport.TLSConfigFor): a CA and insecure are exclusive.
    throw KubeconfigError(fmt::format("{}: cluster `{}`: specifying a root certificates file with the insecure flag is "
                                      "not allowed (remove certificate-authority(-data) or insecure-skip-tls-verify)",
                                      origin.Where(), name));
  }
  if (!ca_pem.empty()) {
    std::string problem = CheckCertificatePem(ca_pem);
    if (!problem.empty()) {
      throw KubeconfigError(fmt::format("{}: the certificate authority of cluster `{}` is {}", origin.Where(), name, problem));
    }
  }
  CheckProxy(cluster.proxy_url, name, origin);
  if (cluster.insecure_skip_tls_verify) {
    access.warnings.push_back(fmt::format("cluster `{}` sets insecure-skip-tls-verify: the server's certificate is not "
                                          "checked, so the connection can be intercepted",
                                          name));
  }
  bool has_cert = user != nullptr && (!user->client_certificate.empty() || !user->client_certificate_data.empty());
  access.server = NormalizeServer(cluster.server, !ca_pem.empty() || has_cert || cluster.insecure_skip_tls_verify);
  if (!IsServerUrl(access.server)) {
    throw KubeconfigError(fmt::format("{}: the server `{}` of cluster `{}` is not an http(s)://HOST[:PORT][/PATH] URL",
                                      origin.Where(), cluster.server, name));
  }
  access.cluster = name;
  access.tls.ca_pem = std::move(ca_pem);
  access.tls.insecure_skip_verify = cluster.insecure_skip_tls_verify;
  access.tls.server_name = cluster.tls_server_name;
  access.tls.proxy_url = cluster.proxy_url;
}

std::string ClusterInfoJson(const RawCluster& cluster, const ClusterAccess& access) {
  nlohmann::json info = {{"server", access.server}};
  if (!cluster.tls_server_name.empty()) info["tls-server-name"] = cluster.tls_server_name;
  if (cluster.insecure_skip_tls_verify) info["insecure-skip-tls-verify"] = true;
  if (!access.tls.ca_pem.empty()) info["certificate-authority-data"] = EncodeBase64(access.tls.ca_pem);
  if (!cluster.proxy_url.empty()) info["proxy-url"] = cluster.proxy_url;
  if (!cluster.exec_extension_json.empty()) info["config"] = nlohmann::json::parse(cluster.exec_extension_json);
  return info.dump();
}

std::string AuthProviderAdvice(const std::string& provider) {
  if (provider == "gcp") return "gke-gcloud-auth-plugin";
  if (provider == "azure") return "kubelogin (github.com/Azure/kubelogin)";
  if (provider == "oidc") return "kubelogin (github.com/int128/kubelogin)";
  return "the provider's exec plugin";
}

void CheckExec(const std::string& name, const RawUser& user) {
  const RawExec& exec = *user.exec;
  Origin at{user.origin.file, exec.line};
  auto fail = [&](const std::string& message) {
    throw KubeconfigError(fmt::format("{}: the exec plugin of user `{}` {}", at.Where(), name, message));
  };
  if (exec.config.command.empty()) fail("has no `command`");
  const std::string& version = exec.config.api_version;
  if (version.empty()) fail("has no `apiVersion`");
  if (version != "client.authentication.k8s.io/v1" && version != "client.authentication.k8s.io/v1beta1") {
    fail("has `apiVersion: " + version + "`; supported are client.authentication.k8s.io/v1 and v1beta1");
  }
  const std::string& mode = exec.config.interactive_mode;
  if (mode.empty() && version.ends_with("/v1")) fail("must set `interactiveMode` (Never, IfAvailable or Always)");
  if (!mode.empty() && mode != "Never" && mode != "IfAvailable" && mode != "Always") {
    fail("has an invalid `interactiveMode: " + mode + "` (Never, IfAvailable or Always)");
  }
}

void ApplyUser(const std::string& name, const RawUser& user, const RawCluster& cluster, const LoadOptions& options,
               ClusterAccess& access) {
  const std::string where = user.origin.Where();
  if (!user.auth_provider.empty()) {
    throw KubeconfigError(fmt::format("{}: user `{}` uses auth-provider `{}`, which kubectl no longer supports and "
                                      "kstatec does not: use an exec credential plugin instead ({})",
                                      where, name, user.auth_provider, AuthProviderAdvice(user.auth_provider)));
  }
  if (user.impersonates) {
    throw KubeconfigError(fmt::format("{}: user `{}` impersonates another user (as, as-groups, ...), which kstatec "
                                      "does not support yet",
                                      where, name));
  }
  bool basic = !user.username.empty() || !user.password.empty();
  if (basic && (!user.token.empty() || !user.token_file.empty())) {
    throw KubeconfigError(fmt::format("{}: more than one authentication method found for user `{}`: a token and a "
                                      "username/password; only one is allowed",
                                      where, name));
  }
  bool has_cert = !user.client_certificate.empty() || !user.client_certificate_data.empty();
  if (!has_cert && (!user.client_key.empty() || !user.client_key_data.empty())) {
    // A key alone would otherwise be ignored and the requests sent anonymously.
    throw KubeconfigError(fmt::format("{}: user `{}` has a client key but no client-certificate(-data)", where, name));
  }
  if (has_cert) {
    if (!user.client_certificate.empty() && !user.client_certificate_data.empty()) {
      throw KubeconfigError(fmt::format("{}: user `{}` sets both client-certificate and client-certificate-data", where, name));
    }
    if (!user.client_key.empty() && !user.client_key_data.empty()) {
      throw KubeconfigError(fmt::format("{}: user `{}` sets both client-key and client-key-data", where, name));
    }
    if (user.client_key.empty() && user.client_key_data.empty()) {
      throw KubeconfigError(fmt::format("{}: user `{}` has a client certificate but no client-key(-data)", where, name));
    }
    std::string cert = user.client_certificate_data, key = user.client_key_data;
    if (!user.client_certificate.empty()) cert = ReadOrThrow(user.client_certificate, "client-certificate of user `" + name + "`", user.origin);
    if (!user.client_key.empty()) key = ReadOrThrow(user.client_key, "client-key of user `" + name + "`", user.origin);
    std::string problem = CheckKeyPairPem(cert, key);
    if (!problem.empty()) throw KubeconfigError(fmt::format("{}: user `{}`: {}", where, name, problem));
    access.tls.client_cert_pem = std::move(cert);
    access.tls.client_key_pem = std::move(key);
  }
  if (!user.token_file.empty() && user.token.empty()) {
    // client-go reads the file once when loading: a missing file is an error now.
    ReadOrThrow(user.token_file, "tokenFile of user `" + name + "`", user.origin);
  }
  CredentialsConfig credentials{name, user.token, user.token_file, user.username, user.password, std::nullopt, options.now};
  if (user.exec) {
    CheckExec(name, user);
    credentials.exec = user.exec->config;
    if (user.exec->provide_cluster_info) credentials.exec->cluster_json = ClusterInfoJson(cluster, access);
  }
  access.user = name;
  access.credentials = std::make_shared<Credentials>(std::move(credentials));
}

ClusterAccess FromKubeconfig(const RawConfig& config, const LoadOptions& options) {
  const std::string files = FileList(config.files);
  std::string context_name = options.context.empty() ? config.current_context : options.context;
  if (context_name.empty()) {
    throw KubeconfigError(fmt::format("no current-context is set in {}; choose one with --context (contexts: {})",
                                      files, NamesOf(config.contexts)));
  }
  auto context = config.contexts.find(context_name);
  if (context == config.contexts.end()) {
    throw KubeconfigError(fmt::format("context `{}` not found in {} (contexts: {})", context_name, files,
                                      NamesOf(config.contexts)));
  }
  const RawContext& ctx = context->second;
  auto cluster = config.clusters.find(ctx.cluster);
  if (ctx.cluster.empty() || cluster == config.clusters.end()) {
    throw KubeconfigError(fmt::format("{}: context `{}` names {}, not found in {} (clusters: {})", ctx.origin.Where(),
                                      context_name, ctx.cluster.empty() ? "no cluster" : "cluster `" + ctx.cluster + "`",
                                      files, NamesOf(config.clusters)));
  }
  const RawUser* user = nullptr;
  if (!ctx.user.empty()) {
    auto found = config.users.find(ctx.user);
    if (found == config.users.end()) {
      throw KubeconfigError(fmt::format("{}: user `{}` of context `{}` not found in {} (users: {})",
                                        ctx.origin.Where(), ctx.user, context_name, files, NamesOf(config.users)));
    }
    user = &found->second;
  }
  ClusterAccess access;
  access.context = context_name;
  access.sources = config.files;
  ApplyCluster(ctx.cluster, cluster->second, user, access);
  if (user != nullptr) {
    ApplyUser(ctx.user, *user, cluster->second, options, access);
  } else {
    access.credentials = std::make_shared<Credentials>(CredentialsConfig{});
  }
  access.namespace_name = !options.namespace_override.empty() ? options.namespace_override
                          : !ctx.namespace_name.empty()       ? ctx.namespace_name
                                                              : "default";
  return access;
}

// rest.InClusterConfig: the service's address from the environment, the
// service account's token (re-read as it rotates) and CA.
ClusterAccess InCluster(const LoadOptions& options) {
  const std::string& root = options.in_cluster_root;
  std::string host = Env(options, "KUBERNETES_SERVICE_HOST"), port = Env(options, "KUBERNETES_SERVICE_PORT");
  ClusterAccess access;
  access.in_cluster = true;
  access.sources = {root};
  access.server = "https://" + (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + port;
  std::string ca_file = root + "/ca.crt";
  if (IsFile(ca_file)) {
    access.tls.ca_pem = ReadOrThrow(ca_file, "the service account's CA", {ca_file, 0});
    std::string problem = CheckCertificatePem(access.tls.ca_pem);
    if (!problem.empty()) throw KubeconfigError(ca_file + ": the service account's CA is " + problem);
  } else {
    access.warnings.push_back("in-cluster: " + ca_file + " does not exist; the system's CA certificates are used");
  }
  ReadOrThrow(root + "/token", "the service account's token", {root + "/token", 0});
  CredentialsConfig credentials;
  credentials.user = "service account";
  credentials.token_file = root + "/token";
  credentials.now = options.now;
  access.credentials = std::make_shared<Credentials>(std::move(credentials));
  std::string ns = Env(options, "POD_NAMESPACE"), contents, error;
  if (ns.empty() && ReadWholeFile(root + "/namespace", contents, error)) ns = std::string(TrimSpace(contents));
  access.namespace_name = !options.namespace_override.empty() ? options.namespace_override : ns.empty() ? "default" : ns;
  return access;
}

bool InClusterPossible(const LoadOptions& options) {
  return !Env(options, "KUBERNETES_SERVICE_HOST").empty() && !Env(options, "KUBERNETES_SERVICE_PORT").empty() &&
         IsFile(options.in_cluster_root + "/token");
}

}  // namespace

ClusterAccess LoadClusterAccess(const LoadOptions& options) {
  std::string described;
  RawConfig merged;
  for (const std::string& file : Precedence(options, described)) {
    if (!Exists(file)) continue;  // missing files in KUBECONFIG are skipped, as by kubectl
    std::string text = ReadOrThrow(file, "the kubeconfig", {file, 0});
    MergeFirstWins(merged, ParseKubeconfig(file, text));
  }
  if (merged.Empty()) {
    if (InClusterPossible(options)) return InCluster(options);
    throw KubeconfigError(fmt::format("no cluster configured: {} {}, and this is not a pod in a cluster "
                                      "(KUBERNETES_SERVICE_HOST is not set or {}/token does not exist)",
                                      described, merged.files.empty() ? "does not exist" : "is empty",
                                      options.in_cluster_root));
  }
  return FromKubeconfig(merged, options);
}

std::string Describe(const ClusterAccess& access) {
  std::string context = access.in_cluster ? "in-cluster service account" : "context `" + access.context + "`";
  return fmt::format("server {}, {}, namespace `{}`, credentials: {}{}", access.server, context, access.namespace_name,
                     access.credentials ? access.credentials->Describe() : "none",
                     access.tls.client_cert_pem.empty() ? "" : " and a client certificate");
}

}  // namespace kstate::runtime::kube
