// Options and help texts of the cluster commands.
#include "cluster_flags.h"

namespace kstate::cli {

namespace {

void AddCommon(CLI::App* cmd, InspectOptions& o) {
  cmd->add_option("files", o.files, "The .kstate files, together")->required()->type_name("FILE");
  cmd->add_option("--root", o.root, "The directory relative imports may not leave")->type_name("DIR");
  AddClusterFlags(cmd, o.cluster);
}

}  // namespace

void AddClusterFlags(CLI::App* cmd, ClusterFlags& f) {
  cmd->add_option("--kubeconfig", f.kubeconfig, "The kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)")
      ->type_name("FILE");
  cmd->add_option("--context", f.context, "The kubeconfig context (default: its current-context)");
  cmd->add_option("-n,--namespace", f.namespace_name,
                  "The namespace of objects whose file declares none (default: the context's)");
  cmd->add_flag("-v,--verbose", f.verbose, "Log every HTTP request (credentials are never shown)");
}

CLI::App* AddApplyCommand(CLI::App& app, ApplyOptions& o) {
  CLI::App* cmd = app.add_subcommand("apply", "Apply the files' objects to a cluster and wait until they are ready");
  cmd->add_option("files", o.files, "The .kstate files to apply, together")->required()->type_name("FILE");
  cmd->add_option("--root", o.root, "The directory relative imports may not leave")->type_name("DIR");
  AddClusterFlags(cmd, o.cluster);
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
  cmd->footer(
      "Objects go in order: Namespaces, ServiceAccounts and RBAC, ConfigMaps, Services, StatefulSets,\n"
      "PodDisruptionBudgets, by server-side apply with field manager `kstatec`. Components run in parallel;\n"
      "one that `dependsOn` another starts when that one is ready. A StatefulSet is ready when the\n"
      "controller has seen it, every replica is ready (and available with minReadySeconds) and, for\n"
      "RollingUpdate, every pod at or above the partition runs the new revision. A pod that crash-loops,\n"
      "cannot pull its image, has a bad config or cannot be scheduled fails the rollout at once.\n"
      "Exit codes: 0 applied and ready, 1 errors in the files, the kubeconfig, the API or a rollout, 2 wrong usage.");
  return cmd;
}

CLI::App* AddDiffCommand(CLI::App& app, InspectOptions& o) {
  CLI::App* cmd = app.add_subcommand("diff", "Show what `kstatec apply` would change on the cluster, as a unified diff");
  AddCommon(cmd, o);
  cmd->add_flag("--force-conflicts", o.force_conflicts, "Diff as if apply took over fields other managers own");
  cmd->footer("Live objects are compared with the API server's dry-run result of the apply, without status,\n"
              "managedFields and other server-managed metadata; Secret values are masked.\n"
              "Exit codes: 0 no changes, 1 changes, 2 an error (in the files, the kubeconfig or the API).");
  return cmd;
}

CLI::App* AddStatusCommand(CLI::App& app, InspectOptions& o) {
  CLI::App* cmd = app.add_subcommand("status", "Show the live state of the files' components: pods, claims, rollout");
  AddCommon(cmd, o);
  cmd->footer("Exit codes: 0 the state was read, 1 an error.");
  return cmd;
}

}  // namespace kstate::cli
