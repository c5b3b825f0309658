// A kubeconfig file as read, before a context is chosen, and client-go's
// merge of several files. Internal to the kube layer.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "runtime/kube/credentials.h"

namespace kstate::runtime::kube {

// Where a stanza came from: relative paths in it resolve against `file`'s directory.
struct Origin {
  std::string file;
  int line = 0;  // 1-based; 0 when unknown

  std::string Where() const;  // "file:line" or "file"
};

struct RawCluster {
  Origin origin;
  std::string server;
  std::string certificate_authority;  // absolute path
  std::string certificate_authority_data;  // decoded PEM
  std::string tls_server_name, proxy_url;
  bool insecure_skip_tls_verify = false;
  std::string exec_extension_json;  // extensions[client.authentication.k8s.io/exec] as JSON
};

struct RawExec {
  ExecConfig config;
  bool provide_cluster_info = false;
  int line = 0;
};

struct RawUser {
  Origin origin;
  std::string client_certificate, client_certificate_data;  // path / decoded PEM
  std::string client_key, client_key_data;
  std::string token, token_file, username, password;
  std::optional<RawExec> exec;
  std::string auth_provider;  // its name, when the user has one
  bool impersonates = false;
};

struct RawContext {
  Origin origin;
  std::string cluster, user, namespace_name;
};

struct RawConfig {
  std::vector<std::string> files;
  std::map<std::string, RawCluster> clusters;
  std::map<std::string, RawUser> users;
  std::map<std::string, RawContext> contexts;
  std::string current_context;

  bool Empty() const { return clusters.empty() && users.empty() && contexts.empty() && current_context.empty(); }
};

// Parses one file's text; throws KubeconfigError naming `path` and the line.
RawConfig ParseKubeconfig(const std::string& path, const std::string& text);

// client-go's rule: the first file to set a map key (a cluster, user or
// context name) wins, whole; the first to set current-context wins.
void MergeFirstWins(RawConfig& into, RawConfig&& later);

}  // namespace kstate::runtime::kube
