// The apply run. Every object's resource is found by discovery before
// anything is sent, so an unknown kind changes nothing. Each component runs on
// its own thread once the components it depends on are ready; a failed
// component's dependents are skipped.
#include "runtime/plan/apply.h"

#include <algorithm>
#include <condition_variable>
#include <map>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "compiler/driver/compilation_impl.h"
#include "compiler/emit/lower.h"
#include "runtime/plan/inspect.h"
#include "runtime/plan/planning.h"
#include "runtime/plan/recreate.h"

namespace kstate::runtime::plan {

namespace {

using Clock = std::chrono::steady_clock;
using State = ComponentStatus::State;

struct Work {
  std::string name;
  std::vector<const PlannedObject*> objects;  // in apply order
  std::vector<std::string> depends_on;
  State state = State::Waiting;
  std::string message;
  bool started = false;
};

const emit::Node* Walk(const emit::Node& root, const std::string& path, base::SourceRange& best) {
  const emit::Node* at = &root;
  size_t i = 0;
  while (at && i < path.size()) {
    if (path[i] == '.') ++i;
    if (i < path.size() && path[i] == '[') {
      size_t close = path.find(']', i);
      if (close == std::string::npos) break;
      std::string index = path.substr(i + 1, close - i - 1);
      i = close + 1;
      if (at->kind != emit::Node::Kind::List) return at;
      size_t n = static_cast<size_t>(std::atoll(index.c_str()));
      // `[name]` selectors (containers[db]) name a member by its name.
      const emit::Node* next = nullptr;
      if (!index.empty() && std::isdigit(static_cast<unsigned char>(index[0]))) {
        next = n < at->items.size() ? &at->items[n] : nullptr;
      } else {
        for (const emit::Node& item : at->items) {
          const emit::Node* name = item.Find("name");
          // Claim templates are named in their metadata.
          if (!name && item.Find("metadata")) name = item.Find("metadata")->Find("name");
          if (name && name->string == index) next = &item;
        }
      }
      at = next;
    } else {
      size_t end = path.find_first_of(".[", i);
      std::string key = path.substr(i, end == std::string::npos ? std::string::npos : end - i);
      i = end == std::string::npos ? path.size() : end;
      at = at->kind == emit::Node::Kind::Map ? at->Find(key) : nullptr;
    }
    if (at && at->source.valid()) best = at->source;
  }
  return at;
}

std::string Location(const Compilation& c, base::SourceRange r) {
  const base::SourceManager& sources = c.impl().sources;
  if (!r.valid() || r.file >= sources.size()) return {};
  base::LineCol lc = sources.file(r.file).Position(r.begin);
  return fmt::format("{}:{}:{}", sources.file(r.file).path(), lc.line, lc.column);
}

}  // namespace

std::string SourceOfField(const Compilation& compilation, const std::string& kind, const std::string& name,
                          const std::string& field_path) {
  for (const emit::Object& o : compilation.impl().Objects()) {
    if (o.kind != kind || o.name != name) continue;
    base::SourceRange best = o.source;
    Walk(o.root, field_path, best);
    return Location(compilation, best);
  }
  return {};
}

namespace {

class Run {
 public:
  Run(const Compilation& c, api::ApiClient& api, const ApplySettings& s, Reporter& r)
      : c_(c), api_(api), settings_(s), reporter_(r), deadline_(Clock::now() + s.timeout) {}

