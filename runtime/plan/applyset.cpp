// ApplySet parents and member labels (KEP-3659), as kubectl writes them.
#include "runtime/plan/applyset.h"

#include <openssl/evp.h>

#include <algorithm>
#include <sstream>

#include <fmt/format.h>

#include "kstate/compiler.h"

namespace kstate::runtime::plan {

namespace {

std::string Base64Url(const unsigned char* data, size_t size) {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  for (size_t i = 0; i < size; i += 3) {
    uint32_t chunk = static_cast<uint32_t>(data[i]) << 16;
    if (i + 1 < size) chunk |= static_cast<uint32_t>(data[i + 1]) << 8;
    if (i + 2 < size) chunk |= data[i + 2];
    out += alphabet[(chunk >> 18) & 63];
    out += alphabet[(chunk >> 12) & 63];
    if (i + 1 < size) out += alphabet[(chunk >> 6) & 63];
    if (i + 2 < size) out += alphabet[chunk & 63];
  }
  return out;  // unpadded, as Go's RawURLEncoding
}

std::string Tooling() { return std::string("kstatec/") + Version(); }

}  // namespace

std::string ApplySetId(const std::string& name, const std::string& ns, const std::string& kind,
                       const std::string& group) {
  std::string text = name + "." + ns + "." + kind + "." + group;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha256(), nullptr);
  return "applyset-" + Base64Url(digest, size) + "-v1";
}

ApplySet MakeApplySet(const std::string& set, const std::string& ns) {
  ApplySet out{set, ns, "kstate." + set, {}};
  out.id = ApplySetId(out.parent, ns, "Secret", "");
  return out;
}

std::string DefaultSetName(const std::vector<std::string>& files) {
  std::string base = files.empty() ? "" : files.front();
  base = base.substr(base.find_last_of('/') == std::string::npos ? 0 : base.find_last_of('/') + 1);
  if (size_t dot = base.rfind('.'); dot != std::string::npos && dot > 0) base.resize(dot);
  std::string out;
  for (char ch : base) {
    char c = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    out += (std::isalnum(static_cast<unsigned char>(c)) ? c : '-');
  }
  while (!out.empty() && out.front() == '-') out.erase(out.begin());
  while (!out.empty() && out.back() == '-') out.pop_back();
  if (out.size() > 56) out.resize(56);
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "kstate" : out;
}

std::string CheckSetName(const std::string& set) {
  if (set.empty() || set.size() > 56) return "it must have 1 to 56 characters";
  for (char c : set) {
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '-')) {
      return "it may contain only lowercase letters, digits and '-'";
    }
  }
  if (set.front() == '-' || set.back() == '-') return "it must start and end with a letter or digit";
  return {};
}

std::string GroupKind(const api::Resource& r) { return r.group.empty() ? r.kind : r.kind + "." + r.group; }

void LabelMember(api::Json& body, const ApplySet& set) {
  body["metadata"]["labels"][kApplySetPartOfLabel] = set.id;
}

namespace {

api::Result<Parent> ParentFrom(const api::Json& live, const ApplySet& set) {
  api::Result<Parent> out;
  const api::Json& meta = live.at("metadata");
  api::Json labels = meta.value("labels", api::Json::object());
  api::Json annotations = meta.value("annotations", api::Json::object());
  std::string id = labels.value(kApplySetIdLabel, "");
  std::string tooling = annotations.value(kApplySetToolingAnnotation, "");
  std::string where = fmt::format("Secret {}/{}", set.ns, set.parent);
  if (id.empty()) {
    out.error.message = fmt::format("{} exists and is not an ApplySet parent; kstatec will not take it over (choose "
                                    "another name with --applyset)", where);
    return out;
  }
  if (id != set.id || tooling.rfind("kstatec/", 0) != 0) {
    out.error.message = fmt::format("{} is the parent of an ApplySet managed by {} (id {}); kstatec will not take "
                                    "it over (choose another name with --applyset)",
                                    where, tooling.empty() ? "another tool" : tooling, id);
    return out;
  }
  Parent p;
  p.exists = true;
  std::stringstream kinds(annotations.value(kApplySetGroupKindsAnnotation, ""));
  for (std::string gk; std::getline(kinds, gk, ',');) {
    if (!gk.empty()) p.group_kinds.insert(gk);
  }
  for (const auto& [key, value] : annotations.items()) {
    if (key.rfind(kRecreatePrefix, 0) == 0 && value.is_string()) {
      p.recreates[key.substr(sizeof kRecreatePrefix - 1)] = value.get<std::string>();
    }
  }
  out.value = std::move(p);
  return out;
}

}  // namespace

