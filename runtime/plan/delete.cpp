// Deleting a file's objects: the plan read from the cluster, the refusal that
// protects data, then the deletes, each waited for before the next, so that
// what a later object needs (a Service, a ConfigMap) goes after it.
#include "runtime/plan/delete.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "compiler/base/quantity.h"
#include "compiler/driver/compilation_impl.h"
#include "runtime/plan/applyset.h"

namespace kstate::runtime::plan {

namespace {

using Clock = std::chrono::steady_clock;

std::string Where(const std::string& ns, const std::string& name) {
  return ns.empty() ? name : ns + "/" + name;
}
std::string Describe(const PlannedObject& o) {
  return o.object.kind + " " + Where(o.ns, o.object.name);
}

using api::Member;

// Components in the order apply starts them: each after those it depends
// on, otherwise in the files' order.
std::vector<std::string> ComponentOrder(const Compilation& c) {
  const auto& components = c.impl().program.components;
  std::set<std::string> known, placed;
  for (const check::Component& comp : components) known.insert(comp.name);
  std::vector<std::string> order;
  while (order.size() < components.size()) {
    auto ready = std::find_if(components.begin(), components.end(), [&](const check::Component& comp) {
      return !placed.count(comp.name) &&
             std::all_of(comp.depends_on.begin(), comp.depends_on.end(),
                         [&](const auto& d) { return placed.count(d.first) || !known.count(d.first); });
    });
    // A cycle (which the checker reports): the rest in the files' order.
    if (ready == components.end()) {
      ready = std::find_if(components.begin(), components.end(),
                           [&](const check::Component& comp) { return !placed.count(comp.name); });
    }
    order.push_back(ready->name);
    placed.insert(ready->name);
  }
  return order;
}

// `objects` (as PlanObjects gives them) in the order of deletion: the
// reverse of apply order, so Namespaces come last.
std::vector<PlannedObject> DeletionOrder(const Compilation& c, std::vector<PlannedObject> objects) {
  std::map<std::string, size_t> rank = {{"", 0}};  // Namespace declarations first
  for (const std::string& component : ComponentOrder(c)) rank.emplace(component, rank.size());
  auto rank_of = [&](const PlannedObject& o) {
    auto it = rank.find(o.component);
    return it == rank.end() ? rank.size() : it->second;
  };
  std::stable_sort(objects.begin(), objects.end(),
                   [&](const PlannedObject& a, const PlannedObject& b) { return rank_of(a) < rank_of(b); });
  std::reverse(objects.begin(), objects.end());
  return objects;
}

bool ReadStatefulSet(api::ApiClient& api, const DeleteStep& step, const api::Json* live, StatefulSetData& d,
                     std::string& error) {
  d.resource = step.planned.resource;
  d.ns = step.planned.ns;
  d.name = step.planned.object.name;
  d.uid = step.uid;
  if (live && Member(*live, "spec").is_object()) {
    const api::Json& policy = Member(Member(*live, "spec"), "persistentVolumeClaimRetentionPolicy");
    if (!api::StringMember(policy, "whenDeleted").empty()) d.when_deleted = api::StringMember(policy, "whenDeleted");
    if (!api::StringMember(policy, "whenScaled").empty()) d.when_scaled = api::StringMember(policy, "whenScaled");
    d.templates = ClaimTemplateNames(*live);
  } else if (!live) {
    // Gone already: the files' templates still name the claims it left.
    api::Json desired = api::Json::parse(emit::NodeToJson(step.planned.object.root, false), nullptr, false);
    if (Member(desired, "spec").is_object()) d.templates = ClaimTemplateNames(desired);
  }
  api::Result<std::vector<Claim>> claims = ClaimsOf(api, d.ns, d.name, d.templates);
  if (!claims.ok()) {
    error = fmt::format("cannot list the claims of StatefulSet {}: {}", Where(d.ns, d.name), claims.error.Describe());
    return false;
  }
  d.claims = std::move(*claims.value);
  if (!live) return true;
  api::Result<std::vector<std::string>> collected = CollectedClaims(api, d.ns, d.name, d.uid);
  if (!collected.ok()) {
    error = fmt::format("cannot list the claims in namespace {}: {}", d.ns, collected.error.Describe());
    return false;
  }
  d.collected = std::move(*collected.value);
  return true;
}

std::string ClaimList(const std::vector<Claim>& claims) {
  std::vector<std::string> parts;
  parts.reserve(claims.size());
  for (const Claim& c : claims) parts.push_back(DescribeClaim(c));
  return fmt::format("{}", fmt::join(parts, ", "));
}

}  // namespace

bool PlanDelete(const Compilation& c, api::ApiClient& api, const DeleteSettings& settings, DeletePlan& out,
                std::string& error) {
  std::vector<PlannedObject> objects;
  if (!PlanObjects(c, api, settings.default_namespace, objects, error)) return false;
  std::set<std::string> namespaces;
  for (PlannedObject& o : DeletionOrder(c, std::move(objects))) {
    api::Result<api::Json> live = api.Get(o.resource, o.ns, o.object.name);
    if (!live.ok() && live.error.status != 404) {
      error = fmt::format("cannot read {}: {}", Describe(o), live.error.Describe());
      return false;
    }
    if (o.resource.namespaced && !o.ns.empty()) namespaces.insert(o.ns);
    DeleteStep step{std::move(o), live.ok() ? api::StringMember(Member(*live.value, "metadata"), "uid") : ""};
    if (step.planned.object.kind == "StatefulSet") {
      StatefulSetData d;
      if (!ReadStatefulSet(api, step, live.ok() ? &*live.value : nullptr, d, error)) return false;
      out.statefulsets.push_back(std::move(d));
    }
    out.steps.push_back(std::move(step));
  }
  out.namespaces.assign(namespaces.begin(), namespaces.end());
  return true;
}

void PrintDeletePlan(const DeletePlan& plan, bool delete_data, std::FILE* out) {
  for (const StatefulSetData& s : plan.statefulsets) {
    std::string head = s.uid.empty() ? fmt::format("StatefulSet {}: already gone", Where(s.ns, s.name))
                                     : fmt::format(
                                           "StatefulSet {}: persistentVolumeClaimRetentionPolicy whenDeleted={}, "
                                           "whenScaled={}",
                                           Where(s.ns, s.name), s.when_deleted, s.when_scaled);
    if (s.claims.empty()) {
      fmt::print(out, "{}; no claims\n", head);
      continue;
    }
    fmt::print(out, "{}; {} claim{}, {}:\n", head, s.claims.size(), s.claims.size() == 1 ? "" : "s",
               delete_data ? "deleted with --delete-data" : "kept");
    for (const Claim& c : s.claims) fmt::print(out, "  {}\n", DescribeClaim(c));
  }
}

std::string DataLossWithoutConsent(const DeletePlan& plan) {
  std::string why;
  for (const StatefulSetData& s : plan.statefulsets) {
    if (s.uid.empty()) continue;
    std::string what = "StatefulSet " + Where(s.ns, s.name);
    if (s.when_deleted == "Delete") {
      why += fmt::format(
          "{} has persistentVolumeClaimRetentionPolicy whenDeleted=Delete: Kubernetes would delete its "
          "claims with it ({})\n",
          what, s.claims.empty() ? "none yet" : ClaimList(s.claims));
    } else if (!s.collected.empty()) {
      why += fmt::format(
          "{}: the claims {} are owned by it or its pods, so Kubernetes would delete them with it (owner "
          "references left by a retention policy of Delete)\n",
          what, fmt::join(s.collected, ", "));
    }
  }
  if (why.empty()) return why;
  return why +
         "nothing was deleted; either give --delete-data to delete the data as well, or keep it: set "
         "`retention { whenDeleted = retain }` in the component, run `kstatec apply`, then `kstatec delete` again";
}

std::vector<Claim> ClaimsToDelete(const DeletePlan& plan) {
  std::vector<Claim> out;
  for (const StatefulSetData& s : plan.statefulsets) out.insert(out.end(), s.claims.begin(), s.claims.end());
  return out;
}

namespace {

// Carries out a plan, one object at a time; see CarryOutDelete.
class Deleter {
 public:
  Deleter(api::ApiClient& api, const DeleteSettings& settings, std::FILE* out, std::FILE* err)
      : api_(api), settings_(settings), out_(out), err_(err), deadline_(Clock::now() + settings.timeout) {}

