// Making the plan: one GET per StatefulSet (plus its claims, the StorageClass
// of claims that grow and a dry-run apply for in-place changes), so a plain
// apply pays little for it; other kinds are applied without a plan of their own.
#include "runtime/plan/planning.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "compiler/emit/lower.h"
#include "runtime/plan/apply.h"
#include "runtime/plan/claims.h"

namespace kstate::runtime::plan {

namespace {

bool IsMember(const PlannedObject& p) { return p.resource.namespaced && !p.ns.empty(); }

// allowVolumeExpansion of every StorageClass the claims use (each read once).
void ReadExpandable(api::ApiClient& api, const std::vector<Claim>& claims, std::map<std::string, bool>& out) {
  for (const Claim& c : claims) {
    if (c.storage_class.empty() || out.count(c.storage_class)) continue;
    api::Result<api::Json> sc = api.Get(api::kStorageClasses, "", c.storage_class);
    const api::Json* allow = sc.ok() && sc.value->is_object() && sc.value->contains("allowVolumeExpansion")
                                 ? &(*sc.value)["allowVolumeExpansion"]
                                 : nullptr;
    out[c.storage_class] = allow && allow->is_boolean() && allow->get<bool>();
  }
}

// An in-place change, as the server's dry run of the apply shows it.
void DryRunInPlace(api::ApiClient& api, const PlannedObject& p, StatefulSetPlan& sp, bool force) {
  api::ApiClient::ApplyOptions options;
  options.dry_run = true;
  options.force = force;
  api::Result<api::Json> dry = api.Apply(p.resource, p.ns, p.object.name, sp.desired, options);
  if (dry.ok()) {
    sp.change.reasons = DescribeChanges(WithoutServerFields(sp.live), WithoutServerFields(*dry.value));
    if (sp.change.reasons.empty()) sp.change.kind = StatefulSetChange::Kind::Unchanged;
  } else if (RefusedInPlace(dry.error)) {
    sp.change.kind = StatefulSetChange::Kind::Recreate;
    sp.change.reasons = {"the API server refuses to change it in place: " + dry.error.message};
    sp.change.fields = {""};
  } else if (dry.error.status == 400 || dry.error.status == 422) {
    // A spec the server finds invalid would be refused by the apply too
    // (after the component's other objects were applied): the change
    // cannot be made as it is, and nothing is applied.
    sp.change.kind = StatefulSetChange::Kind::Impossible;
    sp.change.reasons = {"the server's dry run of the apply fails: " + dry.error.Describe()};
  } else {
    // A conflict (409: apply names the field and --force-conflicts) or a
    // failure of the moment: the apply itself reports it.
    sp.change.reasons.push_back("the server's dry run of the apply fails: " + dry.error.Describe());
  }
}

// The claims of each namespace, read once, and the StorageClasses, shared by
// the threads that plan StatefulSets.
struct Shared {
  std::map<std::string, api::Result<api::Json>> claims;  // namespace -> LIST
  std::mutex mutex;
  std::map<std::string, bool> expandable;
};

bool PlanStatefulSet(api::ApiClient& api, const Plan& plan, const PlannedObject& p, const PlanSettings& settings,
                     Shared& shared, StatefulSetPlan& sp, std::string& error) {
  sp.desired = Body(plan, p);
  api::Result<api::Json> live = api.Get(p.resource, p.ns, p.object.name);
  if (!live.ok() && live.error.status != 404) {
    error = fmt::format("cannot read StatefulSet {}/{}: {}", p.ns, p.object.name, live.error.Describe());
    return false;
  }
  if (live.ok()) sp.live = *live.value;
  sp.deleting = live.ok() && sp.live.is_object() && sp.live["metadata"].is_object() &&
                sp.live["metadata"].contains("deletionTimestamp");
  if (auto parent = plan.parents.find(p.ns); parent != plan.parents.end()) {
    if (auto r = parent->second.recreates.find(p.object.name); r != parent->second.recreates.end()) sp.record = r->second;
  }
  std::vector<std::string> templates = ClaimTemplateNames(sp.desired);
  for (const std::string& t : ClaimTemplateNames(sp.live)) {
    if (std::find(templates.begin(), templates.end(), t) == templates.end()) templates.push_back(t);
  }
  std::vector<Claim> claims;
  const api::Result<api::Json>& list = shared.claims.at(p.ns);
  if (!list.ok() && list.error.status != 404) {
    error = fmt::format("cannot list the claims in namespace {}: {}", p.ns, list.error.Describe());
    return false;
  }
  if (list.ok() && !templates.empty()) claims = ClaimsIn(*list.value, p.ns, p.object.name, templates);
  std::map<std::string, bool> expandable;
  if (!sp.live.is_null() && !claims.empty()) {
    std::lock_guard lock(shared.mutex);
    ReadExpandable(api, claims, shared.expandable);
    expandable = shared.expandable;
  }
  sp.change = ClassifyStatefulSet(sp.desired, sp.deleting ? api::Json() : sp.live, claims, expandable);
  if (sp.deleting) {
    sp.change.kind = StatefulSetChange::Kind::Recreate;
    sp.change.reasons = {"it is being deleted (a recreation was interrupted): it is created again once it is gone"};
    sp.change.fields = {""};
  } else if (sp.change.kind == StatefulSetChange::Kind::InPlace) {
    DryRunInPlace(api, p, sp, settings.force_conflicts);
  }
  return true;
}

std::string Where(const PlannedObject& p) { return p.ns.empty() ? p.object.name : p.ns + "/" + p.object.name; }

// A reason with the `.kstate` line its field comes from, when known.
std::string Reason(const Compilation& c, const PlannedObject& p, const StatefulSetChange& change, size_t i) {
  const std::string& field = i < change.fields.size() ? change.fields[i] : std::string();
  std::string where = field.empty() ? "" : SourceOfField(c, p.object.kind, p.object.name, field);
  return where.empty() ? change.reasons[i] : change.reasons[i] + " (" + where + ")";
}

void DescribeStatefulSet(const Compilation& compilation, const PlannedObject& p, const StatefulSetPlan& sp,
                         std::vector<std::string>& lines) {
  using Kind = StatefulSetChange::Kind;
  const StatefulSetChange& c = sp.change;
  std::string head = fmt::format("StatefulSet {}: {}", Where(p), KindWord(c.kind));
  if (c.kind == Kind::Create && !sp.record.empty()) head += " (finishing a recreation an earlier apply began)";
  if (c.kind == Kind::Recreate) head += !sp.record.empty() ? " (finishing a recreation an earlier apply began)" : ", because";
  if (c.kind == Kind::Impossible) head += ", because";
  lines.push_back(head);
  for (size_t i = 0; i < c.reasons.size(); ++i) lines.push_back("  " + Reason(compilation, p, c, i));
  if (c.kind == Kind::InPlace) {
    bool pods = std::any_of(c.reasons.begin(), c.reasons.end(),
                            [](const std::string& r) { return r.rfind("spec.template", 0) == 0; });
    std::string strategy = sp.desired["spec"].value("updateStrategy", api::Json::object()).value("type", "RollingUpdate");
    if (pods && strategy == "OnDelete") lines.push_back("  the pods take the new template only when each is deleted (OnDelete)");
    else if (pods) lines.push_back("  the pods are replaced one at a time, highest ordinal first (a rolling update)");
  }
  if (c.kind == Kind::Recreate) {
    std::string grow;
    for (const auto& [t, size] : c.grow) grow += fmt::format("resize every claim of {} to {} and wait until the resize is accepted, ", t, size);
    lines.push_back(fmt::format("  {}: {}delete the StatefulSet with propagationPolicy=Orphan (its pods and claims stay "
                                "and keep serving), {}create it again; it adopts the running pods{}",
                                sp.record.empty() ? "with --recreate" : "this apply will", grow,
                                c.relabel_pods ? "give the pods the new selector's labels, " : "",
                                c.restart_pods ? ", which are then restarted one at a time" : ", which then roll as usual"));
  }
  if (!c.claims.empty()) {
    std::string list;
    for (const Claim& claim : c.claims) list += (list.empty() ? "" : ", ") + DescribeClaim(claim);
    lines.push_back(fmt::format("  claims {}: {}", c.kind == Kind::Create ? "already there (reused)" : "kept", list));
  }
  if (!ClaimTemplateNames(sp.desired).empty() || !c.claims.empty()) {
    lines.push_back("  persistentVolumeClaimRetentionPolicy: " + c.retention);
  }
}

// Plans every StatefulSet, on a few threads: each costs one to three round
// trips, and a file may hold a hundred.
bool PlanStatefulSets(api::ApiClient& api, const PlanSettings& settings, Plan& plan, std::string& error) {
  std::vector<size_t> todo;
  Shared shared;
  for (size_t i = 0; i < plan.objects.size(); ++i) {
    const PlannedObject& p = plan.objects[i];
    if (p.object.kind != "StatefulSet" || p.resource.group != "apps") continue;
    todo.push_back(i);
    if (!shared.claims.count(p.ns)) {
      shared.claims[p.ns] = api.List(api::kClaims, p.ns);
    }
  }
  std::vector<StatefulSetPlan> plans(todo.size());
  std::vector<std::string> errors(todo.size());
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t k = next++; k < todo.size(); k = next++) {
      plans[k].object = todo[k];
      try {
        if (!PlanStatefulSet(api, plan, plan.objects[todo[k]], settings, shared, plans[k], errors[k]) &&
            errors[k].empty()) {
          errors[k] = "cannot plan";
        }
      } catch (const std::exception& e) {  // an exception leaving a thread would abort the process
        errors[k] = fmt::format("an answer of the API server kstatec cannot read ({})", e.what());
      }
    }
  };
  {
    std::vector<std::jthread> threads;
    for (size_t t = 0; t < std::min<size_t>(8, todo.size()); ++t) threads.emplace_back(worker);
  }
  for (size_t k = 0; k < todo.size(); ++k) {
    if (!errors[k].empty()) {
      error = errors[k];
      return false;
    }
    plan.statefulsets[plan.objects[todo[k]].component] = std::move(plans[k]);
  }
  return true;
}