api::Result<Parent> ReadParent(api::ApiClient& api, const ApplySet& set) {
  api::Result<api::Json> live = api.Get(api::kSecrets, set.ns, set.parent);
  api::Result<Parent> out;
  if (!live.ok()) {
    if (live.error.status == 404) out.value = Parent{};
    else out.error = live.error;
    return out;
  }
  try {
    return ParentFrom(*live.value, set);
  } catch (const api::Json::exception& e) {
    out.error.message = fmt::format("Secret {}/{}: unexpected data from the API server: {}", set.ns, set.parent, e.what());
    return out;
  }
}

api::Result<api::Json> WriteParent(api::ApiClient& api, const ApplySet& set, const std::set<std::string>& group_kinds,
                                   bool dry_run) {
  std::string kinds;
  for (const std::string& gk : group_kinds) kinds += (kinds.empty() ? "" : ",") + gk;
  api::Json body = {
      {"apiVersion", "v1"},
      {"kind", "Secret"},
      {"type", "Opaque"},
      {"metadata",
       {{"name", set.parent},
        {"namespace", set.ns},
        {"labels", {{kApplySetIdLabel, set.id}}},
        {"annotations", {{kApplySetToolingAnnotation, Tooling()}, {kApplySetGroupKindsAnnotation, kinds}}}}}};
  api::ApiClient::ApplyOptions options;
  options.dry_run = dry_run;
  options.force = true;  // the parent is kstatec's own: no other manager's opinion on these fields counts
  return api.Apply(api::kSecrets, set.ns, set.parent, body, options);
}

api::Result<api::Json> WriteRecreateRecord(api::ApiClient& api, const ApplySet& set, const std::string& statefulset,
                                           const std::string& record) {
  api::Json value = record.empty() ? api::Json(nullptr) : api::Json(record);
  api::Json patch = {{"metadata", {{"annotations", {{kRecreatePrefix + statefulset, value}}}}}};
  return api.MergePatch(api::kSecrets, set.ns, set.parent, patch, "kstatec");
}

api::Result<api::Resource> ResolveGroupKind(api::ApiClient& api, const std::string& group_kind) {
  size_t dot = group_kind.find('.');
  std::string kind = group_kind.substr(0, dot);
  if (dot == std::string::npos) return api.Find("v1", kind);
  std::string group = group_kind.substr(dot + 1);
  api::Result<api::Json> doc = api.GetPath("/apis/" + group);
  if (!doc.ok()) {
    api::Result<api::Resource> out;
    out.error = doc.error;
    return out;
  }
  std::string preferred;
  try {
    const api::Json& d = *doc.value;
    if (d.contains("preferredVersion")) preferred = d.at("preferredVersion").value("groupVersion", "");
    if (preferred.empty() && d.contains("versions") && !d.at("versions").empty()) {
      preferred = d.at("versions").at(0).value("groupVersion", "");
    }
  } catch (const api::Json::exception&) {
    preferred.clear();  // reported below as no version served
  }
  if (preferred.empty()) {
    api::Result<api::Resource> out;
    out.error.message = fmt::format("the cluster serves no version of API group `{}`", group);
    return out;
  }
  return api.Find(preferred, kind);
}

}  // namespace kstate::runtime::plan
