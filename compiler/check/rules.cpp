// Component- and program-wide rules.
#include "compiler/check/rules.h"

#include <algorithm>
#include <cstdlib>
#include <deque>
#include <map>
#include <unordered_map>
#include <set>
#include <string>

#include <fmt/format.h>

#include "compiler/base/text.h"

namespace kstate::check {

using K = diag::Kind;

namespace {

void CheckNames(const Component& c, diag::Diagnostics& diags) {
  std::string why = base::CheckDns1123Label(c.name);
  if (!why.empty() && c.name.size() <= 63) {
    diags.Report(K::InvalidObjectName, c.name_range, "component name", c.name, why);
  } else if (c.name.size() > kMaxStatefulSetName) {
    diags.Report(K::NameTooLong, c.name_range, c.name, c.name.size(), kMaxStatefulSetName);
  }
  std::map<std::string, SourceRange> containers;
  auto container = [&](const Container& k) {
    std::string cwhy = base::CheckDns1123Label(k.name);
    if (!cwhy.empty() && &k != &c.main) diags.Report(K::InvalidObjectName, k.name_range, "container name", k.name, cwhy);
    auto [it, fresh] = containers.emplace(k.name, k.name_range);
    if (!fresh) {
      diag::Diagnostic& d = diags.Report(K::DuplicateName, k.name_range, "container", k.name);
      d.notes.push_back({it->second, "first declared here"});
    }
  };
  container(c.main);
  for (const Container& k : c.init) container(k);
  for (const Container& k : c.sidecars) container(k);

  // Volumes share one namespace in the pod; a pod volume named like a claim
  // template silently replaces the claim.
  std::map<std::string, std::pair<std::string_view, SourceRange>> volumes;
  for (const Storage& s : c.storage) {
    std::string vwhy = base::CheckDns1123Label(s.name);
    if (!vwhy.empty()) diags.Report(K::InvalidObjectName, s.range, "storage name", s.name, vwhy);
    auto [it, fresh] = volumes.emplace(s.name, std::pair{std::string_view("storage"), s.range});
    if (!fresh) diags.Report(K::DuplicateName, s.range, "storage", s.name).notes.push_back({it->second.second, "first declared here"});
  }
  auto volume = [&](std::string_view kind, const std::string& name, SourceRange range) {
    std::string vwhy = base::CheckDns1123Label(name);
    if (!vwhy.empty()) diags.Report(K::InvalidObjectName, range, fmt::format("{} name", kind), name, vwhy);
    auto [it, fresh] = volumes.emplace(name, std::pair{kind, range});
    if (fresh) return;
    if (it->second.first == "storage") {
      diag::Diagnostic& d = diags.Report(K::VolumeShadowsClaim, range, kind, name, name);
      d.notes.push_back({it->second.second, "the storage is declared here"});
      d.help = "give one of them another name";
    } else {
      diags.Report(K::DuplicateName, range, fmt::format("volume"), name).notes.push_back({it->second.second, "first declared here"});
    }
  };
  for (const Config& cfg : c.configs) volume("config", cfg.name, cfg.range);
  for (const SecretVolume& s : c.secrets) volume("secret", s.name, s.range);
  for (const Scratch& s : c.scratch) volume("scratch", s.name, s.range);
}

// Whether `pred` holds for a container of the pod: the main one, an init
// container or a sidecar.
template <typename Pred>
bool AnyContainer(const Component& c, Pred pred) {
  return pred(c.main) || std::any_of(c.init.begin(), c.init.end(), pred) ||
         std::any_of(c.sidecars.begin(), c.sidecars.end(), pred);
}

// A port of container `k` whose number looks like a typo of `number`: one or
// two away, or of the same length and one digit different. Only the probe's
// own container: a probe names only its own container's ports.
const Port* NearPort(const Container& k, int64_t number) {
  auto near = [&](int64_t other) {
    if (other != number && std::llabs(other - number) <= 2) return true;
    std::string a = std::to_string(number), b = std::to_string(other);
    if (a.size() != b.size()) return false;
    size_t differ = 0;
    for (size_t i = 0; i < a.size(); ++i) differ += a[i] != b[i];
    return differ == 1;
  };
  for (const Port& p : k.ports) {
    if (near(p.number)) return &p;
  }
  return nullptr;
}

void CheckPortsAndProbes(const Component& c, diag::Diagnostics& diags) {
  // Every port number a container of the pod declares: containers share the
  // pod's network, so a probe may check a sidecar's port.
  auto declared = [&](int64_t number) {
    return AnyContainer(c, [&](const Container& k) {
      return std::any_of(k.ports.begin(), k.ports.end(), [&](const Port& p) { return p.number == number; });
    });
  };
  std::map<int64_t, const Port*> numbers;
  auto each = [&](const Container& k) {
    std::map<std::string, const Port*> names;
    for (const Port& p : k.ports) {
      if (auto [it, fresh] = names.emplace(p.name, &p); !fresh) {
        diag::Diagnostic& d = diags.Report(K::DuplicateName, p.range, "port", p.name);
        d.notes.push_back({it->second->range, "first declared here"});
        continue;
      }
      auto [it, fresh] = numbers.emplace(p.number, &p);
      if (!fresh && it->second->protocol == p.protocol) {
        diag::Diagnostic& d = diags.Report(K::DuplicatePort, p.range, p.number, it->second->name, p.name);
        d.notes.push_back({it->second->range, "first declared here"});
      }
    }
    auto probe = [&](const HeapOptional<Probe>& pr, std::string_view kind) {
      if (!pr) return;
      if (!pr->port.name.empty() && pr->handler != Probe::Handler::Exec) {
        bool found = false;
        std::vector<std::string_view> known;
        for (const Port& p : k.ports) {
          found = found || p.name == pr->port.name;
          known.push_back(p.name);
        }
        if (!found) {
          diag::Diagnostic& d = diags.Report(K::ProbeUnknownPort, pr->port.range, pr->port.name,
                                             fmt::format("container `{}`", k.name));
          diag::SuggestClosest(d, pr->port.name, known);
          if (d.help.empty()) d.help = fmt::format("declare it: `port {} = NUMBER`", pr->port.name);
        }
      }
      // A number no container declares, one digit or one or two away from a
      // declared port, is most likely a typo of it (`tcp(3307)` beside
      // `port mysql = 3306`). Other undeclared numbers are left alone: a
      // health port that is not declared is common (CoreDNS's 8080 and 8181).
      if (pr->port.name.empty() && pr->port.number != 0 && pr->handler != Probe::Handler::Exec &&
          !declared(pr->port.number)) {
        if (const Port* near = NearPort(k, pr->port.number)) {
          bool hook = kind == "preStop" || kind == "postStart";
          diag::Diagnostic& d = diags.Report(K::ProbeUndeclaredPort, pr->port.range,
                                             base::Cat({kind, hook ? " hook" : " probe"}), pr->port.number,
                                             near->name, near->number);
          d.help = fmt::format("if you meant `{}`, check it by name: `{}`", near->name, near->name);
          d.fixes.push_back({pr->port.range, near->name});
        }
      }
      if ((kind == "liveness" || kind == "startup") && pr->success && *pr->success != 1) {
        diag::Diagnostic& d = diags.Report(K::ProbeSuccessThreshold, pr->success_range, kind, *pr->success);
        d.help = "Kubernetes refuses other values here; tune `failureThreshold` or `period` instead";
        d.fixes.push_back({pr->success_range, "1"});
      }
    };
    probe(k.liveness, "liveness");
    probe(k.readiness, "readiness");
    probe(k.startup, "startup");
    probe(k.pre_stop, "preStop");
    probe(k.post_start, "postStart");
  };
  each(c.main);
  for (const Container& k : c.init) each(k);
  for (const Container& k : c.sidecars) each(k);
}

void CheckMounts(const Component& c, diag::Diagnostics& diags) {
  std::vector<std::string_view> volumes;
  for (const Storage& s : c.storage) volumes.push_back(s.name);
  for (const Config& s : c.configs) volumes.push_back(s.name);
  for (const SecretVolume& s : c.secrets) volumes.push_back(s.name);
  for (const Scratch& s : c.scratch) volumes.push_back(s.name);
  bool unknown_mount = false;
  auto each = [&](const Container& k) {
    std::map<std::string_view, SourceRange> paths;  // views into the mounts
    for (const Mount& m : k.mounts) {
      if (std::find(volumes.begin(), volumes.end(), m.volume) == volumes.end()) {
        unknown_mount = true;
        diag::Diagnostic& d = diags.Report(K::MountUnknownVolume, m.volume_range, m.volume);
        diag::SuggestClosest(d, m.volume, volumes);
        if (d.help.empty()) d.help = fmt::format("declare it, for example `storage {} {{ size = 1Gi }}`", m.volume);
      }
      if (m.path.empty() || m.path.front() != '/') {
        diag::Diagnostic& d = diags.Report(K::MountPathRelative, m.path_range, m.path);
        d.help = fmt::format("did you mean `\"/{}\"`?", m.path);
        d.fixes.push_back({m.path_range, fmt::format("\"/{}\"", m.path)});
      } else {
        std::string_view normal = m.path;
        if (normal.size() > 1 && normal.back() == '/') normal.remove_suffix(1);
        auto [it, fresh] = paths.emplace(normal, m.path_range);
        if (!fresh) {
          diag::Diagnostic& d = diags.Report(K::MountPathTwice, m.path_range, normal, k.name);
          d.notes.push_back({it->second, "the other mount"});
        }
      }
      if (!m.sub_path.empty()) {
        std::string_view sp = m.sub_path;
        bool parent = sp == ".." || sp.starts_with("../") || sp.ends_with("/..") || sp.find("/../") != std::string_view::npos;
        SourceRange at = m.sub_path_range.valid() ? m.sub_path_range : m.range;
        if (sp.front() == '/') diags.Report(K::SubPathEscapes, at, m.sub_path, "is absolute; it must be relative to the volume").help = "write the path inside the volume without the leading `/`";
        else if (parent) diags.Report(K::SubPathEscapes, at, m.sub_path, "contains `..`; it must stay inside the volume").help = "mount a directory of the volume that holds what you need";
      }
    }
  };
  each(c.main);
  for (const Container& k : c.init) each(k);
  for (const Container& k : c.sidecars) each(k);
  // A claim no container mounts: the state this component exists for is
  // written inside the container instead. After a mount of an unknown
  // volume (KS3004, most often a misspelt claim) this would repeat it.
  if (unknown_mount) return;
  auto mounted = [&](std::string_view volume) {
    return AnyContainer(c, [&](const Container& k) {
      return std::any_of(k.mounts.begin(), k.mounts.end(), [&](const Mount& m) { return m.volume == volume; });
    });
  };
  for (const Storage& s : c.storage) {
    if (mounted(s.name)) continue;
    diags.Report(K::StorageNotMounted, s.range, s.name).help =
        fmt::format("mount it where the files are kept: `storage {} {{ mount = \"/var/lib/...\" }}` or "
                    "`mount {} at \"/var/lib/...\"`",
                    s.name, s.name);
  }
}

// Checks an image reference and warns about tags that can change under a running StatefulSet.
void CheckImage(const Container& k, diag::Diagnostics& diags) {
  const std::string& image = k.image;
  if (image.empty()) {
    if (k.image_range.valid()) diags.Report(K::InvalidImage, k.image_range, image, "it is empty");
    return;
  }
  for (char ch : image) {
    if (std::isspace(static_cast<unsigned char>(ch)) || static_cast<unsigned char>(ch) < 0x20 || ch == 0x7F) {
      bool space = ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
      diags.Report(K::InvalidImage, k.image_range, image,
                   space ? "it contains white space" : "it contains a control character");
      return;
    }
  }
  size_t at = image.find('@');
  std::string_view name = std::string_view(image).substr(0, at);
  size_t slash = name.rfind('/');
  size_t colon = name.rfind(':');
  bool has_tag = colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash);
  std::string_view repo = has_tag ? name.substr(0, colon) : name;
  std::string_view tag = has_tag ? name.substr(colon + 1) : std::string_view{};
  size_t first_slash = repo.find('/');
  std::string_view path = first_slash != std::string_view::npos &&
                                  (repo.substr(0, first_slash).find_first_of(".:") != std::string_view::npos ||
                                   repo.substr(0, first_slash) == "localhost")
                              ? repo.substr(first_slash + 1)
                              : repo;
  for (char ch : path) {
    if (ch >= 'A' && ch <= 'Z') {
      diags.Report(K::InvalidImage, k.image_range, image, "the repository name must be lower case");
      return;
    }
  }
  if (has_tag && (tag.empty() || tag.size() > 128)) {
    diags.Report(K::InvalidImage, k.image_range, image, "the tag must have 1 to 128 characters");
    return;
  }
  if (at != std::string::npos) return;  // pinned by digest
  if (!has_tag) {
    diags.Report(K::MutableImageTag, k.image_range, image, "has no tag, so it means `:latest`")
        .help = "pin a version tag or a digest";
  } else if (tag == "latest") {
    diags.Report(K::MutableImageTag, k.image_range, image, "uses the tag `latest`").help = "pin a version tag or a digest";
  }
}

void CheckAdvice(const Component& c, diag::Diagnostics& diags) {
  CheckImage(c.main, diags);
  for (const Container& k : c.init) CheckImage(k, diags);
  for (const Container& k : c.sidecars) CheckImage(k, diags);
  if (!c.main.readiness_written) diags.Report(K::NoReadiness, c.name_range, c.name).help = "add `readiness = tcp(PORT)` or a command that checks the service";
  if (c.main.liveness && c.main.readiness && c.main.liveness->handler == c.main.readiness->handler &&
      c.main.liveness->command == c.main.readiness->command && c.main.liveness->path == c.main.readiness->path &&
      c.main.liveness->port.name == c.main.readiness->port.name &&
      c.main.liveness->port.number == c.main.readiness->port.number &&
      c.main.liveness->initial_delay == c.main.readiness->initial_delay &&
      c.main.liveness->period == c.main.readiness->period && c.main.liveness->failure == c.main.readiness->failure) {
    diags.Report(K::LivenessIsReadiness, c.main.liveness->range).help =
        "give liveness a longer period or a higher failureThreshold than readiness";
  }
  if (!c.main.resources.any_request() && !c.main.resources_written) diags.Report(K::NoRequests, c.name_range, c.main.name).help = "add `resources { cpu = 500m; memory = 1Gi }`";
  for (const Container& k : c.sidecars) {
    if (!k.resources.any_request() && !k.resources_written) diags.Report(K::NoRequests, k.name_range, k.name).help = "add `resources { cpu = 100m; memory = 128Mi }`";
  }
  for (const Storage& s : c.storage) {
    for (const std::string& mode : s.access) {
      if (mode == "ReadWriteMany") {
        diags.Report(K::ReadWriteManyClaim, s.access_range, s.name).help =
            "use `ReadWriteOnce` (or `ReadWriteOncePod`) unless pods of other workloads mount these claims too";
      }
    }
  }
  for (const AntiAffinity& a : c.anti_affinity) {
    if (a.required && a.topology_key == "topology.kubernetes.io/zone" && c.replicas > 1) {
      diags.Report(K::ZoneAntiAffinity, a.range, c.replicas, c.replicas).help =
          "use `preferred(zone)`, or `spread(zone)` to balance pods over zones";
    }
  }
  if (c.update.partition && *c.update.partition >= c.replicas && c.replicas > 0) {
    diags.Report(K::PartitionAboveReplicas, c.update.partition_range.valid() ? c.update.partition_range : c.update.range,
                 *c.update.partition, c.replicas)
        .help = "lower the partition to roll out pods with ordinals at or above it";
  }
  const Disruption& d = c.disruption;
  bool none_allowed = (d.mode == Disruption::Mode::MaxUnavailable && d.amount.kind == ValueKind::Int && d.amount.integer == 0) ||
                      (d.mode == Disruption::Mode::MaxUnavailable && d.amount.kind == ValueKind::String && d.amount.text == "0%") ||
                      (d.mode == Disruption::Mode::MinAvailable && d.amount.kind == ValueKind::Int && d.amount.integer >= c.replicas && c.replicas > 0) ||
                      (d.mode == Disruption::Mode::MinAvailable && d.amount.kind == ValueKind::String && d.amount.text == "100%");
  if (none_allowed) {
    diags.Report(K::NoDisruptionAllowed, d.range).help =
        "allow at least one pod to go (`maxUnavailable = 1`), or write `disruption = none` for no budget at all";
  }
}

void CheckSelector(const Component& c, diag::Diagnostics& diags) {
  if (!c.selector) return;
  std::string_view tag;
  size_t colon = c.main.image.rfind(':');
  if (colon != std::string::npos && c.main.image.find('/', colon) == std::string::npos) tag = std::string_view(c.main.image).substr(colon + 1);
  for (size_t i = 0; i < c.selector->size(); ++i) {
    const auto& [key, value] = (*c.selector)[i];
    SourceRange at = i < c.selector_key_ranges.size() ? c.selector_key_ranges[i] : c.selector_range;
    static const std::set<std::string_view> kVolatile = {"version", "app.kubernetes.io/version", "helm.sh/chart",
                                                         "chart", "pod-template-hash", "controller-revision-hash"};
    if (kVolatile.count(key)) {
      diags.Report(K::UnstableSelector, at, key, "changes with every release")
          .help = fmt::format("keep `{}` in `labels` or `podLabels` and out of `selector`", key);
    } else if (!tag.empty() && value == tag) {
      diags.Report(K::UnstableSelector, at, key, fmt::format("equals the image tag `{}`", tag))
          .help = fmt::format("keep `{}` in `labels` or `podLabels` and out of `selector`", key);
    }
  }
}

}  // namespace