  bool Go() {
    // Discovery and the plan first: an unknown kind, an unreadable ApplySet
    // parent or a change that cannot be made stops the run before any change.
    PlanSettings ps{settings_.default_namespace, settings_.applyset, settings_.force_conflicts};
    std::string error;
    if (!MakePlan(c_, api_, ps, plan_, error) || (settings_.prune && !FindPruneCandidates(api_, plan_, error))) {
      reporter_.Note("kstatec", "cannot apply: " + error);
      return false;
    }
    for (const auto& [component, text] : DescribePlan(c_, plan_, settings_.prune)) {
      std::stringstream lines(text);
      for (std::string line; std::getline(lines, line);) reporter_.Note(component, "plan: " + line);
    }
    if (std::string blocker = Blocker(c_, plan_, settings_.recreate); !blocker.empty()) {
      reporter_.Note("kstatec", blocker);
      reporter_.Finish();
      return false;
    }
    for (const check::Component& comp : c_.impl().program.components) {
      Work w;
      w.name = comp.name;
      for (const auto& [dep, range] : comp.depends_on) w.depends_on.push_back(dep);
      work_.push_back(std::move(w));
    }
    std::vector<const PlannedObject*> namespaces;
    for (const PlannedObject& p : plan_.objects) {
      if (p.component.empty()) namespaces.push_back(&p);
      else Find(p.component)->objects.push_back(&p);
    }
    for (const PlannedObject* p : namespaces) {
      // A dry run creates nothing, so the server cannot check objects in a
      // namespace this file would create: they are reported as such.
      if (settings_.dry_run) {
        api::Result<api::Json> live = api_.Get(p->resource, "", p->object.name);
        if (!live.ok() && live.error.status == 404) missing_namespaces_.push_back(p->object.name);
      }
      if (!ApplyObject("namespaces", *p)) return false;
    }
    if (!WriteParents(false)) return false;
    for (Work& w : work_) reporter_.Update({w.name, State::Waiting, WaitingFor(w), {}});
    Schedule();
    bool ok = std::all_of(work_.begin(), work_.end(), [](const Work& w) { return w.state == State::Ready; });
    if (settings_.prune) ok = Prune(ok) && ok;
    reporter_.Finish();
    return ok;
  }

 private:
  std::string WaitingFor(const Work& w) const {
    return w.depends_on.empty() ? "" : fmt::format("after {}", fmt::join(w.depends_on, ", "));
  }

  Work* Find(const std::string& name) {
    for (Work& w : work_) {
      if (w.name == name) return &w;
    }
    return nullptr;
  }

  // Starts components whose dependencies are ready, skips those whose
  // dependencies failed, until all are done.
  void Schedule() {
    std::vector<std::jthread> threads;
    std::unique_lock lock(mutex_);
    while (true) {
      bool pending = false;
      for (Work& w : work_) {
        if (w.started || w.state == State::Skipped) continue;
        bool ready = true, blocked = false;
        for (const std::string& dep : w.depends_on) {
          Work* d = Find(dep);
          if (!d) continue;
          if (d->state == State::Failed || d->state == State::Skipped) blocked = true;
          if (d->state != State::Ready) ready = false;
        }
        if (blocked) {
          w.state = State::Skipped;
          w.message = "not applied: a component it depends on did not become ready";
          reporter_.Update({w.name, w.state, w.message, {}});
          changed_.notify_all();
          continue;
        }
        pending = true;
        if (!ready) continue;
        w.started = true;
        w.state = State::Applying;
        threads.emplace_back([this, &w] {
          // An API server answer of an unexpected shape fails this component,
          // not the process (an exception leaving a thread would abort it).
          try {
            Component(w);
          } catch (const std::exception& e) {
            Finish(w, State::Failed,
                   fmt::format("stopped: an answer of the API server kstatec cannot read ({})", e.what()));
          }
        });
      }
      bool running = std::any_of(work_.begin(), work_.end(), [](const Work& w) {
        return w.started && w.state != State::Ready && w.state != State::Failed;
      });
      if (!pending && !running) break;
      changed_.wait(lock);
    }
  }

  void Finish(Work& w, State state, std::string message, std::vector<PodView> pods = {}) {
    {
      std::lock_guard lock(mutex_);
      w.state = state;
      w.message = message;
    }
    reporter_.Update({w.name, state, std::move(message), std::move(pods)});
    changed_.notify_all();
  }

  bool ApplyObject(const std::string& component, const PlannedObject& p, std::string* error = nullptr) {
    const emit::Object& o = p.object;
    const std::string& ns = p.ns;
    if (std::find(missing_namespaces_.begin(), missing_namespaces_.end(), ns) != missing_namespaces_.end()) {
      reporter_.Note(component, fmt::format("{} {}/{} not checked: namespace {} does not exist yet (the dry run "
                                            "would create it)",
                                            o.kind, ns, o.name, ns));
      return true;
    }
    api::Json body = Body(plan_, p);
    api::ApiClient::ApplyOptions options;
    options.force = settings_.force_conflicts;
    options.dry_run = settings_.dry_run;
    api::Result<api::Json> result = api_.Apply(p.resource, ns, o.name, body, options);
    if (result.ok()) {
      reporter_.Note(component, fmt::format("{} {}{} {}", o.kind, ns.empty() ? "" : ns + "/", o.name,
                                            settings_.dry_run ? "applied (server dry run)" : "applied"));
      return true;
    }
    std::string text = fmt::format("{} {}{}: {}", o.kind, ns.empty() ? "" : ns + "/", o.name, result.error.Describe());
    for (const api::ApiError::Cause& cause : result.error.causes) {
      std::string where = cause.field.empty() ? "" : SourceOfField(c_, o.kind, o.name, cause.field);
      if (!where.empty()) text += fmt::format("\n  {} comes from {}", cause.field, where);
    }
    if (result.error.status == 409 && result.error.reason == "Conflict") {
      text += "\n  another field manager owns these fields; apply with --force-conflicts to take them over";
    }
    if (error) *error = text;
    else reporter_.Note(component, text);
    return false;
  }

