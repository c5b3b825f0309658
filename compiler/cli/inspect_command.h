// `kstatec diff` and `kstatec status`: what apply would change, and what is
// running now.
#pragma once

#include "apply_command.h"

namespace kstate::cli {

struct InspectOptions {
  std::vector<std::string> files;
  std::string root;
  ClusterFlags cluster;
  bool force_conflicts = false;
};

CLI::App* AddDiffCommand(CLI::App& app, InspectOptions& options);
CLI::App* AddStatusCommand(CLI::App& app, InspectOptions& options);
// 0 no change, 1 changes, 2 an error.
int RunDiff(const InspectOptions& options);
// 0 read, 1 an error.
int RunStatus(const InspectOptions& options);

}  // namespace kstate::cli
