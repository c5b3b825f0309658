// The Kubernetes API as the runtime uses it: discovery (cached per run), GET,
// LIST, server-side apply and DELETE, with the server's `Status` errors
// parsed. Thread-safe; nothing here throws.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/api/data_deletion.h"
#include "runtime/http/client.h"

namespace kstate::runtime::api {

using Json = nlohmann::json;

// A failed call: the server's Status (reason, message, causes) or, with
// status 0, the transport's error.
struct ApiError {
  long status = 0;
  std::string reason;   // NotFound, Conflict, Invalid, Forbidden, Unauthorized, AlreadyExists, ...
  std::string message;
  struct Cause {
    std::string type, message, field;
  };
  std::vector<Cause> causes;
  // `message` and one line per cause; the reason and HTTP status in front.
  std::string Describe() const;
};

template <typename T>
struct Result {
  std::optional<T> value;
  ApiError error;
  bool ok() const { return value.has_value(); }
};

// A resource type found by discovery.
struct Resource {
  std::string group;    // "" for the core group
  std::string version;  // v1
  std::string plural;   // statefulsets
  std::string kind;     // StatefulSet
  bool namespaced = true;
};

// Reading API objects without trusting their shape (a response is input like
// any other): the member `key` of `object`, or null when `object` is not an
// object or lacks it; its string value, or `fallback`.
const Json& Member(const Json& object, std::string_view key);
std::string StringMember(const Json& object, std::string_view key, const std::string& fallback = {});

// Kinds the runtime names itself rather than finding by discovery: they are
// served, in these versions, by every cluster it supports.
inline const Resource kPods{"", "v1", "pods", "Pod", true};
inline const Resource kClaims{"", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", true};
inline const Resource kSecrets{"", "v1", "secrets", "Secret", true};
inline const Resource kStorageClasses{"storage.k8s.io", "v1", "storageclasses", "StorageClass", false};

class ApiClient {
 public:
  ApiClient(std::shared_ptr<http::Client> http, std::string server);

  // The resource that serves `kind` in `api_version` ("apps/v1"), from the
  // server's discovery documents (each fetched once).
  Result<Resource> Find(std::string_view api_version, std::string_view kind);
  // /api/v1/namespaces/NS/pods[/NAME], /apis/apps/v1/...
  std::string Path(const Resource& r, std::string_view ns, std::string_view name = {}) const;

  Result<Json> Get(const Resource& r, std::string_view ns, std::string_view name);
  Result<Json> List(const Resource& r, std::string_view ns, std::string_view label_selector = {});

  struct ApplyOptions {
    std::string field_manager = "kstatec";
    bool force = false;
    bool dry_run = false;
  };
  // Server-side apply of `object` (a whole object as JSON).
  Result<Json> Apply(const Resource& r, std::string_view ns, std::string_view name, const Json& object,
                     const ApplyOptions& options);
  struct DeleteOptions {
    std::string propagation = "Background";  // Orphan, Background, Foreground
    bool dry_run = false;
    std::string uid;  // when set, a precondition: only the object with this UID is deleted (409 otherwise)
  };
  // DELETE of any object but a PersistentVolumeClaim, which this refuses:
  // claims (the data) are deleted by `DeleteClaim` alone.
  Result<Json> Delete(const Resource& r, std::string_view ns, std::string_view name, const DeleteOptions& options);
  // DELETE of a PersistentVolumeClaim: the one call that deletes data. The
  // consent can only come from `kstatec delete --delete-data` (see
  // data_deletion.h); runtime/plan/claims.cpp is its only caller.
  Result<Json> DeleteClaim(std::string_view ns, std::string_view name, std::string_view uid,
                           const DataDeletionConsent& consent);
  // JSON merge patch (RFC 7386) as `field_manager`: for edits that must not
  // take over a whole server-side-apply configuration (a claim's size, an
  // ApplySet parent's progress record).
  Result<Json> MergePatch(const Resource& r, std::string_view ns, std::string_view name, const Json& patch,
                          std::string_view field_manager, bool dry_run = false);
  // Any GET under the server (discovery, /version).
  Result<Json> GetPath(const std::string& path);

  const std::string& server() const { return server_; }

 private:
  Result<Json> Call(http::Request request);
  Result<std::vector<Resource>> Discover(const std::string& group_version);

  std::shared_ptr<http::Client> http_;
  std::string server_;
  std::mutex mutex_;
  std::map<std::string, std::vector<Resource>> discovered_;  // group/version -> resources
};

// Parses an error response (a `Status` body when there is one).
ApiError ErrorFrom(const http::Response& response);
// Percent-encodes a query parameter value.
std::string QueryEscape(std::string_view value);

}  // namespace kstate::runtime::api
