// The checked program: typed components with every value converted to
// Kubernetes units (seconds, millicores, bytes) and every field's source range
// kept for diagnostics and the runtime's source map.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "compiler/base/source.h"
#include "compiler/check/value.h"

namespace kstate::check {

using StringPairs = std::vector<std::pair<std::string, std::string>>;

// An optional part kept on the heap, with the part of std::optional's
// interface the model uses: set from a value or an optional, test, reach.
// Probes, hooks and security contexts are large and most often absent: held
// inline, five of them made every container 2.5 kB and every component 4 kB,
// which building 10,000 components paid for in page faults and the lowering
// in cache misses. Copies are deep, as std::optional's are.
template <typename T>
class HeapOptional {
 public:
  HeapOptional() = default;
  HeapOptional(T value) : p_(std::make_unique<T>(std::move(value))) {}  // NOLINT(google-explicit-constructor)
  HeapOptional(std::optional<T> value)  // NOLINT(google-explicit-constructor)
      : p_(value ? std::make_unique<T>(std::move(*value)) : nullptr) {}
  HeapOptional(const HeapOptional& other) : p_(other.p_ ? std::make_unique<T>(*other.p_) : nullptr) {}
  HeapOptional(HeapOptional&&) noexcept = default;
  HeapOptional& operator=(const HeapOptional& other) {
    if (this != &other) p_ = other.p_ ? std::make_unique<T>(*other.p_) : nullptr;
    return *this;
  }
  HeapOptional& operator=(HeapOptional&&) noexcept = default;
  ~HeapOptional() = default;

  explicit operator bool() const { return p_ != nullptr; }
  T& operator*() { return *p_; }
  const T& operator*() const { return *p_; }
  T* operator->() { return p_.get(); }
  const T* operator->() const { return p_.get(); }

