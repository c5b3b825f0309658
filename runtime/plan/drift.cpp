// Reads FieldsV1 ownership trees (`{"f:spec": {"f:replicas": {}}}`) against
// the live object and the file's apply configuration side by side, so each
// owned leaf comes with both values and the path `kstatec diff` prints.
#include "runtime/plan/drift.h"

#include <algorithm>
#include <array>
#include <set>

#include <fmt/format.h>

namespace kstate::runtime::plan {

namespace {

// Managers that are Kubernetes itself writing the fields it owns (revision
// annotations, defaulted claim settings, pod bindings): not drift, unless
// they own a field the file sets, which nobody would expect.
constexpr std::array<std::string_view, 4> kControllerManagers = {"kube-controller-manager", "kube-scheduler", "kubelet",
                                                                 "generic-garbage-collector"};

// Fields that record how an object is stored rather than what it is. The
// last-applied annotation is kubectl's copy of a whole configuration (it may
// hold Secret values); the fields it describes are reported one by one.
constexpr std::array<std::string_view, 14> kBookkeeping = {
    "apiVersion",
    "kind",
    "status",
    "metadata.managedFields",
    "metadata.resourceVersion",
    "metadata.uid",
    "metadata.generation",
    "metadata.creationTimestamp",
    "metadata.selfLink",
    "metadata.deletionTimestamp",
    "metadata.deletionGracePeriodSeconds",
    "metadata.name",
    "metadata.namespace",
    "metadata.annotations.kubectl.kubernetes.io/last-applied-configuration"};

template <size_t N>
bool Contains(const std::array<std::string_view, N>& list, std::string_view s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

// `k:{"name":"db"}` reads `db`; other keys as the API server prints them
// (`containerPort=5432,protocol="TCP"`), so a server path converts to ours.
std::string KeyLabel(const Json& key) {
  if (key.size() == 1 && key.contains("name") && key["name"].is_string()) return key["name"].get<std::string>();
  std::string out;
  for (const auto& [k, v] : key.items()) {
    out += fmt::format("{}{}={}", out.empty() ? "" : ",", k, v.dump(-1, ' ', false, Json::error_handler_t::replace));
  }
  return out;
}

// One FieldsV1 element (`f:x`, `k:{...}`, `v:...`, `i:3`) resolved in a parent value.
struct Element {
  bool known = false;
  bool item = false;  // a list item rather than a map member
  std::string label;  // ".replicas" or "[db]"
  const Json* live = nullptr;
  const Json* file = nullptr;
};

// The item of list `in` matching a FieldsV1 key. The server defaults a
// port's protocol to TCP, so a file's port without one matches `"TCP"`.
const Json* FindKeyed(const Json* in, const Json& key) {
  if (!in || !in->is_array()) return nullptr;
  for (const Json& item : *in) {
    if (!item.is_object()) continue;
    bool match = true;
    for (const auto& [k, v] : key.items()) {
      auto it = item.find(k);
      match = match && (it != item.end() ? *it == v : k == "protocol" && v == "TCP");
    }
    if (match) return &item;
  }
  return nullptr;
}

const Json* FindValue(const Json* in, const Json& value) {
  if (!in || !in->is_array()) return nullptr;
  auto it = std::find(in->begin(), in->end(), value);
  return it == in->end() ? nullptr : &*it;
}

const Json* Member(const Json* in, const std::string& name) {
  if (!in || !in->is_object()) return nullptr;
  auto it = in->find(name);
  return it == in->end() ? nullptr : &*it;
}

const Json* Index(const Json* in, const std::string& digits) {
  if (!in || !in->is_array() || digits.empty() || digits.size() > 9 ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return nullptr;
  }
  size_t i = std::stoul(digits);
  return i < in->size() ? &(*in)[i] : nullptr;
}

Element Resolve(const std::string& element, const Json* live, const Json* file) {
  Element e;
  if (element.size() < 2 || element[1] != ':') return e;
  std::string rest = element.substr(2);
  char kind = element[0];
  if (kind == 'f') {
    return {true, false, "." + rest, Member(live, rest), Member(file, rest)};
  }
  if (kind == 'i') return {true, true, "[" + rest + "]", Index(live, rest), Index(file, rest)};
  Json value = Json::parse(rest, nullptr, false);
  if (value.is_discarded()) return e;
  if (kind == 'k' && value.is_object()) {
    return {true, true, "[" + KeyLabel(value) + "]", FindKeyed(live, value), FindKeyed(file, value)};
  }
  if (kind == 'v') {
    std::string text = value.dump(-1, ' ', false, Json::error_handler_t::replace);
    return {true, true, "[=" + text + "]", FindValue(live, value), FindValue(file, value)};
  }
  return e;
}

std::string Join(const std::string& path, const std::string& label) {
  return path.empty() && label[0] == '.' ? label.substr(1) : path + label;
}

// `path` is `top` or inside it.
bool Under(const std::string& path, std::string_view top) {
  return path.rfind(top, 0) == 0 && (path.size() == top.size() || path[top.size()] == '.' || path[top.size()] == '[');
}

// A FieldsV1 node owns only itself when it has no members but ".".
bool IsLeaf(const Json& node) {
  if (!node.is_object()) return true;
  return std::all_of(node.items().begin(), node.items().end(), [](const auto& kv) { return kv.key() == "."; });
}

// The members of a map item that `fields` names: the item as this manager
// owns it, without members that other managers own.
Json OwnedMembers(const Json& fields, const Json& item) {
  if (!item.is_object()) return item;
  Json out = Json::object();
  for (const auto& [key, ignored] : fields.items()) {
    const Json* member = key.rfind("f:", 0) == 0 ? Member(&item, key.substr(2)) : nullptr;
    if (member) out[key.substr(2)] = *member;
  }
  return out;
}

// Every path our own manager's entries name, leaves and parents alike.
void OwnedPaths(const Json& node, const std::string& path, std::set<std::string>& out) {
  if (!node.is_object()) return;
  for (const auto& [key, child] : node.items()) {
    if (key == ".") continue;
    Element e = Resolve(key, nullptr, nullptr);
    if (!e.known) continue;
    std::string p = Join(path, e.label);
    out.insert(p);
    OwnedPaths(child, p, out);
  }
}

class Finder {
 public:
  Finder(const Json& live, const std::set<std::string>& ours) : ours_(ours) {
    const Json* kind = Member(&live, "kind");
    secret_ = kind && *kind == "Secret";
  }

  void Entry(const Json& fields, const Json& live, const Json& file, const FieldOwner& owner) {
    owner_ = owner;
    controller_ = Contains(kControllerManagers, owner.manager);
    Visit(fields, &live, &file, "");
  }

  std::vector<DriftedField> Take() { return std::move(found_); }

 private:
  void Visit(const Json& fields, const Json* live, const Json* file, const std::string& path) {
    if (!fields.is_object()) return;
    for (const auto& [key, child] : fields.items()) {
      if (key == ".") continue;
      Element e = Resolve(key, live, file);
      if (!e.known || !e.live) continue;  // an unknown element, or owned but not there: nothing to show
      std::string p = Join(path, e.label);
      if (Contains(kBookkeeping, p)) continue;
      // A list item this manager added, which the file does not have, is one
      // drifted field (the whole item), not one line per member.
      bool whole_item = e.item && !e.file && child.is_object() && child.contains(".");
      if (IsLeaf(child))
        Leaf(p, *e.live, e.file);
      else if (whole_item)
        Leaf(p, OwnedMembers(child, *e.live), e.file);
      else
        Visit(child, e.live, e.file, p);
    }
  }

  void Leaf(const std::string& path, const Json& live, const Json* file) {
    if (file && *file == live) return;  // the file agrees: applying changes nothing here
    DriftedField::Outcome outcome = !file               ? DriftedField::Outcome::Kept
                                    : ours_.count(path) ? DriftedField::Outcome::Shared
                                                        : DriftedField::Outcome::Conflict;
    if (controller_ && outcome == DriftedField::Outcome::Kept) return;
    for (DriftedField& f : found_) {
      if (f.path == path) {
        f.owners.push_back(owner_);
        return;
      }
    }
    bool mask = secret_ && (Under(path, "data") || Under(path, "stringData"));
    Json file_value = file ? *file : Json();
    found_.push_back({path, mask ? Json("***") : live, mask && file ? Json("***") : file_value, outcome, {owner_}, {}});
  }

  const std::set<std::string>& ours_;
  bool secret_ = false;
  FieldOwner owner_;
  bool controller_ = false;
  std::vector<DriftedField> found_;
};

// The entries whose fields FindDrift reads: FieldsV1, not the status subresource.
std::vector<const Json*> Entries(const Json& live) {
  std::vector<const Json*> out;
  const Json* managed = Member(Member(&live, "metadata"), "managedFields");
  if (!managed || !managed->is_array()) return out;
  for (const Json& e : *managed) {
    if (!e.is_object() || api::StringMember(e, "subresource") == "status") continue;
    std::string type = api::StringMember(e, "fieldsType");
    if (!type.empty() && type != "FieldsV1") continue;
    out.push_back(&e);
  }
  return out;
}

// Conflicts first: they are what stops an apply.
void Sort(std::vector<DriftedField>& fields) {
  auto rank = [](const DriftedField& f) { return f.outcome == DriftedField::Outcome::Kept ? 1 : 0; };
  std::stable_sort(fields.begin(), fields.end(), [&](const DriftedField& a, const DriftedField& b) {
    return std::make_pair(rank(a), a.path) < std::make_pair(rank(b), b.path);
  });
}

// The `]` closing the `[` at `open`, skipping brackets inside JSON strings;
// the end of `s` when there is none.
size_t ClosingBracket(std::string_view s, size_t open) {
  bool quoted = false;
  for (size_t j = open + 1; j < s.size(); ++j) {
    if (quoted && s[j] == '\\')
      ++j;
    else if (s[j] == '"')
      quoted = !quoted;
    else if (!quoted && s[j] == ']')
      return j;
  }
  return s.size();
}

// A value on one line: compact JSON cut at 60 bytes (on a UTF-8 boundary),
// since a whole list item or an atomic list can be long.
std::string Value(const Json& v) {
  std::string text = v.dump(-1, ' ', false, Json::error_handler_t::replace);
  constexpr size_t kMax = 60;
  if (text.size() <= kMax) return text;
  size_t cut = kMax - 3;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut) + "...";
}

// "set by kubectl (subresource scale, 2026-11-24T10:00:00Z) and applied by helm"
std::string Owners(const std::vector<FieldOwner>& owners) {
  std::string out;
  for (const FieldOwner& o : owners) {
    std::vector<std::string> details;
    if (!o.subresource.empty()) details.push_back("subresource " + o.subresource);
    if (!o.time.empty()) details.push_back(o.time);
    out += fmt::format("{}{} by {}", out.empty() ? "" : " and ", o.operation == "Apply" ? "applied" : "set",
                       o.manager.empty() ? "an unnamed manager" : o.manager);
    if (!details.empty()) out += fmt::format(" ({})", fmt::join(details, ", "));
  }
  return out;
}

std::string Line(const DriftedField& f, const DriftWording& w) {
  using O = DriftedField::Outcome;
  if (f.outcome == O::Kept) {
    return fmt::format("{}: {}, {}; not in the file: apply keeps it", f.path, Value(f.live), Owners(f.owners));
  }
  std::string where = w.source ? w.source(f.path) : std::string();
  std::string source = where.empty() ? "" : fmt::format(" (file: {})", where);
  const char* effect = f.outcome == O::Shared   ? "takes it over"
                       : !f.server_says.empty() ? "sets it to the file's value"
                                                : "sets it back";
  std::string then = w.force_conflicts
                         ? fmt::format("--force-conflicts {}", effect)
                         : fmt::format("apply stops with a conflict unless --force-conflicts, which {}", effect);
  if (!f.server_says.empty())
    return fmt::format("{}: the server reports {}{}: {}", f.path, f.server_says, source, then);
  if (f.outcome == O::Shared) {
    return fmt::format("{}: {}, {} as well as by this file; the file now says {}{}: {}", f.path, Value(f.live),
                       Owners(f.owners), Value(f.file), source, then);
  }
  return fmt::format("{}: {}, {}; the file says {}{}: {}", f.path, Value(f.live), Owners(f.owners), Value(f.file),
                     source, then);
}

}  // namespace

std::vector<DriftedField> FindDrift(const Json& live, const Json& applied_config, std::string_view our_manager) {
  std::vector<const Json*> entries = Entries(live);
  std::set<std::string> ours;
  for (const Json* e : entries) {
    if (api::StringMember(*e, "manager") == our_manager) OwnedPaths(e->value("fieldsV1", Json()), "", ours);
  }
  Finder finder(live, ours);
  for (const Json* e : entries) {
    FieldOwner owner{api::StringMember(*e, "manager"), api::StringMember(*e, "operation"), api::StringMember(*e, "subresource"), api::StringMember(*e, "time")};
    if (owner.manager == our_manager) continue;  // whatever kstatec wrote, by apply or by patch, is not drift
    finder.Entry(e->value("fieldsV1", Json()), live, applied_config, owner);
  }
  std::vector<DriftedField> found = finder.Take();
  Sort(found);
  return found;
}

void AgreeWithServer(std::vector<DriftedField>& fields, bool accepted,
                     const std::vector<api::ApiError::Cause>& causes) {
  std::vector<std::pair<std::string, const api::ApiError::Cause*>> named;
  for (const api::ApiError::Cause& c : causes) {
    if (c.type == "FieldManagerConflict" && !c.field.empty()) named.emplace_back(DriftPathFromServer(c.field), &c);
  }
  if (!accepted && named.empty()) return;  // a 409 without causes says nothing either way
  auto is_named = [&](const std::string& path) {
    return std::any_of(named.begin(), named.end(), [&](const auto& n) { return n.first == path; });
  };
  std::erase_if(fields,
                [&](const DriftedField& f) { return f.outcome != DriftedField::Outcome::Kept && !is_named(f.path); });
  for (const auto& n : named) {
    bool seen = std::any_of(fields.begin(), fields.end(), [&](const DriftedField& f) {
      return f.path == n.first && f.outcome != DriftedField::Outcome::Kept;
    });
    if (!seen) fields.push_back({n.first, Json(), Json(), DriftedField::Outcome::Conflict, {}, n.second->message});
  }
  Sort(fields);
}

std::string DriftPathFromServer(std::string_view field) {
  if (!field.empty() && field[0] == '.') field.remove_prefix(1);
  std::string out;
  size_t i = 0;
  while (i < field.size()) {
    if (field[i] != '[') {
      out += field[i++];
      continue;
    }
    size_t j = ClosingBracket(field, i);
    std::string inner(field.substr(i + 1, j - i - 1));
    // `[name="db"]` alone reads `[db]`; a key of several fields stays as it is.
    Json name = inner.rfind("name=", 0) == 0 ? Json::parse(inner.substr(5), nullptr, false) : Json();
    out += "[" + (name.is_string() ? name.get<std::string>() : inner) + "]";
    i = j + 1;
  }
  return out;
}

std::string FormatDrift(const std::string& label, const std::vector<DriftedField>& fields,
                        const DriftWording& wording) {
  if (fields.empty()) return {};
  std::string out = fmt::format("drift in {} (changed on the cluster, not by this file):\n", label);
  for (const DriftedField& f : fields) out += "  " + Line(f, wording) + "\n";
  return out;
}

}  // namespace kstate::runtime::plan