void CheckServices(const Component& c, diag::Diagnostics& diags) {
  if (c.service_account.create) {
    std::string why = base::CheckDns1123Subdomain(c.service_account.name);
    if (!why.empty()) diags.Report(K::InvalidObjectName, c.service_account.range, "service account name", c.service_account.name, why);
  }
  std::vector<std::string_view> exposed;
  for (const Container* k : {&c.main}) {
    for (const Port& p : k->ports) {
      if (p.expose) exposed.push_back(p.name);
    }
  }
  for (const Container& k : c.sidecars) {
    for (const Port& p : k.ports) {
      if (p.expose) exposed.push_back(p.name);
    }
  }
  for (const ClientService& client : c.clients) {
    std::string why = base::CheckDns1123Label(client.name);
    if (!why.empty()) diags.Report(K::InvalidObjectName, client.range, "client service name", client.name, why);
    bool any = client.ports.empty() && !exposed.empty();
    for (size_t i = 0; i < client.ports.size(); ++i) {
      const std::string& name = client.ports[i];
      if (std::find(exposed.begin(), exposed.end(), name) != exposed.end()) {
        any = true;
        continue;
      }
      diag::Diagnostic& d = diags.Report(K::UnknownName, client.port_ranges[i], name);
      diag::SuggestClosest(d, name, exposed);
      if (d.help.empty()) d.help = "the client service lists ports the containers declare (and expose)";
    }
    if (!any && client.ports.empty()) {
      diags.Report(K::MissingField, client.range, "the client service", "port")
          .help = "declare a port on the component, as in `port mysql = 3306`";
    }
  }
}

