// Every SourceRange of the component model, visited once. A field added to
// model.h with a range must be added here too; the incremental-check test
// (tests/unit/incremental_test.cpp) compares reused against fresh results.
#include "compiler/check/rebase.h"

namespace kstate::check {

namespace {

struct Mapper {
  const RangeMap& map;
  bool ok = true;

  void operator()(SourceRange& r) {
    if (ok && r.valid()) ok = map(r);
  }
  void operator()(Value& v) {
    (*this)(v.range);
    (*this)(v.key_range);
    for (Value& item : v.items) (*this)(item);
  }
  template <typename T>
  void operator()(std::optional<T>& o) {
    if (o) (*this)(*o);
  }
  template <typename T>
  void operator()(HeapOptional<T>& o) {
    if (o) (*this)(*o);
  }
  template <typename T>
  void operator()(std::vector<T>& list) {
    for (T& x : list) (*this)(x);
  }
  void operator()(PortRef& p) { (*this)(p.range); }
  void operator()(Probe& p) {
    (*this)(p.port);
    (*this)(p.range);
    (*this)(p.success_range);
  }
  void operator()(EnvVar& e) { (*this)(e.range); }
  void operator()(EnvFrom& e) { (*this)(e.range); }
  void operator()(Resources& r) { (*this)(r.range); }
  void operator()(Mount& m) {
    (*this)(m.range);
    (*this)(m.volume_range);
    (*this)(m.path_range);
    (*this)(m.sub_path_range);
  }
  void operator()(Port& p) { (*this)(p.range); }
  void operator()(Container& c) {
    (*this)(c.name_range);
    (*this)(c.image_range);
    (*this)(c.ports);
    (*this)(c.env);
    (*this)(c.env_from);
    (*this)(c.resources);
    (*this)(c.liveness);
    (*this)(c.readiness);
    (*this)(c.startup);
    (*this)(c.pre_stop);
    (*this)(c.post_start);
    (*this)(c.mounts);
    (*this)(c.security_context);
    (*this)(c.range);
  }
  void operator()(Storage& s) {
    (*this)(s.range);
    (*this)(s.size_range);
    (*this)(s.access_range);
  }
  void operator()(ConfigFile& f) { (*this)(f.range); }
  void operator()(Config& c) {
    (*this)(c.files);
    (*this)(c.range);
  }
  void operator()(SecretVolume& s) { (*this)(s.range); }
  void operator()(Scratch& s) { (*this)(s.range); }
  void operator()(AntiAffinity& a) { (*this)(a.range); }
  void operator()(Spread& s) { (*this)(s.range); }
  void operator()(Toleration& t) { (*this)(t.range); }
  void operator()(ClientService& c) {
    (*this)(c.port_ranges);
    (*this)(c.range);
  }
  void operator()(RbacRule& r) { (*this)(r.range); }
  void operator()(Patch& p) {
    (*this)(p.target_range);
    (*this)(p.range);
    (*this)(p.changes);
  }
  void operator()(std::pair<std::string, SourceRange>& named) { (*this)(named.second); }

  void operator()(Component& c) {
    (*this)(c.range);
    (*this)(c.name_range);
    (*this)(c.main);
    (*this)(c.init);
    (*this)(c.sidecars);
    (*this)(c.replicas_range);
    (*this)(c.update.partition_range);
    (*this)(c.update.max_unavailable);
    (*this)(c.update.range);
    (*this)(c.selector_range);
    (*this)(c.ordering_range);
    (*this)(c.selector_key_ranges);
    (*this)(c.storage);
    (*this)(c.configs);
    (*this)(c.secrets);
    (*this)(c.scratch);
    (*this)(c.anti_affinity);
    (*this)(c.spread);
    (*this)(c.tolerations);
    (*this)(c.service_account.rules);
    (*this)(c.service_account.cluster_rules);
    (*this)(c.service_account.range);
    (*this)(c.pod_security_context);
    (*this)(c.clients);
    (*this)(c.disruption.amount);
    (*this)(c.disruption.range);
    (*this)(c.patches);
    (*this)(c.depends_on);
  }
};

}  // namespace

bool MapRanges(Component& c, const RangeMap& map) {
  Mapper m{map};
  m(c);
  return m.ok;
}

bool MapRanges(Value& v, const RangeMap& map) {
  Mapper m{map};
  m(v);
  return m.ok;
}

}  // namespace kstate::check
