// `kstatec apply`: compile, then put the objects on the cluster the
// kubeconfig selects and wait for their rollouts. Part of `kstatec-cluster`.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cluster_flags.h"
#include "kstate/compiler.h"
#include "runtime/api/api_client.h"
#include "runtime/kube/kubeconfig.h"

namespace kstate::cli {

// A connection to the cluster the flags select: the API client and the
// namespace for objects of files that declare none.
struct Connection {
  runtime::kube::ClusterAccess access;
  std::unique_ptr<runtime::api::ApiClient> api;
};
// Null after printing why (to stderr, prefixed with `command`).
std::unique_ptr<Connection> Connect(const ClusterFlags& flags, const char* command);
runtime::api::ApiClient& Api(Connection& c);
const std::string& DefaultNamespace(const Connection& c);

// The ApplySet name: `given`, else the first file's name; empty after
// printing why when it cannot name an ApplySet.
std::string ApplySetName(const std::vector<std::string>& files, const std::string& given, const char* command);

// A duration flag ("10m", "90s", "1h30m", "45" seconds) in milliseconds; -1
// when it is not one.
int64_t ParseDuration(const std::string& text);

// What apply, plan and diff start from: the ApplySet name, the compiled
// files and a connection.
struct ClusterInput {
  std::string applyset;
  std::optional<Compilation> compilation;
  std::unique_ptr<Connection> connection;
};
// Checks the ApplySet name (`given`, else the first file's), compiles the
// files (printing their diagnostics) and connects. 0 when all went well;
// otherwise, after printing why, 2 for a bad ApplySet name and 1 for the rest.
int PrepareCluster(const std::vector<std::string>& files, const std::string& root, const ClusterFlags& cluster,
                   const std::string& given, const char* command, ClusterInput& out);

// Compiles the files and prints their diagnostics; nullopt when they have errors.
std::optional<Compilation> CompileForCluster(const std::vector<std::string>& files, const std::string& root);

// Returns the exit code: 0 applied and ready, 1 anything else failed, 2 bad usage.
int RunApply(const ApplyOptions& options);
// `kstatec plan`: 0 when the plan can be applied as it is, 1 when it needs
// --recreate or cannot be done, or on errors.
int RunPlan(const InspectOptions& options);

}  // namespace kstate::cli