void CheckComponent(const Component& c, diag::Diagnostics& diags) {
  CheckNames(c, diags);
  CheckServices(c, diags);
  CheckPortsAndProbes(c, diags);
  CheckMounts(c, diags);
  CheckSelector(c, diags);
  CheckAdvice(c, diags);
}

std::string ClusterRoleName(const Component& c) {
  return c.namespace_.empty() ? c.service_account.name : fmt::format("{}-{}", c.namespace_, c.service_account.name);
}

std::vector<ObjectName> ObjectNames(const Component& c) {
  std::vector<ObjectName> out;
  out.reserve(3 + c.configs.size() + c.clients.size() + (c.service_account.create ? 5 : 0));
  const ServiceAccount& sa = c.service_account;
  if (sa.create) out.push_back({"ServiceAccount", sa.name, sa.range});
  if (sa.create && !sa.rules.empty()) {
    out.push_back({"Role", sa.name, sa.range});
    out.push_back({"RoleBinding", sa.name, sa.range});
  }
  if (sa.create && !sa.cluster_rules.empty()) {
    out.push_back({"ClusterRole", ClusterRoleName(c), sa.range, true});
    out.push_back({"ClusterRoleBinding", ClusterRoleName(c), sa.range, true});
  }
  for (const Config& cfg : c.configs) out.push_back({"ConfigMap", cfg.object_name, cfg.range});
  out.push_back({"Service", c.name, c.name_range});
  for (const ClientService& client : c.clients) out.push_back({"Service", client.name, client.range});
  out.push_back({"StatefulSet", c.name, c.name_range});
  bool pdb = c.disruption.mode == Disruption::Mode::MaxUnavailable || c.disruption.mode == Disruption::Mode::MinAvailable ||
             (c.disruption.mode == Disruption::Mode::Default && c.replicas > 1);
  if (pdb) out.push_back({"PodDisruptionBudget", c.name, c.name_range});
  return out;
}

