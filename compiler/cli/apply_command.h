// `kstatec apply`: compile, then put the objects on the cluster the
// kubeconfig selects and wait for their rollouts.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "kstate/compiler.h"
#include "runtime/api/api_client.h"
#include "runtime/kube/kubeconfig.h"

namespace kstate::cli {

// How to reach the cluster, as kubectl's flags say it.
struct ClusterFlags {
  std::string kubeconfig, context, namespace_name;
  bool verbose = false;
};
void AddClusterFlags(CLI::App* cmd, ClusterFlags& flags);

// A connection to the cluster the flags select: the API client and the
// namespace for objects of files that declare none. Null after printing why
// (to stderr, prefixed with `command`).
struct Connection {
  runtime::kube::ClusterAccess access;
  std::unique_ptr<runtime::api::ApiClient> api;
};
std::unique_ptr<Connection> Connect(const ClusterFlags& flags, const char* command);
runtime::api::ApiClient& Api(Connection& c);
const std::string& DefaultNamespace(const Connection& c);

// Compiles the files and prints their diagnostics; nullopt when they have errors.
std::optional<Compilation> CompileForCluster(const std::vector<std::string>& files, const std::string& root);

struct ApplyOptions {
  std::vector<std::string> files;
  std::string root;
  ClusterFlags cluster;
  std::string dry_run = "none";
  bool force_conflicts = false;
  bool no_wait = false;
  std::string timeout = "10m";
  std::string claim_grace = "60s";
  std::string output = "auto";
};

CLI::App* AddApplyCommand(CLI::App& app, ApplyOptions& options);
// Returns the exit code: 0 applied and ready, 1 anything else failed, 2 bad usage.
int RunApply(const ApplyOptions& options);

}  // namespace kstate::cli
