// `kstatec apply`: the plan first (planning.h: every StatefulSet change
// classified, refused when it needs --recreate or cannot be done), then
// server-side apply of a compiled file's objects in order (Namespaces,
// ServiceAccounts and RBAC, ConfigMaps, Services, StatefulSets,
// PodDisruptionBudgets) as members of an ApplySet, components in parallel
// unless one `dependsOn` another, recreations carried out (recreate.h), then
// waiting for every rollout with live progress, and prune.
#pragma once

#include <chrono>
#include <string>

#include "kstate/compiler.h"
#include "runtime/api/api_client.h"
#include "runtime/plan/progress.h"

namespace kstate::runtime::plan {

struct ApplySettings {
  bool dry_run = false;          // --dry-run=server: everything with dryRun=All, nothing changes
  bool force_conflicts = false;  // take ownership of fields other managers own
  bool wait = true;              // wait for rollouts (not under dry run)
  std::chrono::milliseconds timeout{std::chrono::minutes(10)};  // bounds the whole wait
  std::chrono::milliseconds poll{500};
  std::chrono::seconds claim_grace{60};  // a claim Pending longer than this fails the rollout
  std::string default_namespace = "default";  // for objects of files without a `namespace`
  std::string applyset = "kstate";            // the ApplySet name (see applyset.h)
  bool recreate = false;  // carry out changes that need the StatefulSet recreated (see recreate.h)
  bool prune = false;     // delete members of the ApplySet that left the files (never claims)
};

// Applies `compilation` (which must be ok()) and reports through `reporter`.
// Returns true when every component was applied and (unless dry run) ready.
bool Apply(const Compilation& compilation, api::ApiClient& api, const ApplySettings& settings, Reporter& reporter);

// Where in the `.kstate` source a field of an emitted object came from, for
// an API error's cause (`spec.template.spec.containers[0].image`):
// "file:line:col", or empty when unknown.
std::string SourceOfField(const Compilation& compilation, const std::string& kind, const std::string& name,
                          const std::string& field_path);

}  // namespace kstate::runtime::plan
