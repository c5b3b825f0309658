// The command line of `kstatec delete`: usage checks, the plan, and the one
// place where `--delete-data`, confirmed, becomes a DataDeletionConsent.
#include "delete_command.h"

#include <unistd.h>

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "apply_command.h"
#include "runtime/api/data_deletion.h"
#include "runtime/plan/applyset.h"
#include "runtime/plan/claims.h"
#include "runtime/plan/delete.h"

namespace kstate::cli {

namespace {

int Fail(int code, const std::string& message) {
  fmt::print(stderr, "kstatec delete: {}\n", message);
  return code;
}

// Each line of a multi-line message with the command's prefix.
int FailLines(const std::string& message) {
  size_t start = 0;
  while (start < message.size()) {
    size_t end = message.find('\n', start);
    if (end == std::string::npos) end = message.size();
    fmt::print(stderr, "kstatec delete: {}\n", message.substr(start, end - start));
    start = end + 1;
  }
  return 1;
}

// Lists the claims and asks on the terminal; true only when `yes` is typed.
bool ConfirmDataDeletion(const std::vector<runtime::plan::Claim>& claims) {
  fmt::print("--delete-data deletes {} PersistentVolumeClaim{} and the data on {}:\n", claims.size(),
             claims.size() == 1 ? "" : "s", claims.size() == 1 ? "it" : "them");
  for (const runtime::plan::Claim& c : claims) fmt::print("  PersistentVolumeClaim {}/{}\n", c.ns, DescribeClaim(c));
  fmt::print("Type yes to delete {}: ", claims.size() == 1 ? "it" : "them");
  std::fflush(stdout);
  char line[256];
  if (!std::fgets(line, sizeof line, stdin)) return false;
  std::string answer = line;
  while (!answer.empty() && std::isspace(static_cast<unsigned char>(answer.back()))) answer.pop_back();
  while (!answer.empty() && std::isspace(static_cast<unsigned char>(answer.front()))) answer.erase(answer.begin());
  return answer == "yes";
}

}  // namespace

int RunDelete(const DeleteOptions& o) {
  // One line per action, seen as it happens even through a pipe or a log.
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  int64_t timeout = ParseDuration(o.timeout);
  if (timeout <= 0) return Fail(2, "--timeout takes a duration such as 5m, 90s or 1h30m");
  std::string set = ApplySetName(o.files, o.applyset, "delete");
  if (set.empty()) return 2;
  bool dry_run = o.dry_run == "server";
  // Asked before anything is read, so that a script without --yes learns it
  // at once and nothing is half done.
  bool ask = o.delete_data && !dry_run && !o.yes;
  if (ask && !isatty(STDIN_FILENO)) {
    return Fail(1,
                "--delete-data asks for confirmation on a terminal, and stdin is not one: give --yes as well to "
                "delete the data; nothing was deleted");
  }
  std::optional<Compilation> c = CompileForCluster(o.files, o.root);
  if (!c) return 1;
  std::unique_ptr<Connection> connection = Connect(o.cluster, "delete");
  if (!connection) return 1;
  runtime::plan::DeleteSettings settings;
  settings.dry_run = dry_run;
  settings.wait = !o.no_wait;
  settings.timeout = std::chrono::milliseconds(timeout);
  settings.default_namespace = DefaultNamespace(*connection);
  settings.applyset = set;
  runtime::plan::DeletePlan plan;
  std::string error;
  if (!runtime::plan::PlanDelete(*c, Api(*connection), settings, plan, error)) return Fail(1, error);
  runtime::plan::PrintDeletePlan(plan, o.delete_data, stdout);
  std::optional<runtime::api::DataDeletionConsent> consent;
  if (o.delete_data) {
    std::vector<runtime::plan::Claim> claims = runtime::plan::ClaimsToDelete(plan);
    if (ask && !claims.empty() && !ConfirmDataDeletion(claims)) return Fail(1, "cancelled; nothing was deleted");
    consent = runtime::api::DataDeletionConsent::FromDeleteDataFlag(dry_run);
  } else if (std::string why = runtime::plan::DataLossWithoutConsent(plan); !why.empty()) {
    return FailLines(why);
  }
  bool done =
      runtime::plan::CarryOutDelete(plan, Api(*connection), settings, consent ? &*consent : nullptr, stdout, stderr);
  return done ? 0 : 1;
}

}  // namespace kstate::cli