  void Component(Work& w) {
    reporter_.Update({w.name, State::Applying, "", {}});
    for (const PlannedObject* o : w.objects) {
      std::string error = o->object.kind == "StatefulSet" ? StatefulSet(w, *o) : "";
      if (o->object.kind != "StatefulSet" && !ApplyObject(w.name, *o, &error)) error = error.empty() ? "failed" : error;
      if (!error.empty()) {
        Finish(w, State::Failed, error);
        return;
      }
    }
    if (settings_.dry_run || !settings_.wait) {
      Finish(w, State::Ready, settings_.dry_run ? "accepted by the server (dry run: nothing changed)" : "applied");
      return;
    }
    const PlannedObject* sts = nullptr;
    for (const PlannedObject* o : w.objects) {
      if (o->object.kind == "StatefulSet") sts = o;
    }
    if (!sts) {
      Finish(w, State::Ready, "applied");
      return;
    }
    Wait(w, *sts);
  }

  // The StatefulSet of a component: applied, or recreated as planned.
  // Returns what failed, or nothing.
  std::string StatefulSet(Work& w, const PlannedObject& o) {
    auto apply = [&] {
      std::string error;
      return ApplyObject(w.name, o, &error) ? std::string() : error;
    };
    auto sp = plan_.statefulsets.find(w.name);
    if (sp == plan_.statefulsets.end() || sp->second.object >= plan_.objects.size() ||
        &plan_.objects[sp->second.object] != &o) {
      return apply();
    }
    const StatefulSetPlan& plan = sp->second;
    bool recreate = plan.change.kind == StatefulSetChange::Kind::Recreate || !plan.record.empty();
    if (!recreate) return apply();
    if (settings_.dry_run) {
      reporter_.Note(w.name, fmt::format("StatefulSet {}/{} would be recreated (dry run: not checked by the server)",
                                         o.ns, o.object.name));
      return {};
    }
    RecreateSettings rs{deadline_, settings_.poll};
    auto note = [&](const std::string& line) { reporter_.Note(w.name, line); };
    return Recreate(api_, plan_.sets.at(o.ns), o, plan, rs, apply, note);
  }

  // Writes each ApplySet parent: before the members with the union of the
  // kinds it listed and this apply's (so an interrupted apply never hides a
  // member from a later prune), after a prune with exactly what is left.
  bool WriteParents(bool after_prune, const std::map<std::string, std::set<std::string>>& kept = {}) {
    for (const auto& [ns, set] : plan_.sets) {
      if (std::find(missing_namespaces_.begin(), missing_namespaces_.end(), ns) != missing_namespaces_.end()) continue;
      std::set<std::string> kinds = plan_.kinds[ns];
      if (!after_prune) kinds.insert(plan_.parents[ns].group_kinds.begin(), plan_.parents[ns].group_kinds.end());
      if (auto k = kept.find(ns); k != kept.end()) kinds.insert(k->second.begin(), k->second.end());
      api::Result<api::Json> r = WriteParent(api_, set, kinds, settings_.dry_run);
      if (!r.ok()) {
        reporter_.Note("kstatec", fmt::format("cannot write the ApplySet parent Secret {}/{}: {}", ns, set.parent,
                                              r.error.Describe()));
        return false;
      }
    }
    return true;
  }