// A label selector (matchLabels and matchExpressions, or a Service's plain
// map) against a set of labels. An empty or absent selector of a
// PodDisruptionBudget matches every pod; a Service without one selects none.
bool SelectorMatches(const api::Json& selector, const api::Json& labels, bool plain) {
  if (plain) {
    if (!selector.is_object() || selector.empty()) return false;
    for (const auto& [key, value] : selector.items()) {
      if (api::Member(labels, key) != value) return false;
    }
    return true;
  }
  const api::Json& match = api::Member(selector, "matchLabels");
  if (match.is_object() && !match.empty() && !SelectorMatches(match, labels, true)) return false;
  const api::Json& expressions = api::Member(selector, "matchExpressions");
  for (const api::Json& e : expressions.is_array() ? expressions : api::Json::array()) {
    const api::Json& have = api::Member(labels, api::StringMember(e, "key"));
    const std::string op = api::StringMember(e, "operator");
    const api::Json& values = api::Member(e, "values");
    const bool listed =
        !have.is_null() && values.is_array() && std::find(values.begin(), values.end(), have) != values.end();
    if ((op == "In" && !listed) || (op == "NotIn" && listed) || (op == "Exists" && have.is_null()) ||
        (op == "DoesNotExist" && !have.is_null())) {
      return false;
    }
  }
  return true;
}

