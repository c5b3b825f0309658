// Requests and error parsing. Apply sends JSON (which is YAML) as
// `application/apply-patch+yaml`, as kubectl does.
#include "runtime/api/api_client.h"

#include <fmt/format.h>

namespace kstate::runtime::api {

std::string ApiError::Describe() const {
  std::string out;
  if (status == 0) return message;
  out = fmt::format("{} ({}{}{})", message.empty() ? "the API server refused the request" : message, status,
                    reason.empty() ? "" : " ", reason);
  for (const Cause& c : causes) {
    out += fmt::format("\n  {}{}{}", c.field.empty() ? "" : c.field, c.field.empty() ? "" : ": ", c.message);
  }
  return out;
}

ApiError ErrorFrom(const http::Response& response) {
  ApiError e;
  e.status = response.status;
  if (response.status == 0) {
    e.message = response.error.empty() ? "no response from the API server" : response.error;
    return e;
  }
  if (response.status >= 300 && response.status < 400) {
    // Redirects are not followed: they would carry the credentials to
    // another address. An API server never sends one; a proxy, a load
    // balancer or a web page at the kubeconfig's address does.
    const std::string* location = response.Find("location");
    e.message = fmt::format("the server answered HTTP {} and redirects {}; kstatec does not follow redirects, because "
                            "an API server never sends one: check `server` of the cluster in the kubeconfig",
                            response.status,
                            location && !location->empty() ? "to " + *location : std::string("without a Location"));
    return e;
  }
  Json body = Json::parse(response.body, nullptr, false);
  if (body.is_object() && body.value("kind", "") == "Status") {
    e.reason = body.value("reason", "");
    e.message = body.value("message", "");
    if (auto details = body.find("details"); details != body.end() && details->is_object()) {
      if (auto causes = details->find("causes"); causes != details->end() && causes->is_array()) {
        for (const Json& c : *causes) {
          if (!c.is_object()) continue;
          e.causes.push_back({c.value("reason", ""), c.value("message", ""), c.value("field", "")});
        }
      }
    }
  } else {
    std::string text = response.body.substr(0, 300);
    e.message = text.empty() ? fmt::format("HTTP {}", response.status) : text;
  }
  return e;
}

std::string QueryEscape(std::string_view value) {
  std::string out;
  for (unsigned char c : value) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                 c == '.' || c == '~';
    out += plain ? std::string(1, static_cast<char>(c)) : fmt::format("%{:02X}", c);
  }
  return out;
}

ApiClient::ApiClient(std::shared_ptr<http::Client> http, std::string server)
    : http_(std::move(http)), server_(std::move(server)) {
  while (!server_.empty() && server_.back() == '/') server_.pop_back();
}

Result<Json> ApiClient::Call(http::Request request) {
  request.headers.push_back({"Accept", "application/json"});
  http::Response response = http_->Send(request);
  Result<Json> result;
  if (response.status >= 200 && response.status < 300) {
    Json body = Json::parse(response.body, nullptr, false);
    if (body.is_discarded()) {
      result.error.status = response.status;
      result.error.message = fmt::format("the API server answered {} {} with a body that is not JSON", request.method,
                                         request.url);
      return result;
    }
    result.value = std::move(body);
    return result;
  }
  result.error = ErrorFrom(response);
  return result;
}

Result<Json> ApiClient::GetPath(const std::string& path) { return Call({"GET", server_ + path, {}, {}}); }

Result<std::vector<Resource>> ApiClient::Discover(const std::string& group_version) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = discovered_.find(group_version); it != discovered_.end()) return {it->second, {}};
  }
  bool core = group_version.find('/') == std::string::npos;
  Result<Json> doc = GetPath(core ? "/api/" + group_version : "/apis/" + group_version);
  Result<std::vector<Resource>> out;
  if (!doc.ok()) {
    out.error = doc.error;
    if (doc.error.status == 404) out.error.message = fmt::format("the cluster does not serve API version `{}`", group_version);
    return out;
  }
  std::vector<Resource> list;
  std::string group = core ? "" : group_version.substr(0, group_version.find('/'));
  std::string version = core ? group_version : group_version.substr(group_version.find('/') + 1);
  const Json& resources = (*doc.value)["resources"];
  if (resources.is_array()) {
    for (const Json& r : resources) {
      if (!r.is_object() || !r.contains("name") || !r["name"].is_string()) continue;
      std::string name = r["name"];
      if (name.find('/') != std::string::npos) continue;  // a subresource
      list.push_back({group, version, name, r.value("kind", ""), r.value("namespaced", true)});
    }
  }
  std::lock_guard lock(mutex_);
  discovered_[group_version] = list;
  out.value = std::move(list);
  return out;
}

