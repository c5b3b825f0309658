// The recreation steps. Progress lives on the cluster (the record on the
// ApplySet parent, the claims' sizes, whether the StatefulSet exists), never
// only in this process.
#include "runtime/plan/recreate.h"

#include <thread>

#include <fmt/format.h>

namespace kstate::runtime::plan {

namespace {

using Clock = std::chrono::steady_clock;
using Json = api::Json;


std::string Now() {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

class Steps {
 public:
  Steps(api::ApiClient& api, const ApplySet& set, const PlannedObject& object, const StatefulSetPlan& sp,
        const RecreateSettings& settings, const std::function<void(const std::string&)>& note)
      : api_(api), set_(set), p_(object), sp_(sp), settings_(settings), note_(note),
        name_(object.object.name), ns_(object.ns) {
    record_ = Json::parse(sp.record.empty() ? "{}" : sp.record, nullptr, false);
    if (!record_.is_object()) record_ = Json::object();
  }

  std::string Record() {
    if (!sp_.record.empty()) {
      note_(fmt::format("finishing the recreation of StatefulSet {}/{} recorded on Secret {}/{}", ns_, name_, ns_,
                        set_.parent));
      return {};
    }
    record_ = {{"started", Now()}, {"step", "started"}, {"restart", sp_.change.restart_pods},
               {"relabel", sp_.change.relabel_pods}};
    if (!sp_.change.grow.empty()) record_["grow"] = sp_.change.grow;
    return Save("recorded the recreation");
  }

  std::string Grow() {
    if (sp_.change.grow.empty()) return {};
    std::vector<Claim> claims;
    if (std::string e = ListClaims(claims); !e.empty()) return e;
    for (const Claim& c : claims) {
      auto want = sp_.change.grow.find(c.template_name);
      if (want == sp_.change.grow.end()) continue;
      std::optional<int64_t> has = StorageBytes(c.request), size = StorageBytes(want->second);
      if (has && size && *has >= *size) continue;
      Json patch = {{"spec", {{"resources", {{"requests", {{"storage", want->second}}}}}}}};
      api::Result<Json> r = api_.MergePatch(api::kClaims, ns_, c.name, patch, "kstatec");
      if (!r.ok()) return fmt::format("cannot resize PersistentVolumeClaim {}/{}: {}", ns_, c.name, r.error.Describe());
      note_(fmt::format("PersistentVolumeClaim {}/{} resized: {} -> {}", ns_, c.name, c.request, want->second));
    }
    return WaitForResize();
  }

  std::string Orphan() {
    while (true) {
      api::Result<Json> live = api_.Get(p_.resource, ns_, name_);
      if (!live.ok() && live.error.status == 404) return {};
      if (!live.ok()) return fmt::format("cannot read StatefulSet {}/{}: {}", ns_, name_, live.error.Describe());
      const Json& meta = live.value->at("metadata");
      if (!meta.contains("deletionTimestamp")) {
        api::ApiClient::DeleteOptions options;
        options.propagation = "Orphan";
        options.uid = meta.value("uid", "");
        api::Result<Json> r = api_.Delete(p_.resource, ns_, name_, options);
        if (!r.ok() && r.error.status != 404) {
          return fmt::format("cannot delete StatefulSet {}/{} (propagationPolicy=Orphan): {}", ns_, name_, r.error.Describe());
        }
        note_(fmt::format("StatefulSet {}/{} deleted with propagationPolicy=Orphan: its pods and claims stay", ns_, name_));
        if (std::string e = SaveStep("orphaned"); !e.empty()) return e;
      }
      if (std::string e = Sleep(fmt::format("StatefulSet {}/{} to be gone", ns_, name_)); !e.empty()) return e;
    }
  }

  std::string Relabel() {
    if (!record_.value("relabel", false) && !sp_.change.relabel_pods) return {};
    const Json match = sp_.desired.at("spec").at("selector").value("matchLabels", Json::object());
    api::Result<Json> pods = api_.List(api::kPods, ns_);
    if (!pods.ok()) return fmt::format("cannot list the pods of {}/{}: {}", ns_, name_, pods.error.Describe());
    for (const Json& pod : pods.value->at("items")) {
      const Json& meta = pod.at("metadata");
      std::string pod_name = meta.value("name", "");
      if (OrdinalAfter(pod_name, name_ + "-") < 0 || meta.contains("ownerReferences")) continue;
      api::Result<Json> r = api_.MergePatch(api::kPods, ns_, pod_name, {{"metadata", {{"labels", match}}}}, "kstatec");
      if (!r.ok()) return fmt::format("cannot label pod {}/{}: {}", ns_, pod_name, r.error.Describe());
      note_(fmt::format("pod {}/{} labelled for the new selector", ns_, pod_name));
    }
    return {};
  }

  std::string Created() { return SaveStep("created"); }

  std::string Restart() {
    if (!record_.value("restart", false) || record_.value("step", "") == "restarted") return {};
    Json patch = {{"spec", {{"template", {{"metadata", {{"annotations", {{"kstate.dev/restartedAt", Now()}}}}}}}}}};
    api::Result<Json> r = api_.MergePatch(p_.resource, ns_, name_, patch, "kstatec-restart");
    if (!r.ok()) return fmt::format("cannot restart the pods of {}/{}: {}", ns_, name_, r.error.Describe());
    note_(fmt::format("pods of StatefulSet {}/{} restarted one at a time to take the new serviceName", ns_, name_));
    return SaveStep("restarted");
  }

  std::string Clear() {
    api::Result<Json> r = WriteRecreateRecord(api_, set_, name_, "");
    if (!r.ok()) return fmt::format("cannot clear the recreation record on Secret {}/{}: {}", ns_, set_.parent, r.error.Describe());
    note_(fmt::format("StatefulSet {}/{} recreated; it adopted the running pods", ns_, name_));
    return {};
  }

 private:
  std::string Save(const std::string& what) {
    api::Result<Json> r = WriteRecreateRecord(api_, set_, name_, record_.dump());
    if (!r.ok()) return fmt::format("cannot record the recreation on Secret {}/{}: {}", ns_, set_.parent, r.error.Describe());
    note_(fmt::format("{} of StatefulSet {}/{} on Secret {}/{}", what, ns_, name_, ns_, set_.parent));
    return {};
  }

  std::string SaveStep(const std::string& step) {
    record_["step"] = step;
    api::Result<Json> r = WriteRecreateRecord(api_, set_, name_, record_.dump());
    if (!r.ok()) return fmt::format("cannot record progress on Secret {}/{}: {}", ns_, set_.parent, r.error.Describe());
    return {};
  }

  std::string ListClaims(std::vector<Claim>& out) {
    std::vector<std::string> templates;
    for (const auto& [t, size] : sp_.change.grow) templates.push_back(t);
    api::Result<std::vector<Claim>> claims = ClaimsOf(api_, ns_, name_, templates);
    if (!claims.ok()) return fmt::format("cannot list the claims of {}/{}: {}", ns_, name_, claims.error.Describe());
    out = std::move(*claims.value);
    return {};
  }

  // Accepted: the volume has the new size, or the resizer is working on it
  // (Resizing, allocatedResources), or only the file system is left, which the
  // node finishes when the pod restarts (FileSystemResizePending).
  std::string WaitForResize() {
    while (true) {
      std::vector<Claim> claims;
      if (std::string e = ListClaims(claims); !e.empty()) return e;
      std::string waiting;
      for (const Claim& c : claims) {
        std::optional<int64_t> size = StorageBytes(sp_.change.grow.at(c.template_name));
        if (!c.resize_error.empty()) return fmt::format("PersistentVolumeClaim {}/{} cannot be resized: {}", ns_, c.name, c.resize_error);
        std::optional<int64_t> cap = StorageBytes(c.capacity), alloc = StorageBytes(c.allocated);
        bool accepted = (cap && size && *cap >= *size) || (alloc && size && *alloc >= *size) || c.resizing || c.resize_pending;
        if (!accepted) waiting += (waiting.empty() ? "" : ", ") + c.name;
      }
      if (waiting.empty()) {
        note_(fmt::format("the resize of every claim of {}/{} is accepted", ns_, name_));
        return {};
      }
      if (std::string e = Sleep("the resize of " + waiting); !e.empty()) return e;
    }
  }

  std::string Sleep(const std::string& waiting_for) {
    if (Clock::now() >= settings_.deadline) return "timed out waiting for " + waiting_for;
    std::this_thread::sleep_for(std::min<Clock::duration>(settings_.poll, settings_.deadline - Clock::now()));
    return {};
  }

  api::ApiClient& api_;
  const ApplySet& set_;
  const PlannedObject& p_;
  const StatefulSetPlan& sp_;
  const RecreateSettings& settings_;
  const std::function<void(const std::string&)>& note_;
  std::string name_, ns_;
  Json record_;
};

// The steps in order; each returns what failed, or nothing.
std::string Run(api::ApiClient& api, const ApplySet& set, const PlannedObject& object, const StatefulSetPlan& sp,
                const RecreateSettings& settings, const std::function<std::string()>& apply,
                const std::function<void(const std::string&)>& note) {
  Steps steps(api, set, object, sp, settings, note);
  bool recreate = sp.change.kind == StatefulSetChange::Kind::Recreate;
  if (std::string e = steps.Record(); !e.empty()) return e;
  if (recreate) {
    if (std::string e = steps.Grow(); !e.empty()) return e;
    if (std::string e = steps.Orphan(); !e.empty()) return e;
  }
  if (std::string e = steps.Relabel(); !e.empty()) return e;
  if (std::string e = apply(); !e.empty()) return e;
  if (std::string e = steps.Created(); !e.empty()) return e;
  if (std::string e = steps.Restart(); !e.empty()) return e;
  return steps.Clear();
}

}  // namespace

std::string Recreate(api::ApiClient& api, const ApplySet& set, const PlannedObject& object, const StatefulSetPlan& sp,
                     const RecreateSettings& settings, const std::function<std::string()>& apply,
                     const std::function<void(const std::string&)>& note) {
  try {
    return Run(api, set, object, sp, settings, apply, note);
  } catch (const api::Json::exception& e) {
    return fmt::format("unexpected data from the API server while recreating StatefulSet {}/{}: {}", object.ns,
                       object.object.name, e.what());
  }
}

}  // namespace kstate::runtime::plan