namespace {

// An object or component in the program: kind (empty for a component),
// namespace (empty for cluster-scoped objects) and name.
struct NameKey {
  std::string_view kind, ns, name;
  bool operator==(const NameKey&) const = default;
};
struct NameKeyHash {
  size_t operator()(const NameKey& k) const {
    std::hash<std::string_view> h;
    return h(k.name) ^ (h(k.ns) * 31) ^ (h(k.kind) * 131);
  }
};
const std::string kNoNamespace;

// " in namespace `shop`", or "" for components without a namespace declaration.
std::string InNamespace(const std::string& ns) {
  return ns.empty() ? std::string() : fmt::format(" in namespace `{}`", ns);
}

// Resolves every `dependsOn` name (same namespace first, else the one component
// of that name in the build) and reports unknown names and cycles.
void CheckDependencies(const Program& p, diag::Diagnostics& diags) {
  // Only components that name others need the indexes below.
  bool any = false;
  for (const Component& c : p.components) any = any || !c.depends_on.empty();
  if (!any) return;
  // "namespace\0name" -> the first component of that key; name -> (the first
  // component of that name, how many there are).
  std::unordered_map<std::string, size_t> by_key;
  std::unordered_map<std::string_view, std::pair<size_t, size_t>> by_name;
  by_key.reserve(p.components.size());
  by_name.reserve(p.components.size());
  std::string key;
  for (size_t i = 0; i < p.components.size(); ++i) {
    const Component& c = p.components[i];
    key.assign(c.namespace_).append(1, '\0').append(c.name);
    by_key.emplace(key, i);
    auto [it, fresh] = by_name.emplace(c.name, std::pair<size_t, size_t>{i, 0});
    ++it->second.second;
  }
  // edges[i]: (target, where the dependency is written)
  std::vector<std::vector<std::pair<size_t, SourceRange>>> edges(p.components.size());
  for (size_t i = 0; i < p.components.size(); ++i) {
    const Component& c = p.components[i];
    for (const auto& [name, range] : c.depends_on) {
      key.assign(c.namespace_).append(1, '\0').append(name);
      auto it = by_key.find(key);
      if (it != by_key.end()) {
        edges[i].emplace_back(it->second, range);
        continue;
      }
      auto named = by_name.find(name);
      if (named != by_name.end() && named->second.second == 1) {
        edges[i].emplace_back(named->second.first, range);
        continue;
      }
      diag::Diagnostic& d = diags.Report(K::UnknownDependency, range, name);
      if (named != by_name.end()) {
        d.help = "several namespaces have a component of this name and none is in this component's namespace";
      } else {
        std::vector<std::string_view> all_names;
        for (const auto& [other, first_and_count] : by_name) all_names.push_back(other);
        std::sort(all_names.begin(), all_names.end());  // the order of a suggestion's ties
        diag::SuggestClosest(d, name, all_names);
      }
    }
  }
  // Depth-first search with colours; a grey target closes a cycle. Iterative,
  // so a long chain of dependencies cannot exhaust the stack.
  enum Colour : uint8_t { kWhite, kGrey, kBlack };
  std::vector<Colour> colour(p.components.size(), kWhite);
  for (size_t root = 0; root < p.components.size(); ++root) {
    if (colour[root] != kWhite) continue;
    std::vector<std::pair<size_t, size_t>> stack = {{root, 0}};  // (component, next edge)
    colour[root] = kGrey;
    while (!stack.empty()) {
      auto& [node, next] = stack.back();
      if (next == edges[node].size()) {
        colour[node] = kBlack;
        stack.pop_back();
        continue;
      }
      auto [target, range] = edges[node][next++];
      if (colour[target] == kWhite) {
        colour[target] = kGrey;
        stack.emplace_back(target, 0);
      } else if (colour[target] == kGrey) {
        std::string path;
        bool in_cycle = false;
        for (const auto& frame : stack) {
          in_cycle = in_cycle || frame.first == target;
          if (in_cycle) path += p.components[frame.first].name + " -> ";
        }
        path += p.components[target].name;
        diags.Report(K::DependencyCycle, range, path).help =
            "remove one `dependsOn` entry: each component waits for the ones it names, so a cycle never starts";
      }
    }
  }
}

}  // namespace