  bool Run(const DeletePlan& plan, const api::DataDeletionConsent* consent) {
    for (size_t i = 0; i < plan.steps.size(); ++i) {
      if (plan.steps[i].planned.object.kind == "Namespace") {
        KeepNamespace(plan.steps[i]);
      } else if (!DeleteObject(plan.steps[i])) {
        return Stopped(plan, i + 1);
      }
    }
    if (consent) {
      for (const StatefulSetData& s : plan.statefulsets) {
        if (!DeleteData(s, *consent)) return false;
      }
    }
    for (const std::string& ns : plan.namespaces) {
      if (!DeleteParent(ns, plan)) return false;
    }
    PrintKeptClaims(plan, consent != nullptr);
    if (settings_.dry_run) fmt::print(out_, "dry run: nothing was changed\n");
    return true;
  }

 private:
  bool Fail(const std::string& message) {
    fmt::print(err_, "kstatec delete: {}\n", message);
    return false;
  }
  // Says what is left after a failure at step `next - 1`, so that a half
  // done deletion is never a surprise.
  bool Stopped(const DeletePlan& plan, size_t next) {
    std::vector<std::string> left;
    for (size_t i = next; i < plan.steps.size(); ++i) {
      const DeleteStep& step = plan.steps[i];
      if (!step.uid.empty() && step.planned.object.kind != "Namespace") left.push_back(Describe(step.planned));
    }
    bool claims = !ClaimsToDelete(plan).empty();
    if (!left.empty() || claims) {
      Fail(fmt::format("stopped{}{}{}", left.empty() ? "" : "; not deleted: ", fmt::join(left, ", "),
                       claims ? "; no PersistentVolumeClaim was deleted" : ""));
    }
    return false;
  }
  // "deleted X", or under dry run "would delete X".
  void Done(const std::string& what, const std::string& detail = {}) {
    fmt::print(out_, "{} {}{}\n", settings_.dry_run ? "would delete" : "deleted", what, detail);
  }
  void Kept(const std::string& what, const std::string& why) {
    fmt::print(out_, "{} {}{}{}\n", settings_.dry_run ? "would keep" : "kept", what, why.empty() ? "" : ": ", why);
  }

