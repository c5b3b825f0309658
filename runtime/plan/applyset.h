// ApplySets (KEP-3659): what a file applied, recorded on the cluster the way
// kubectl records it, so `apply --prune` can find objects that left the file
// and `kubectl` (or anyone) can list the inventory by label.
//
// One ApplySet per namespace the file's namespaced objects go to. Its parent
// is a Secret `kstate.<set>` in that namespace, where <set> is `--applyset`
// or the first file's name without `.kstate`. The parent carries the label
// `applyset.kubernetes.io/id` and the annotations `.../tooling` and
// `.../contains-group-kinds`; every member carries `.../part-of: <id>`.
// Cluster-scoped objects (Namespaces, ClusterRoles) are not members: they
// are never pruned. The parent also holds the progress records of
// recreations (annotations `recreate.kstate.dev/<statefulset>`), so that an
// interrupted one is finished by the next `apply`.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "runtime/api/api_client.h"

namespace kstate::runtime::plan {

inline constexpr char kApplySetIdLabel[] = "applyset.kubernetes.io/id";
inline constexpr char kApplySetPartOfLabel[] = "applyset.kubernetes.io/part-of";
inline constexpr char kApplySetToolingAnnotation[] = "applyset.kubernetes.io/tooling";
inline constexpr char kApplySetGroupKindsAnnotation[] = "applyset.kubernetes.io/contains-group-kinds";
inline constexpr char kRecreatePrefix[] = "recreate.kstate.dev/";

struct ApplySet {
  std::string set;     // the ApplySet's name: --applyset, or the first file's stem
  std::string ns;      // the namespace of the parent and of every member
  std::string parent;  // the parent Secret's name: "kstate.<set>"
  std::string id;      // "applyset-<base64url(sha256(parent.ns.Secret.))>-v1", as kubectl computes it
};

ApplySet MakeApplySet(const std::string& set, const std::string& ns);
// kubectl's ApplySet id of a parent object (kind and group of the parent).
std::string ApplySetId(const std::string& name, const std::string& ns, const std::string& kind,
                       const std::string& group);
// The ApplySet name for files given no --applyset: the first file's name
// without its extension, lowercased, other characters than [a-z0-9-] as '-'.
std::string DefaultSetName(const std::vector<std::string>& files);
// Empty when `set` can name an ApplySet (a DNS label of at most 56 characters,
// so that "kstate.<set>" stays short); else why not.
std::string CheckSetName(const std::string& set);
// "StatefulSet.apps", "Service": a resource's group-kind as KEP-3659 spells it.
std::string GroupKind(const api::Resource& r);
// Adds the part-of label to a member's apply body.
void LabelMember(api::Json& body, const ApplySet& set);

// The parent as found on the cluster.
struct Parent {
  bool exists = false;
  std::set<std::string> group_kinds;             // contains-group-kinds
  std::map<std::string, std::string> recreates;  // StatefulSet name -> record (JSON text)
};
// Reads the parent. An error when it cannot be read, or when the Secret
// exists but is not this ApplySet's parent written by kstatec (another
// tool's ApplySet, or an unrelated Secret of that name): kstatec never takes
// over what it did not create.
api::Result<Parent> ReadParent(api::ApiClient& api, const ApplySet& set);
// Server-side applies the parent with its id label, tooling annotation and
// `group_kinds`. Progress records are not touched (they are merge-patched).
api::Result<api::Json> WriteParent(api::ApiClient& api, const ApplySet& set, const std::set<std::string>& group_kinds,
                                   bool dry_run);
// Sets (or with an empty `record`, removes) the progress record of a
// StatefulSet's recreation on the parent.
api::Result<api::Json> WriteRecreateRecord(api::ApiClient& api, const ApplySet& set, const std::string& statefulset,
                                           const std::string& record);
// The resource serving a group-kind ("StatefulSet.apps"), in the group's
// preferred version.
api::Result<api::Resource> ResolveGroupKind(api::ApiClient& api, const std::string& group_kind);

}  // namespace kstate::runtime::plan
