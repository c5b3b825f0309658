// Cluster access found as kubectl finds it: --kubeconfig, else the KUBECONFIG
// list merged by client-go's rules, else ~/.kube/config, else the in-cluster
// service account. LoadClusterAccess is the kube layer's one throwing function.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "runtime/http/client.h"
#include "runtime/kube/credentials.h"

namespace kstate::runtime::kube {

// A kubeconfig that cannot be used, in words: names the file (and line, where
// known) and never contains a credential. Thrown only by LoadClusterAccess.
class KubeconfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The command line's choices and the environment, injectable for tests.
struct LoadOptions {
  std::string kubeconfig;          // --kubeconfig: one file, which must exist
  std::string context;             // --context: instead of current-context
  std::string namespace_override;  // --namespace: instead of the context's
  // Reads KUBECONFIG, HOME, KUBERNETES_SERVICE_HOST/_PORT and POD_NAMESPACE;
  // empty: the process environment.
  std::function<std::optional<std::string>(const std::string&)> getenv;
  std::string in_cluster_root = "/var/run/secrets/kubernetes.io/serviceaccount";
  SystemClock now;  // for exec credential expiry; empty: the system clock
};

// Everything needed to talk to the chosen cluster.
struct ClusterAccess {
  std::string server;          // e.g. https://10.0.0.1:6443, without a trailing slash
  std::string context;         // empty in-cluster
  std::string cluster, user;   // the kubeconfig names, for messages
  std::string namespace_name;  // --namespace, else the context's, else "default"
  http::TlsOptions tls;        // CA, server name, proxy, insecure, static client certificate
  std::shared_ptr<Credentials> credentials;  // never null
  std::vector<std::string> warnings;         // for the caller to print (e.g. insecure-skip-tls-verify)
  std::vector<std::string> sources;          // the kubeconfig files read, or the service account directory
  bool in_cluster = false;
};

// Finds and checks the cluster access the options select. Throws
// KubeconfigError for any unusable input: missing or unreadable files,
// invalid YAML, wrong types, bad base64 or PEM, unknown names, conflicts.
ClusterAccess LoadClusterAccess(const LoadOptions& options);

// One line for --verbose output: server, context, namespace, the kind of
// credentials; never a credential.
std::string Describe(const ClusterAccess& access);

}  // namespace kstate::runtime::kube