  void KeepNamespace(const DeleteStep& step) {
    if (step.uid.empty()) {
      fmt::print(out_, "{}: already gone\n", Describe(step.planned));
      return;
    }
    Kept(Describe(step.planned), "deleting a namespace deletes everything in it, PersistentVolumeClaims included");
  }

  // DELETE with the UID read at plan time as a precondition, so that an
  // object someone created again since is never deleted by mistake.
  enum class Sent { Deleted, Gone, Failed };
  Sent SendDelete(const api::Resource& r, const std::string& ns, const std::string& name, const std::string& uid,
                  const std::string& what) {
    api::ApiClient::DeleteOptions options;
    options.propagation = "Background";
    options.dry_run = settings_.dry_run;
    options.uid = uid;
    api::Result<api::Json> result = api_.Delete(r, ns, name, options);
    if (result.ok()) {
      deleted_.insert(uid);
      return Sent::Deleted;
    }
    if (result.error.status == 404) return Sent::Gone;
    if (result.error.status == 409) {
      Fail(what +
           " was replaced by another object of that name since kstatec read it (its UID changed); it was "
           "not deleted");
    } else {
      Fail(fmt::format("cannot delete {}: {}", what, result.error.Describe()));
    }
    return Sent::Failed;
  }

  bool DeleteObject(const DeleteStep& step) {
    const PlannedObject& o = step.planned;
    std::string what = Describe(o);
    Sent sent = step.uid.empty() ? Sent::Gone : SendDelete(o.resource, o.ns, o.object.name, step.uid, what);
    if (sent == Sent::Failed) return false;
    if (sent == Sent::Gone) {
      fmt::print(out_, "{}: already gone\n", what);
      return true;
    }
    if (o.object.kind != "StatefulSet" || settings_.dry_run || !settings_.wait) {
      return Settle(o.resource, o.ns, o.object.name, step.uid, what);
    }
    // Its pods too: they use the claims, and may use what is deleted next.
    size_t pods = 0;
    if (!WaitGone(o.resource, o.ns, o.object.name, step.uid, what) || !WaitPodsGone(o.ns, o.object.name, pods)) {
      return false;
    }
    Done(what, pods == 0 ? "" : fmt::format(" and its {} pod{}", pods, pods == 1 ? "" : "s"));
    return true;
  }

  // After an accepted DELETE: waits for the object to go (unless dry run or
  // --no-wait), then says what happened.
  bool Settle(const api::Resource& r, const std::string& ns, const std::string& name, const std::string& uid,
              const std::string& what, const std::string& detail = {}) {
    if (!settings_.dry_run && !settings_.wait) {
      fmt::print(out_, "deleting {}{}: not waiting for it to go\n", what, detail);
      return true;
    }
    if (!settings_.dry_run && !WaitGone(r, ns, name, uid, what)) return false;
    Done(what, detail);
    return true;
  }