 private:
  std::unique_ptr<T> p_;
};

// A reference to a container port, by name or by number.
struct PortRef {
  std::string name;
  int64_t number = 0;
  SourceRange range;
};

// A probe or lifecycle handler and its timings (seconds).
struct Probe {
  enum class Handler : uint8_t { Exec, Http, Tcp, Grpc };
  Handler handler = Handler::Exec;
  std::vector<std::string> command;
  std::string path;
  PortRef port;
  std::string scheme;
  std::string host;
  StringPairs headers;
  std::string service;
  std::optional<int64_t> initial_delay, period, timeout, success, failure, termination_grace;
  SourceRange range;
  SourceRange success_range;
};

struct EnvVar {
  enum class Source : uint8_t { Literal, SecretKey, ConfigMapKey, PodField, ResourceField };
  std::string name;
  Source source = Source::Literal;
  std::string value;      // Literal text; field path; resource name
  std::string ref_name;   // Secret / ConfigMap name; resource's container
  std::string ref_key;    // key; resource divisor
  std::optional<bool> optional;
  SourceRange range;
};

struct EnvFrom {
  bool secret = false;
  std::string name;
  std::string prefix;
  std::optional<bool> optional;
  SourceRange range;
};

// Resource amounts: cpu in millicores, memory and ephemeral storage in bytes.
struct Resources {
  std::optional<int64_t> cpu_request, cpu_limit, memory_request, memory_limit, ephemeral_request, ephemeral_limit;
  SourceRange range;
  bool any_request() const { return cpu_request || memory_request || ephemeral_request; }
};

struct Mount {
  std::string volume;  // a storage, config, secret or scratch volume of the component
  std::string path;
  std::string sub_path;
  bool read_only = false;
  SourceRange range;
  SourceRange volume_range;
  SourceRange path_range;
  SourceRange sub_path_range;
};

struct Port {
  std::string name;
  int64_t number = 0;
  std::string protocol = "TCP";
  bool expose = true;  // listed on the component's Services
  SourceRange range;
};

struct Container {
  std::string name;
  SourceRange name_range;
  std::string image;
  SourceRange image_range;
  std::string pull_policy;
  std::optional<std::vector<std::string>> command, args;
  std::string working_dir;
  std::vector<Port> ports;
  std::vector<EnvVar> env;
  std::vector<EnvFrom> env_from;
  Resources resources;
  HeapOptional<Probe> liveness, readiness, startup;
  HeapOptional<Probe> pre_stop, post_start;
  std::vector<Mount> mounts;
  HeapOptional<Value> security_context;  // checked record
  std::string restart_policy;             // "Always" makes an init container a native sidecar
  SourceRange range;
  // Written in the source, even if invalid: advice about a missing one would mislead.
  bool readiness_written = false;
  bool resources_written = false;
};

struct Storage {
  std::string name;
  int64_t size = 0;
  std::vector<std::string> access;  // ReadWriteOnce, ...
  std::optional<std::string> storage_class;
  StringPairs labels, annotations;
  SourceRange range, size_range, access_range;
};

struct ConfigFile {
  std::string name;
  std::string content;
  SourceRange range;
};

struct Config {
  std::string name;         // the volume name
  std::string object_name;  // the ConfigMap's name
  std::vector<ConfigFile> files;
  std::optional<int64_t> mode;
  SourceRange range;
};

struct SecretVolume {
  std::string name;
  std::string secret_name;
  std::optional<int64_t> mode;
  StringPairs items;  // key -> path
  std::optional<bool> optional;
  SourceRange range;
};

struct Scratch {
  std::string name;
  std::string medium;  // "" or "Memory"
  std::optional<int64_t> size;
  SourceRange range;
};

struct AntiAffinity {
  bool required = false;
  int64_t weight = 1;
  std::string topology_key;
  SourceRange range;
};

struct Spread {
  std::string topology_key;
  int64_t max_skew = 1;
  std::string when_unsatisfiable = "DoNotSchedule";
  std::optional<int64_t> min_domains;
  SourceRange range;
};

struct Toleration {
  std::string key, op, value, effect;
  std::optional<int64_t> seconds;
  SourceRange range;
};

struct UpdateStrategy {
  bool on_delete = false;
  std::optional<int64_t> partition;
  SourceRange partition_range;
  HeapOptional<Value> max_unavailable;  // Int or "N%" String
  SourceRange range;
};

struct Disruption {
  enum class Mode : uint8_t { Default, None, MaxUnavailable, MinAvailable };
  Mode mode = Mode::Default;
  Value amount;  // Int or "N%" String
  SourceRange range;
};

// A Service for ordinary clients: `client { }` (or `client = true`), or one
// of several named `client NAME { }` sections.
struct ClientService {
  std::string name;
  std::string type = "ClusterIP";
  std::vector<std::string> ports;  // port names; empty means every exposed port
  std::vector<SourceRange> port_ranges;
  StringPairs labels, annotations;
  StringPairs selector;  // added to the component's selector (a subset of its pods)
  SourceRange range;
};

// One RBAC policy rule, as Kubernetes spells it.
struct RbacRule {
  std::vector<std::string> api_groups, resources, verbs, resource_names, non_resource_urls;
  SourceRange range;
};

struct ServiceAccount {
  std::string name;
  bool create = false;
  std::optional<bool> automount;
  // `rules`: a Role and RoleBinding in the component's namespace;
  // `clusterRules`: a ClusterRole and ClusterRoleBinding. Both need `create`.
  std::vector<RbacRule> rules, cluster_rules;
  SourceRange range;
};

// `patch <target> { path = value }`: changes to one generated object for
// fields the component model does not cover. Applied (and checked against
// the generated object) when lowering.
struct Patch {
  std::string target;  // statefulset, service, client, pdb, serviceaccount, configmap, role, ...
  SourceRange target_range, range;
  Value changes;       // a record; nested records are merged, anything else replaces
};

struct Component {
  std::string name;
  std::string namespace_;
  SourceRange range, name_range;

  Container main;
  std::vector<Container> init, sidecars;

  int64_t replicas = 1;
  SourceRange replicas_range;
  std::string ordering = "OrderedReady";
  SourceRange ordering_range;
  UpdateStrategy update;
  std::optional<int64_t> min_ready, revision_history;
  StringPairs labels, annotations, pod_labels, pod_annotations;
  std::optional<StringPairs> selector;
  SourceRange selector_range;
  std::vector<SourceRange> selector_key_ranges;  // parallel to *selector

  std::vector<Storage> storage;
  std::vector<Config> configs;
  std::vector<SecretVolume> secrets;
  std::vector<Scratch> scratch;
  std::optional<std::pair<std::string, std::string>> retention;  // whenDeleted, whenScaled

  std::vector<AntiAffinity> anti_affinity;
  std::vector<Spread> spread;
  StringPairs node_selector;
  std::vector<Toleration> tolerations;
  std::string priority_class;
  ServiceAccount service_account;
  HeapOptional<Value> pod_security_context;
  std::optional<int64_t> termination_grace;
  std::vector<std::string> image_pull_secrets;
  bool publish_not_ready = false;
  std::vector<ClientService> clients;
  Disruption disruption;
  StringPairs service_annotations;
  std::vector<Patch> patches;
  // Components to apply (and wait for) before this one, by name.
  std::vector<std::pair<std::string, SourceRange>> depends_on;
};

struct NamespaceDecl {
  std::string name;
  bool create = false;
  StringPairs labels;
  SourceRange range;
};

struct Program {
  std::vector<NamespaceDecl> namespaces;
  // A deque: components are large, and growing a vector would move them all.
  std::deque<Component> components;
};

}  // namespace kstate::check
