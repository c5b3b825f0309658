// The command lines of `kstatec apply`, `plan`, `diff`, `status` and `delete`: their options
// and flags only. `kstatec` parses them (for --help and usage errors) and
// runs `kstatec-cluster`, which links the runtime, with the same arguments.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace kstate::cli {

// How to reach the cluster, as kubectl's flags say it.
struct ClusterFlags {
  std::string kubeconfig, context, namespace_name;
  bool verbose = false;
};
void AddClusterFlags(CLI::App* cmd, ClusterFlags& flags);

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
  bool recreate = false;
  bool prune = false;
  std::string applyset;  // empty: the first file's name without .kstate
};

struct InspectOptions {
  std::vector<std::string> files;
  std::string root;
  ClusterFlags cluster;
  bool force_conflicts = false;
  std::string applyset;  // plan and diff
};

struct DeleteOptions {
  std::vector<std::string> files;
  std::string root;
  ClusterFlags cluster;
  std::string applyset;
  bool delete_data = false;
  bool yes = false;
  std::string dry_run = "none";
  bool no_wait = false;
  std::string timeout = "5m";
};

CLI::App* AddApplyCommand(CLI::App& app, ApplyOptions& options);
CLI::App* AddDiffCommand(CLI::App& app, InspectOptions& options);
CLI::App* AddStatusCommand(CLI::App& app, InspectOptions& options);
CLI::App* AddPlanCommand(CLI::App& app, InspectOptions& options);
CLI::App* AddDeleteCommand(CLI::App& app, DeleteOptions& options);

// Every command `kstatec-cluster` runs, registered on `app` in the order
// --help lists them, with the options each fills in. `kstatec` registers them
// the same way (for --help and usage errors) and hands over when one is parsed.
struct ClusterCommands {
  explicit ClusterCommands(CLI::App& app);
  ClusterCommands(const ClusterCommands&) = delete;  // CLI11 holds pointers to the options
  ClusterCommands& operator=(const ClusterCommands&) = delete;
  bool Parsed() const;

  ApplyOptions apply;
  InspectOptions diff, status, plan;
  DeleteOptions del;
  CLI::App* apply_cmd;
  CLI::App* diff_cmd;
  CLI::App* status_cmd;
  CLI::App* plan_cmd;
  CLI::App* delete_cmd;
};

}  // namespace kstate::cli