  // Polls until the object is gone. Another UID means that someone created
  // it again after the delete: the user asked for it to be gone, so it is
  // an error, not a success.
  bool WaitGone(const api::Resource& r, const std::string& ns, const std::string& name, const std::string& uid,
                const std::string& what) {
    for (;;) {
      api::Result<api::Json> live = api_.Get(r, ns, name);
      if (!live.ok()) {
        if (live.error.status == 404) return true;
        return Fail(fmt::format("cannot read {} while waiting for it to go: {}", what, live.error.Describe()));
      }
      const api::Json& meta = Member(*live.value, "metadata");
      if (api::StringMember(meta, "uid") != uid) return Fail(fmt::format("{} was deleted, but something created it again", what));
      if (Clock::now() >= deadline_) {
        std::vector<std::string> finalizers;
        for (const api::Json& f : Member(meta, "finalizers"))
          finalizers.push_back(f.is_string() ? f.get<std::string>() : f.dump());
        return Fail(fmt::format("timed out after {} waiting for {} to go{}{}", base::FormatDuration(settings_.timeout.count()), what,
                                finalizers.empty() ? "" : "; it has the finalizers ", fmt::join(finalizers, ", ")));
      }
      std::this_thread::sleep_for(settings_.poll);
    }
  }

  // Polls until no pod that a StatefulSet of that name owns is left (any
  // UID: the pods of an earlier incarnation use the same claims); `count` is
  // how many there were at first.
  // `waiting`, when given, is printed if there are pods to wait for.
  bool WaitPodsGone(const std::string& ns, const std::string& statefulset, size_t& count,
                    const std::string& waiting = {}) {
    for (bool first = true;; first = false) {
      api::Result<api::Json> list = api_.List(api::kPods, ns);
      if (!list.ok()) {
        return Fail(
            fmt::format("cannot list the pods of StatefulSet {}: {}", Where(ns, statefulset), list.error.Describe()));
      }
      std::vector<std::string> pods;
      for (const api::Json& pod : Member(*list.value, "items")) {
        const api::Json& meta = Member(pod, "metadata");
        for (const api::Json& ref : Member(meta, "ownerReferences")) {
          if (api::StringMember(ref, "kind") == "StatefulSet" && api::StringMember(ref, "name") == statefulset) {
            pods.push_back(api::StringMember(meta, "name"));
            break;
          }
        }
      }
      if (pods.empty()) return true;
      if (first) {
        count = pods.size();
        if (!waiting.empty()) fmt::print(out_, "{}\n", waiting);
        std::fflush(out_);
      }
      if (Clock::now() >= deadline_) {
        return Fail(fmt::format("timed out after {} waiting for the pods of StatefulSet {} to go: {} still there",
                                base::FormatDuration(settings_.timeout.count()), Where(ns, statefulset), fmt::join(pods, ", ")));
      }
      std::this_thread::sleep_for(settings_.poll);
    }
  }

  // The claims of one StatefulSet, once no pod of it is left to use them.
  bool DeleteData(const StatefulSetData& s, const api::DataDeletionConsent& consent) {
    if (s.claims.empty()) return true;
    if (!settings_.dry_run) {
      size_t pods = 0;
      std::string waiting =
          fmt::format("waiting for the pods of StatefulSet {} to go before deleting its claims", Where(s.ns, s.name));
      if (!WaitPodsGone(s.ns, s.name, pods, waiting)) return false;
    }
    std::vector<std::string> errors = DeleteClaims(api_, s.claims, consent);
    for (const Claim& c : s.claims) {
      std::string what = "PersistentVolumeClaim " + Where(c.ns, c.name);
      bool failed =
          std::any_of(errors.begin(), errors.end(), [&](const std::string& e) { return e.rfind(what + ":", 0) == 0; });
      if (failed) continue;
      deleted_.insert(c.uid);
      if (!Settle(api::kClaims, c.ns, c.name, c.uid, what, DescribeClaim(c).substr(c.name.size()))) return false;
    }
    if (errors.empty()) return true;
    return Fail(fmt::format("could not delete every claim:\n  {}", fmt::join(errors, "\n  ")));
  }

