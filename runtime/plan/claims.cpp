// Claims by the StatefulSet naming rule, and their deletion.
#include "runtime/plan/claims.h"

#include <algorithm>

#include <fmt/format.h>

namespace kstate::runtime::plan {

std::vector<std::string> ClaimTemplateNames(const api::Json& statefulset) {
  std::vector<std::string> out;
  if (!statefulset.is_object() || !statefulset.contains("spec") || !statefulset["spec"].is_object()) return out;
  const api::Json templates = statefulset["spec"].value("volumeClaimTemplates", api::Json::array());
  if (!templates.is_array()) return out;
  for (const api::Json& t : templates) {
    if (!t.is_object()) continue;
    const api::Json meta = t.value("metadata", api::Json::object());
    std::string name = meta.is_object() && meta.contains("name") && meta["name"].is_string() ? meta["name"].get<std::string>() : "";
    if (!name.empty()) out.push_back(name);
  }
  return out;
}

int OrdinalAfter(const std::string& name, const std::string& prefix) {
  if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) return -1;
  std::string digits = name.substr(prefix.size());
  if (digits.size() > 9 || !std::all_of(digits.begin(), digits.end(), ::isdigit)) return -1;
  return std::stoi(digits);
}

namespace {

// One claim from a LIST item when its name is `<template>-<statefulset>-<ordinal>`.
// Throws nlohmann's exceptions on fields of unexpected types (the caller skips the item).
void AddClaim(const api::Json& item, const std::string& ns, const std::string& statefulset,
              const std::vector<std::string>& templates, std::vector<Claim>& claims) {
  const api::Json meta = item.value("metadata", api::Json::object());
  std::string name = meta.value("name", "");
  for (const std::string& t : templates) {
    int ordinal = OrdinalAfter(name, t + "-" + statefulset + "-");
    if (ordinal < 0) continue;
    Claim c;
    c.name = name;
    c.ns = ns;
    c.uid = meta.value("uid", "");
    c.template_name = t;
    c.ordinal = ordinal;
    const api::Json spec = item.value("spec", api::Json::object());
    const api::Json status = item.value("status", api::Json::object());
    c.storage_class = spec.value("storageClassName", "");
    c.request = spec.value("resources", api::Json::object()).value("requests", api::Json::object()).value("storage", "");
    c.capacity = status.value("capacity", api::Json::object()).value("storage", "");
    c.phase = status.value("phase", "");
    for (const api::Json& m : spec.value("accessModes", api::Json::array())) {
      if (m.is_string()) c.access_modes.push_back(m);
    }
    c.allocated = status.value("allocatedResources", api::Json::object()).value("storage", "");
    for (const api::Json& cond : status.value("conditions", api::Json::array())) {
      if (!cond.is_object() || cond.value("status", "") != "True") continue;
      std::string type = cond.value("type", "");
      if (type == "Resizing") c.resizing = true;
      if (type == "FileSystemResizePending") c.resize_pending = true;
      if (type == "ControllerResizeError" || type == "NodeResizeError") c.resize_error = type + ": " + cond.value("message", "");
    }
    std::string resize = status.value("allocatedResourceStatuses", api::Json::object()).value("storage", "");
    if (resize.find("Infeasible") != std::string::npos) c.resize_error = "the resize is infeasible (" + resize + ")";
    c.deleting = meta.contains("deletionTimestamp");
    claims.push_back(std::move(c));
    return;
  }
}

}  // namespace

api::Result<std::vector<Claim>> ClaimsOf(api::ApiClient& api, const std::string& ns, const std::string& statefulset,
                                         const std::vector<std::string>& templates) {
  api::Result<std::vector<Claim>> out;
  api::Result<api::Json> list = api.List(api::kClaims, ns);
  if (!list.ok()) {
    out.error = list.error;
    return out;
  }
  out.value = ClaimsIn(*list.value, ns, statefulset, templates);
  return out;
}

std::vector<Claim> ClaimsIn(const api::Json& list, const std::string& ns, const std::string& statefulset,
                            const std::vector<std::string>& templates) {
  std::vector<Claim> claims;
  const api::Json items = list.is_object() ? list.value("items", api::Json::array()) : api::Json::array();
  for (const api::Json& item : items.is_array() ? items : api::Json::array()) {
    // A malformed item (a field of an unexpected type) is skipped, not a crash.
    try {
      AddClaim(item, ns, statefulset, templates, claims);
    } catch (const api::Json::exception&) {
    }
  }
  std::sort(claims.begin(), claims.end(), [](const Claim& a, const Claim& b) {
    return a.ordinal != b.ordinal ? a.ordinal < b.ordinal : a.template_name < b.template_name;
  });
  return claims;
}

std::string DescribeClaim(const Claim& c) {
  std::string size = c.capacity.empty() ? c.request : c.capacity;
  if (c.phase.empty() || c.phase == "Bound") return fmt::format("{} ({})", c.name, size);
  return fmt::format("{} ({}, {})", c.name, size, c.phase);
}

std::vector<std::string> DeleteClaims(api::ApiClient& api, const std::vector<Claim>& claims,
                                      const api::DataDeletionConsent& consent) {
  std::vector<std::string> errors;
  for (const Claim& c : claims) {
    api::Result<api::Json> r = api.DeleteClaim(c.ns, c.name, c.uid, consent);
    if (!r.ok() && r.error.status != 404) {
      errors.push_back(fmt::format("PersistentVolumeClaim {}/{}: {}", c.ns, c.name, r.error.Describe()));
    }
  }
  return errors;
}

api::Result<std::vector<std::string>> CollectedClaims(api::ApiClient& api, const std::string& ns,
                                                      const std::string& statefulset, const std::string& uid) {
  api::Result<std::vector<std::string>> out;
  api::Result<api::Json> list = api.List(api::kClaims, ns);
  if (!list.ok()) {
    out.error = list.error;
    return out;
  }
  out.value = CollectedClaimsIn(*list.value, statefulset, uid);
  return out;
}

std::vector<std::string> CollectedClaimsIn(const api::Json& list, const std::string& statefulset,
                                           const std::string& uid) {
  std::vector<std::string> names;
  for (const api::Json& item : api::Member(list, "items")) {
    const api::Json& meta = api::Member(item, "metadata");
    for (const api::Json& ref : api::Member(meta, "ownerReferences")) {
      bool by_set = api::StringMember(ref, "uid") == uid;
      bool by_pod = api::StringMember(ref, "kind") == "Pod" &&
                    OrdinalAfter(api::StringMember(ref, "name"), statefulset + "-") >= 0;
      if (by_set || by_pod) {
        names.push_back(api::StringMember(meta, "name"));
        break;
      }
    }
  }
  return names;
}

}  // namespace kstate::runtime::plan