// The ConfigMaps and Secrets a pod spec names: volumes (also projected),
// env and envFrom of every container, image pull secrets. Iterative: the
// spec comes from the server, however deeply it nests.
void CollectPodReferences(const api::Json& root, std::set<std::string>& config_maps, std::set<std::string>& secrets) {
  auto add = [](const api::Json& ref, std::string_view field, std::set<std::string>& to) {
    if (const api::Json& name = api::Member(ref, field); name.is_string()) to.insert(name.get<std::string>());
  };
  std::vector<const api::Json*> stack = {&root};
  while (!stack.empty()) {
    const api::Json& node = *stack.back();
    stack.pop_back();
    if (node.is_array()) {
      for (const api::Json& n : node) stack.push_back(&n);
      continue;
    }
    if (!node.is_object()) continue;
    for (const auto& [key, value] : node.items()) {
      if (value.is_object() && (key == "configMap" || key == "configMapKeyRef" || key == "configMapRef")) {
        add(value, "name", config_maps);
      } else if (value.is_object() && (key == "secret" || key == "secretKeyRef" || key == "secretRef")) {
        add(value, "secretName", secrets);
        add(value, "name", secrets);
      } else if (key == "imagePullSecrets" && value.is_array()) {
        for (const api::Json& ref : value) add(ref, "name", secrets);
      } else {
        stack.push_back(&value);
      }
    }
  }
}

