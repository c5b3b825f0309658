// `kstatec plan`: the plan `kstatec apply` prints before it changes anything,
// alone. It reads the cluster (and asks the server for dry runs) but never
// changes it.
#include <cstdio>

#include <fmt/format.h>

#include "apply_command.h"
#include "runtime/plan/planning.h"

namespace kstate::cli {

int RunPlan(const InspectOptions& o) {
  ClusterInput in;
  if (int code = PrepareCluster(o.files, o.root, o.cluster, o.applyset, "plan", in)) return code;
  const Compilation& c = *in.compilation;
  runtime::plan::PlanSettings settings{DefaultNamespace(*in.connection), in.applyset, o.force_conflicts};
  runtime::plan::Plan plan;
  std::string error;
  runtime::api::ApiClient& api = Api(*in.connection);
  if (!runtime::plan::MakePlan(c, api, settings, plan, error) || !runtime::plan::FindPruneCandidates(api, plan, error)) {
    fmt::print(stderr, "kstatec plan: {}\n", error);
    return 1;
  }
  for (const auto& [component, text] : runtime::plan::DescribePlan(c, plan, true)) {
    std::string shown = text;
    for (size_t at = shown.find('\n'); at != std::string::npos; at = shown.find('\n', at + 1)) shown.insert(at + 1, "  ");
    fmt::print("{}:\n  {}\n", component, shown);
  }
  std::string blocker = runtime::plan::Blocker(c, plan, false);
  if (!blocker.empty()) {
    fmt::print("\n{}\n", blocker.substr(0, blocker.rfind("\nnothing was changed")));
    return 1;
  }
  return 0;
}

}  // namespace kstate::cli