  // The ApplySet parent of `ns`, when it is kstatec's and has no member
  // left; otherwise it is kept and why is said.
  bool DeleteParent(const std::string& ns, const DeletePlan& plan) {
    ApplySet set = MakeApplySet(settings_.applyset, ns);
    std::string what = fmt::format("ApplySet parent Secret {}", Where(ns, set.parent));
    api::Result<api::Json> live = api_.Get(api::kSecrets, ns, set.parent);
    if (!live.ok()) {
      if (live.error.status == 404) return true;
      return Fail(fmt::format("cannot read {}: {}", what, live.error.Describe()));
    }
    std::string uid = api::StringMember(Member(*live.value, "metadata"), "uid");
    api::Result<Parent> parent = ReadParent(api_, set);
    if (!parent.ok()) {
      Kept("Secret " + Where(ns, set.parent), parent.error.Describe());
      return true;
    }
    if (!parent.value->exists) return true;
    if (!parent.value->recreates.empty()) {
      std::vector<std::string> names;
      for (const auto& [name, record] : parent.value->recreates) names.push_back(name);
      Kept(what, fmt::format("it records an unfinished recreation of StatefulSet {} (`kstatec apply` finishes it)",
                             fmt::join(names, ", ")));
      return true;
    }
    std::vector<std::string> members;
    if (!OtherMembers(set, *parent.value, plan, members)) return false;
    if (!members.empty()) {
      Kept(what, fmt::format(
                     "{} object{} not in the files still carr{} its label {}={} (never pruned):", members.size(),
                     members.size() == 1 ? "" : "s", members.size() == 1 ? "ies" : "y", kApplySetPartOfLabel, set.id));
      for (const std::string& m : members) fmt::print(out_, "  {}\n", m);
      return true;
    }
    Sent sent = SendDelete(api::kSecrets, ns, set.parent, uid, what);
    if (sent != Sent::Deleted) return sent == Sent::Gone;
    return Settle(api::kSecrets, ns, set.parent, uid, what);
  }

  // Members of `set` other than the files' objects and claims: objects of
  // the parent's group-kinds that carry its part-of label.
  bool OtherMembers(const ApplySet& set, const Parent& parent, const DeletePlan& plan, std::vector<std::string>& out) {
    std::set<std::string> ours = deleted_;
    for (const DeleteStep& step : plan.steps) ours.insert(step.uid);
    for (const Claim& c : ClaimsToDelete(plan)) ours.insert(c.uid);
    for (const std::string& gk : parent.group_kinds) {
      api::Result<api::Resource> r = ResolveGroupKind(api_, gk);
      if (!r.ok())
        return Fail(fmt::format("cannot find the members of kind {} of the ApplySet in namespace {}: {}", gk, set.ns,
                                r.error.Describe()));
      if (!r.value->namespaced) continue;
      api::Result<api::Json> list = api_.List(*r.value, set.ns, std::string(kApplySetPartOfLabel) + "=" + set.id);
      if (!list.ok())
        return Fail(fmt::format("cannot list the members of kind {} of the ApplySet in namespace {}: {}", gk, set.ns,
                                list.error.Describe()));
      for (const api::Json& item : Member(*list.value, "items")) {
        const api::Json& meta = Member(item, "metadata");
        if (ours.count(api::StringMember(meta, "uid")) || meta.contains("deletionTimestamp")) continue;
        out.push_back(fmt::format("{} {}", r.value->kind, Where(set.ns, api::StringMember(meta, "name"))));
      }
    }
    return true;
  }

  // The claims left on the cluster, listed again: one may have been made
  // between the plan and the StatefulSet's deletion.
  void PrintKeptClaims(const DeletePlan& plan, bool delete_data) {
    size_t kept = 0;
    for (const StatefulSetData& s : plan.statefulsets) {
      api::Result<std::vector<Claim>> now = ClaimsOf(api_, s.ns, s.name, s.templates);
      for (const Claim& c : now.ok() ? *now.value : s.claims) {
        if (deleted_.count(c.uid)) continue;
        Kept("PersistentVolumeClaim " + Where(c.ns, DescribeClaim(c)), "");
        ++kept;
      }
    }
    if (kept > 0 && !delete_data) {
      fmt::print(out_, "the data stays in {} PersistentVolumeClaim{}; `kstatec delete --delete-data` deletes {}\n",
                 kept, kept == 1 ? "" : "s", kept == 1 ? "it" : "them");
    }
  }

  api::ApiClient& api_;
  const DeleteSettings& settings_;
  std::FILE* out_;
  std::FILE* err_;
  Clock::time_point deadline_;
  std::set<std::string> deleted_;  // UIDs deleted (or, under dry run, that would be)
};

}  // namespace

bool CarryOutDelete(const DeletePlan& plan, api::ApiClient& api, const DeleteSettings& settings,
                    const api::DataDeletionConsent* consent, std::FILE* out, std::FILE* err) {
  return Deleter(api, settings, out, err).Run(plan, consent);
}

}  // namespace kstate::runtime::plan