  // Deletes the members that left the files, except what must be kept.
  bool Prune(bool applied) {
    if (!applied) {
      reporter_.Note("prune", "nothing pruned: not every component was applied and ready");
      return false;
    }
    bool ok = true;
    std::map<std::string, std::set<std::string>> kept;
    for (const PruneCandidate& p : plan_.prune) {
      std::string what = fmt::format("{} {}/{}", p.resource.kind, p.ns, p.name);
      if (!p.kept_because.empty()) {
        reporter_.Note("prune", what + " kept: " + p.kept_because);
        kept[p.ns].insert(GroupKind(p.resource));
        continue;
      }
      api::ApiClient::DeleteOptions options;
      options.dry_run = settings_.dry_run;
      options.uid = p.uid;
      api::Result<api::Json> r = api_.Delete(p.resource, p.ns, p.name, options);
      if (!r.ok() && r.error.status != 404) {
        reporter_.Note("prune", fmt::format("cannot delete {}: {}", what, r.error.Describe()));
        kept[p.ns].insert(GroupKind(p.resource));
        ok = false;
        continue;
      }
      reporter_.Note("prune", what + (settings_.dry_run ? " would be deleted (server dry run)" : " deleted (no longer in the files)"));
    }
    return WriteParents(true, kept) && ok;
  }

  void Wait(Work& w, const PlannedObject& planned) {
    const emit::Object& sts = planned.object;
    const api::Resource& sts_r = planned.resource;
    api::Result<api::Resource> pod_r = api_.Find("v1", "Pod");
    api::Result<api::Resource> pvc_r = api_.Find("v1", "PersistentVolumeClaim");
    api::Result<api::Resource> event_r = api_.Find("v1", "Event");
    const std::string& ns = planned.ns;
    while (true) {
      api::Result<api::Json> live = api_.Get(sts_r, ns, sts.name);
      if (!live.ok()) {
        Finish(w, State::Failed, fmt::format("cannot read StatefulSet {}/{}: {}", ns, sts.name, live.error.Describe()));
        return;
      }
      std::string selector;
      const api::Json& match = (*live.value)["spec"]["selector"]["matchLabels"];
      if (match.is_object()) {
        for (const auto& [k, v] : match.items()) {
          selector += (selector.empty() ? "" : ",") + k + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
        }
      }
      std::vector<api::Json> pods, claims, events;
      if (pod_r.ok()) {
        if (api::Result<api::Json> list = api_.List(*pod_r.value, ns, selector); list.ok()) {
          for (const api::Json& item : (*list.value)["items"]) pods.push_back(item);
        }
      }
      if (pvc_r.ok()) {
        if (api::Result<api::Json> list = api_.List(*pvc_r.value, ns); list.ok()) {
          for (const api::Json& item : (*list.value)["items"]) claims.push_back(item);
        }
      }
      bool pending_claim = std::any_of(claims.begin(), claims.end(), [](const api::Json& c) {
        return c.value("status", api::Json::object()).value("phase", "") == "Pending";
      });
      if (pending_claim && event_r.ok()) {
        if (api::Result<api::Json> list = api_.List(*event_r.value, ns); list.ok()) {
          for (const api::Json& item : (*list.value)["items"]) events.push_back(item);
        }
      }
      Rollout r = Evaluate(*live.value, pods, claims, events, std::chrono::system_clock::now(), settings_.claim_grace);
      if (r.phase == Rollout::Phase::Ready) {
        Finish(w, State::Ready, r.summary, r.pods);
        return;
      }
      if (r.phase == Rollout::Phase::Failed) {
        std::string message = r.failure;
        if (!r.recovery.empty()) message += "\n  " + r.recovery;
        Finish(w, State::Failed, message, r.pods);
        return;
      }
      reporter_.Update({w.name, State::RollingOut, r.summary, r.pods});
      if (Clock::now() >= deadline_) {
        Finish(w, State::Failed, fmt::format("timed out: {}", r.summary), r.pods);
        return;
      }
      std::this_thread::sleep_for(std::min<Clock::duration>(settings_.poll, deadline_ - Clock::now()));
    }
  }

  const Compilation& c_;
  api::ApiClient& api_;
  const ApplySettings& settings_;
  Reporter& reporter_;
  Clock::time_point deadline_;
  Plan plan_;
  std::vector<Work> work_;
  std::vector<std::string> missing_namespaces_;  // dry run: declared here, not on the cluster
  std::mutex mutex_;
  std::condition_variable changed_;
};

}  // namespace

bool Apply(const Compilation& compilation, api::ApiClient& api, const ApplySettings& settings, Reporter& reporter) {
  return Run(compilation, api, settings, reporter).Go();
}

}  // namespace kstate::runtime::plan