// What a StatefulSet that prune keeps uses, read once from the live object:
// its governing Service, its pods' labels (for the Services and
// PodDisruptionBudgets that select them), and the ConfigMaps, Secrets and
// ServiceAccount its pods name. Deleting those would leave the kept database
// without its DNS names, its disruption budget, or pods that can start again.
struct KeptStatefulSet {
  std::string name, ns, service_name, service_account;
  api::Json pod_labels;
  std::set<std::string> config_maps, secrets;

  KeptStatefulSet(const PruneCandidate& c, const api::Json& sts) : name(c.name), ns(c.ns) {
    const api::Json& spec = api::Member(sts, "spec");
    const api::Json& pod = api::Member(spec, "template");
    const api::Json& pod_spec = api::Member(pod, "spec");
    service_name = api::StringMember(spec, "serviceName");
    service_account = api::StringMember(pod_spec, "serviceAccountName");
    pod_labels = api::Member(api::Member(pod, "metadata"), "labels");
    CollectPodReferences(pod_spec, config_maps, secrets);
  }

  // Why `candidate` (listed as `object`) stays with this StatefulSet; empty
  // when it does not use it.
  std::string Uses(const PruneCandidate& candidate, const api::Json& object) const {
    if (candidate.ns != ns) return {};
    const api::Json& selector = api::Member(api::Member(object, "spec"), "selector");
    const std::string& kind = candidate.resource.kind;
    const bool core = candidate.resource.group.empty();
    std::string use;
    if (core && kind == "Service" && service_name == candidate.name) {
      use = "its governing Service (spec.serviceName)";
    } else if (core && kind == "Service" && SelectorMatches(selector, pod_labels, true)) {
      use = "a Service that selects its pods";
    } else if (candidate.resource.group == "policy" && kind == "PodDisruptionBudget" &&
               SelectorMatches(selector, pod_labels, false)) {
      use = "the disruption budget of its pods";
    } else if (core && ((kind == "ConfigMap" && config_maps.count(candidate.name)) ||
                        (kind == "Secret" && secrets.count(candidate.name)))) {
      use = "used by its pods";
    } else if (core && kind == "ServiceAccount" && service_account == candidate.name) {
      use = "the service account of its pods";
    }
    return use.empty() ? std::string() : fmt::format("StatefulSet {} is kept, and this is {}", name, use);
  }
};

}  // namespace

bool RefusedInPlace(const api::ApiError& e) {
  return e.status == 422 && e.message.find("updates to statefulset spec") != std::string::npos;
}

api::Json Body(const Plan& plan, const PlannedObject& p) {
  api::Json body = api::Json::parse(emit::NodeToJson(p.object.root, false), nullptr, false);
  if (IsMember(p)) {
    if (auto set = plan.sets.find(p.ns); set != plan.sets.end()) LabelMember(body, set->second);
  }
  return body;
}

void AssignApplySets(const std::string& applyset, Plan& plan) {
  for (const PlannedObject& p : plan.objects) {
    if (!IsMember(p)) continue;
    plan.sets.emplace(p.ns, MakeApplySet(applyset, p.ns));
    plan.kinds[p.ns].insert(GroupKind(p.resource));
  }
}

