// Options and help texts of the cluster commands.
#include "cluster_flags.h"

#include <fmt/format.h>

#include "compiler/base/text.h"

namespace kstate::cli {

namespace {

// The files, --root and the cluster flags, which every cluster command takes.
void AddInputs(CLI::App* cmd, std::vector<std::string>& files, std::string& root, ClusterFlags& cluster,
               const char* files_help) {
  cmd->add_option("files", files, files_help)->required()->type_name("FILE");
  cmd->add_option("--root", root, "The directory relative imports may not leave")->type_name("DIR");
  AddClusterFlags(cmd, cluster);
}

void AddCommon(CLI::App* cmd, InspectOptions& o) { AddInputs(cmd, o.files, o.root, o.cluster, "The .kstate files, together"); }

void AddApplySetOption(CLI::App* cmd, std::string& name) {
  cmd->add_option("--applyset", name,
                  "The ApplySet recording what the files applied (default: the first file's name without .kstate)")
      ->type_name("NAME");
}

}  // namespace

void AddClusterFlags(CLI::App* cmd, ClusterFlags& f) {
  cmd->add_option("--kubeconfig", f.kubeconfig, "The kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)")
      ->type_name("FILE");
  cmd->add_option("--context", f.context, "The kubeconfig context (default: its current-context)");
  cmd->add_option("-n,--namespace", f.namespace_name,
                  "The namespace of objects whose file declares none (default: the context's)")
      ->check([](const std::string& ns) {
        std::string why = base::CheckDns1123Label(ns);
        return why.empty() ? std::string() : fmt::format("`{}` is not a valid namespace name: {}", ns, why);
      });
  cmd->add_flag("-v,--verbose", f.verbose, "Log every HTTP request (credentials are never shown)");
}

CLI::App* AddApplyCommand(CLI::App& app, ApplyOptions& o) {
  CLI::App* cmd = app.add_subcommand("apply", "Apply the files' objects to a cluster and wait until they are ready");
  AddInputs(cmd, o.files, o.root, o.cluster, "The .kstate files to apply, together");
  cmd->add_option("--dry-run", o.dry_run, "server: send everything with dryRun=All; nothing changes")
      ->check(CLI::IsMember({"none", "server"}))
      ->capture_default_str();
  cmd->add_flag("--force-conflicts", o.force_conflicts,
                "Take ownership of fields that another field manager set (server-side apply conflicts)");
  cmd->add_flag("--no-wait", o.no_wait, "Return once everything is applied, without waiting for rollouts");
  cmd->add_option("--timeout", o.timeout, "How long to wait for all rollouts (10m, 90s, 1h30m)")->capture_default_str();
  cmd->add_option("--claim-grace", o.claim_grace, "How long a PersistentVolumeClaim may stay Pending")
      ->capture_default_str();
  cmd->add_option("-o,--output", o.output,
                  "auto (a live view on a terminal, else lines), live, lines, or json (one event per line)")
      ->check(CLI::IsMember({"auto", "live", "lines", "json"}))
      ->capture_default_str();
  cmd->add_flag("--recreate", o.recreate,
                "Carry out StatefulSet changes the API server forbids in place (selector, serviceName,\n"
                "volumeClaimTemplates, podManagementPolicy, storage growth) by recreating the StatefulSet\n"
                "without deleting its pods or claims");
  cmd->add_flag("--prune", o.prune,
                "Delete objects this file applied before that are no longer in it (never claims)");
  AddApplySetOption(cmd, o.applyset);
  cmd->footer(
      "First the plan: each StatefulSet is compared with the live one and the change is said in words: created,\n"
      "unchanged, in place (a rolling update), needs recreation, or impossible (a volume cannot shrink; existing\n"
      "claims cannot change access modes or class). Recreation is refused without --recreate. With it, the\n"
      "StatefulSet is deleted with propagationPolicy=Orphan (pods and claims stay and keep serving) and created\n"
      "again; it adopts the pods, then rolls them as usual. Growing storage first checks that the StorageClass\n"
      "allows expansion and resizes every existing claim. Progress is recorded on the ApplySet parent, so an\n"
      "interrupted recreation is finished by the next apply. `kstatec plan` prints the plan alone.\n"
      "\n"
      "Objects go in order: Namespaces, ServiceAccounts and RBAC, ConfigMaps, Services, StatefulSets,\n"
      "PodDisruptionBudgets, by server-side apply with field manager `kstatec`. Components run in parallel;\n"
      "one that `dependsOn` another starts when that one is ready. A StatefulSet is ready when the\n"
      "controller has seen it, every replica is ready (and available with minReadySeconds) and, for\n"
      "RollingUpdate, every pod at or above the partition runs the new revision. A pod that crash-loops,\n"
      "cannot pull its image, has a bad config or cannot be scheduled fails the rollout at once.\n"
      "\n"
      "Every namespaced object is labelled as a member of the ApplySet (KEP-3659) whose parent is the Secret\n"
      "kstate.<applyset> in its namespace; `kubectl get all -l applyset.kubernetes.io/part-of=<id>` lists them.\n"
      "With --prune, members that left the files are deleted after the apply; PersistentVolumeClaims are never\n"
      "pruned, and neither are Namespaces.\n"
      "Exit codes: 0 applied and ready, 1 errors in the files, the kubeconfig, the API, the plan or a rollout,\n"
      "2 wrong usage.");
  return cmd;
}

CLI::App* AddDiffCommand(CLI::App& app, InspectOptions& o) {
  CLI::App* cmd = app.add_subcommand("diff", "Show what `kstatec apply` would change on the cluster, as a unified diff");
  AddCommon(cmd, o);
  cmd->add_flag("--force-conflicts", o.force_conflicts, "Diff as if apply took over fields other managers own");
  AddApplySetOption(cmd, o.applyset);
  cmd->footer("Live objects are compared with the API server's dry-run result of the apply, without status,\n"
              "managedFields and other server-managed metadata; Secret values are masked.\n"
              "Before an object's diff, a drift section lists the fields other field managers changed on the\n"
              "cluster (from managedFields): those the file sets stop apply with a conflict unless\n"
              "--force-conflicts (the diff then shows what --force-conflicts applies); the others apply keeps.\n"
              "Exit codes: 0 no drift and no changes, 1 drift or changes, 2 an error (in the files, the\n"
              "kubeconfig or the API).");
  return cmd;
}

CLI::App* AddPlanCommand(CLI::App& app, InspectOptions& o) {
  CLI::App* cmd = app.add_subcommand("plan", "Show what `kstatec apply` would do to each component, in words, and change nothing");
  AddCommon(cmd, o);
  AddApplySetOption(cmd, o.applyset);
  cmd->footer("For each component: objects created, changed or unchanged; for a StatefulSet whether the change\n"
              "is in place (and rolls the pods), needs --recreate (and why), or is impossible; claims and the\n"
              "persistentVolumeClaimRetentionPolicy; a recreation left unfinished; and what --prune would delete.\n"
              "Exit codes: 0 the plan can be applied, 1 it needs --recreate or is impossible, or an error.");
  return cmd;
}

CLI::App* AddDeleteCommand(CLI::App& app, DeleteOptions& o) {
  CLI::App* cmd = app.add_subcommand("delete", "Delete the files' objects from the cluster, keeping their data");
  AddInputs(cmd, o.files, o.root, o.cluster, "The .kstate files whose objects to delete");
  AddApplySetOption(cmd, o.applyset);
  cmd->add_flag("--delete-data", o.delete_data,
                "Also delete the StatefulSets' PersistentVolumeClaims: their data is lost");
  cmd->add_flag("-y,--yes", o.yes, "Do not ask for confirmation of --delete-data (required when not on a terminal)");
  cmd->add_option("--dry-run", o.dry_run, "server: send every delete with dryRun=All; nothing changes")
      ->check(CLI::IsMember({"none", "server"}))
      ->capture_default_str();
  cmd->add_flag("--no-wait", o.no_wait, "Return once the deletes are accepted, without waiting for the objects to go");
  cmd->add_option("--timeout", o.timeout, "How long to wait for the objects to go (5m, 90s)")->capture_default_str();
  cmd->footer("Objects are deleted in reverse apply order and waited for. PersistentVolumeClaims are kept and\n"
              "listed with their sizes unless --delete-data is given. A StatefulSet whose\n"
              "persistentVolumeClaimRetentionPolicy.whenDeleted is Delete would take its claims with it: it is\n"
              "deleted only with --delete-data. Namespaces are never deleted (that would delete every claim in\n"
              "them). The ApplySet parent goes last.\n"
              "Exit codes: 0 deleted, 1 an error or something refused, 2 wrong usage.");
  return cmd;
}

CLI::App* AddStatusCommand(CLI::App& app, InspectOptions& o) {
  CLI::App* cmd = app.add_subcommand("status", "Show the live state of the files' components: pods, claims, rollout");
  AddCommon(cmd, o);
  cmd->footer("Exit codes: 0 the state was read, 1 an error.");
  return cmd;
}

ClusterCommands::ClusterCommands(CLI::App& app)
    : apply_cmd(AddApplyCommand(app, apply)),
      diff_cmd(AddDiffCommand(app, diff)),
      status_cmd(AddStatusCommand(app, status)),
      plan_cmd(AddPlanCommand(app, plan)),
      delete_cmd(AddDeleteCommand(app, del)) {}

bool ClusterCommands::Parsed() const {
  return apply_cmd->parsed() || diff_cmd->parsed() || status_cmd->parsed() || plan_cmd->parsed() ||
         delete_cmd->parsed();
}

}  // namespace kstate::cli