void CheckProgram(const Program& p, diag::Diagnostics& diags) {
  CheckDependencies(p, diags);
  std::map<std::string, SourceRange> created;
  for (const NamespaceDecl& ns : p.namespaces) {
    if (!ns.create) continue;
    auto [it, fresh] = created.emplace(ns.name, ns.range);
    if (!fresh) {
      diag::Diagnostic& d = diags.Report(K::DuplicateObject, ns.range, "Namespace", ns.name, "");
      d.notes.push_back({it->second, "the other one comes from here"});
      d.help = "keep `{ create = true }` on one declaration of the namespace";
    }
  }
  // Keys are views: into the components, the constant kinds, and `names`,
  // which keeps the object names alive (most fit in a string's own buffer).
  std::unordered_map<NameKey, const Component*, NameKeyHash> components;
  std::unordered_map<NameKey, SourceRange, NameKeyHash> objects;
  std::deque<std::string> names;
  components.reserve(p.components.size());
  objects.reserve(p.components.size() * 4);
  for (const Component& c : p.components) {
    auto [it, fresh] = components.emplace(NameKey{{}, c.namespace_, c.name}, &c);
    if (!fresh) {
      diag::Diagnostic& d = diags.Report(K::DuplicateComponent, c.name_range, c.name, InNamespace(c.namespace_));
      d.notes.push_back({it->second->name_range, "first declared here"});
      continue;
    }
    for (ObjectName& o : ObjectNames(c)) {
      const std::string& ns = o.cluster_scoped ? kNoNamespace : c.namespace_;
      const std::string& name = names.emplace_back(std::move(o.name));
      auto [oit, ofresh] = objects.emplace(NameKey{o.kind, ns, name}, o.range);
      if (!ofresh) {
        diag::Diagnostic& d = diags.Report(K::DuplicateObject, o.range, o.kind, name, InNamespace(ns));
        d.notes.push_back({oit->second, "the other one comes from here"});
        if (o.kind == "Service" && name == c.name) {
          d.help = fmt::format("the headless Service `{}` governs the StatefulSet of that name and gives its pods "
                               "their DNS names; give the other Service another name", c.name);
        }
      }
    }
  }
}

}  // namespace kstate::check