bool MakePlan(const Compilation& c, api::ApiClient& api, const PlanSettings& settings, Plan& plan, std::string& error) {
  if (!PlanObjects(c, api, settings.default_namespace, plan.objects, error)) return false;
  AssignApplySets(settings.applyset, plan);
  for (const auto& [ns, set] : plan.sets) {
    api::Result<Parent> parent = ReadParent(api, set);
    if (!parent.ok()) {
      error = fmt::format("ApplySet {} in namespace {}: {}", set.set, ns, parent.error.Describe());
      return false;
    }
    plan.parents[ns] = *parent.value;
  }
  return PlanStatefulSets(api, settings, plan, error);
}

bool FindPruneCandidates(api::ApiClient& api, Plan& plan, std::string& error) {
  plan.prune.clear();
  std::vector<api::Json> objects;  // as listed, beside plan.prune
  for (const auto& [ns, set] : plan.sets) {
    std::set<std::string> kinds = plan.kinds[ns];
    if (auto parent = plan.parents.find(ns); parent != plan.parents.end()) {
      kinds.insert(parent->second.group_kinds.begin(), parent->second.group_kinds.end());
    }
    std::optional<api::Result<api::Json>> claims;  // the namespace's claims, once a StatefulSet needs them
    for (const std::string& gk : kinds) {
      api::Result<api::Resource> r = ResolveGroupKind(api, gk);
      if (!r.ok()) {
        error = fmt::format("ApplySet {} in namespace {}: kind {}: {}", set.set, ns, gk, r.error.Describe());
        return false;
      }
      api::Result<api::Json> list = api.List(*r.value, ns, std::string(kApplySetPartOfLabel) + "=" + set.id);
      if (!list.ok()) {
        error = fmt::format("cannot list the {} of ApplySet {} in {}: {}", gk, set.set, ns, list.error.Describe());
        return false;
      }
      const api::Json items = list.value->is_object() ? list.value->value("items", api::Json::array()) : api::Json::array();
      for (const api::Json& item : items.is_array() ? items : api::Json::array()) {
        if (!item.is_object() || !item.contains("metadata") || !item["metadata"].is_object()) continue;
        const api::Json& meta = item["metadata"];
        std::string name = meta.value("name", ""), uid = meta.value("uid", "");
        bool wanted = std::any_of(plan.objects.begin(), plan.objects.end(), [&](const PlannedObject& p) {
          return p.ns == ns && p.object.name == name && GroupKind(p.resource) == gk;
        });
        if (wanted || name.empty()) continue;
        PruneCandidate candidate{*r.value, ns, name, uid, {}};
        if (r.value->kind == "PersistentVolumeClaim" && r.value->group.empty()) {
          candidate.kept_because = "claims hold data and are never pruned";
        } else if (r.value->kind == "StatefulSet" && RetentionOf(item).find("whenDeleted=Delete") != std::string::npos) {
          candidate.kept_because = "its persistentVolumeClaimRetentionPolicy.whenDeleted is Delete, so deleting it "
                                   "would delete its claims; `kstatec delete --delete-data` is the way to do that";
        } else if (r.value->kind == "StatefulSet") {
          // Owner references a retention policy of Delete left on the claims
          // outlive a change to Retain: the garbage collector would still
          // delete those claims with the StatefulSet (as `kstatec delete` checks).
          if (!claims) {  // read once per namespace, for all its StatefulSets
            claims = api.List(api::kClaims, ns);
            if (!claims->ok()) {
              error = fmt::format("cannot list the claims in {} before pruning StatefulSet {}: {}", ns, name,
                                  claims->error.Describe());
              return false;
            }
          }
          std::vector<std::string> owned = CollectedClaimsIn(*claims->value, name, uid);
          if (!owned.empty()) {
            candidate.kept_because = fmt::format(
                "the claims {} are owned by it or its pods, so Kubernetes would delete them with it; "
                "`kstatec delete --delete-data` is the way to do that",
                fmt::join(owned, ", "));
          }
        }
        plan.prune.push_back(std::move(candidate));
        objects.push_back(item);
      }
    }
  }
  // What a kept StatefulSet uses stays with it. One pass suffices: only
  // StatefulSets keep other objects, and a StatefulSet is never kept by one.
  std::vector<KeptStatefulSet> kept;
  for (std::size_t i = 0; i < plan.prune.size(); ++i) {
    const PruneCandidate& c = plan.prune[i];
    if (c.resource.kind == "StatefulSet" && !c.kept_because.empty()) kept.emplace_back(c, objects[i]);
  }
  for (std::size_t i = 0; i < plan.prune.size() && !kept.empty(); ++i) {
    for (const KeptStatefulSet& sts : kept) {
      if (!plan.prune[i].kept_because.empty()) break;
      plan.prune[i].kept_because = sts.Uses(plan.prune[i], objects[i]);
    }
  }
  // Reverse apply order: a PodDisruptionBudget before its StatefulSet, that before its Service.
  std::stable_sort(plan.prune.begin(), plan.prune.end(), [](const PruneCandidate& a, const PruneCandidate& b) {
    return emit::ApplyRank(a.resource.kind) > emit::ApplyRank(b.resource.kind);
  });
  return true;
}