Result<Resource> ApiClient::Find(std::string_view api_version, std::string_view kind) {
  Result<std::vector<Resource>> resources = Discover(std::string(api_version));
  Result<Resource> out;
  if (!resources.ok()) {
    out.error = resources.error;
    return out;
  }
  for (const Resource& r : *resources.value) {
    if (r.kind == kind) {
      out.value = r;
      return out;
    }
  }
  out.error.message = fmt::format("the cluster does not serve kind `{}` in `{}`", kind, api_version);
  return out;
}

std::string ApiClient::Path(const Resource& r, std::string_view ns, std::string_view name) const {
  std::string path = r.group.empty() ? "/api/" + r.version : fmt::format("/apis/{}/{}", r.group, r.version);
  if (r.namespaced && !ns.empty()) path += fmt::format("/namespaces/{}", ns);
  path += "/" + r.plural;
  if (!name.empty()) path += fmt::format("/{}", name);
  return path;
}

Result<Json> ApiClient::Get(const Resource& r, std::string_view ns, std::string_view name) {
  return Call({"GET", server_ + Path(r, ns, name), {}, {}});
}

Result<Json> ApiClient::List(const Resource& r, std::string_view ns, std::string_view label_selector) {
  std::string url = server_ + Path(r, ns);
  if (!label_selector.empty()) url += "?labelSelector=" + QueryEscape(label_selector);
  return Call({"GET", url, {}, {}});
}

Result<Json> ApiClient::Apply(const Resource& r, std::string_view ns, std::string_view name, const Json& object,
                              const ApplyOptions& options) {
  std::string url = fmt::format("{}{}?fieldManager={}", server_, Path(r, ns, name), QueryEscape(options.field_manager));
  if (options.force) url += "&force=true";
  if (options.dry_run) url += "&dryRun=All";
  http::Request request{"PATCH", url, {{"Content-Type", "application/apply-patch+yaml"}}, object.dump()};
  return Call(std::move(request));
}

const Json& Member(const Json& object, std::string_view key) {
  static const Json absent;
  if (!object.is_object()) return absent;
  auto it = object.find(key);
  return it == object.end() ? absent : *it;
}

std::string StringMember(const Json& object, std::string_view key, const std::string& fallback) {
  const Json& v = Member(object, key);
  return v.is_string() ? v.get<std::string>() : fallback;
}

namespace {

Json DeleteBody(const ApiClient::DeleteOptions& o) {
  Json body{{"apiVersion", "v1"}, {"kind", "DeleteOptions"}, {"propagationPolicy", o.propagation}};
  if (o.dry_run) body["dryRun"] = Json::array({"All"});
  if (!o.uid.empty()) body["preconditions"] = {{"uid", o.uid}};
  return body;
}

}  // namespace

Result<Json> ApiClient::Delete(const Resource& r, std::string_view ns, std::string_view name,
                               const DeleteOptions& options) {
  if (r.group.empty() && r.kind == "PersistentVolumeClaim") {
    Result<Json> refused;
    refused.error.message = fmt::format("refusing to delete PersistentVolumeClaim {}/{}: claims hold data and are "
                                        "deleted only by `kstatec delete --delete-data`", ns, name);
    return refused;
  }
  std::string url = server_ + Path(r, ns, name);
  if (options.dry_run) url += "?dryRun=All";
  return Call({"DELETE", url, {{"Content-Type", "application/json"}}, DeleteBody(options).dump()});
}

Result<Json> ApiClient::DeleteClaim(std::string_view ns, std::string_view name, std::string_view uid,
                                    const DataDeletionConsent& consent) {
  DeleteOptions options;
  options.dry_run = consent.dry_run();
  options.uid = std::string(uid);
  std::string url = server_ + Path(kClaims, ns, name);
  if (options.dry_run) url += "?dryRun=All";
  return Call({"DELETE", url, {{"Content-Type", "application/json"}}, DeleteBody(options).dump()});
}

Result<Json> ApiClient::MergePatch(const Resource& r, std::string_view ns, std::string_view name, const Json& patch,
                                   std::string_view field_manager, bool dry_run) {
  std::string url = fmt::format("{}{}?fieldManager={}", server_, Path(r, ns, name), QueryEscape(field_manager));
  if (dry_run) url += "&dryRun=All";
  return Call({"PATCH", url, {{"Content-Type", "application/merge-patch+json"}}, patch.dump()});
}

}  // namespace kstate::runtime::api