std::vector<std::pair<std::string, std::string>> DescribePlan(const Compilation& c, const Plan& plan, bool show_prune) {
  std::vector<std::pair<std::string, std::string>> out;
  std::vector<std::string> order;
  for (const PlannedObject& p : plan.objects) {
    if (!p.component.empty() && std::find(order.begin(), order.end(), p.component) == order.end()) {
      order.push_back(p.component);
    }
  }
  for (const std::string& component : order) {
    std::vector<std::string> lines;
    auto sp = plan.statefulsets.find(component);
    if (sp != plan.statefulsets.end()) DescribeStatefulSet(c, plan.objects[sp->second.object], sp->second, lines);
    std::string others;
    for (const PlannedObject& p : plan.objects) {
      if (p.component == component && p.object.kind != "StatefulSet") others += (others.empty() ? "" : ", ") + p.object.kind + " " + Where(p);
    }
    if (!others.empty()) lines.push_back("server-side apply of " + others);
    std::string text;
    for (const std::string& l : lines) text += (text.empty() ? "" : "\n") + l;
    out.emplace_back(component, text);
  }
  if (show_prune) {
    for (const PruneCandidate& p : plan.prune) {
      std::string what = fmt::format("{} {}/{}", p.resource.kind, p.ns, p.name);
      out.emplace_back("prune", p.kept_because.empty() ? what + ": to be deleted (no longer in the files)"
                                                       : what + ": not in the files any more, but kept: " + p.kept_because);
    }
  }
  return out;
}

std::string Blocker(const Compilation& c, const Plan& plan, bool recreate) {
  std::string out;
  for (const auto& [component, sp] : plan.statefulsets) {
    const PlannedObject& p = plan.objects[sp.object];
    if (sp.change.kind == StatefulSetChange::Kind::Impossible) {
      out += fmt::format("StatefulSet {}: the change cannot be made ({}); change the file back\n", Where(p),
                         sp.change.reasons.empty() ? "" : Reason(c, p, sp.change, 0));
    } else if (sp.change.kind == StatefulSetChange::Kind::Recreate && !recreate && sp.record.empty()) {
      out += fmt::format(
          "StatefulSet {} needs recreation: the API server forbids this change in place ({}). `kstatec apply "
          "--recreate` would {}delete it with propagationPolicy=Orphan, so its pods and claims stay and keep "
          "serving, create it again with the new spec and let it adopt the running pods\n",
          Where(p), sp.change.reasons.empty() ? "" : Reason(c, p, sp.change, 0),
          sp.change.grow.empty() ? "" : "resize its existing claims first, then ");
    }
  }
  if (!out.empty()) out += "nothing was changed";
  return out;
}

}  // namespace kstate::runtime::plan
