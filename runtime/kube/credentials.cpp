// Credentials: which of a user's credentials to present, file re-reading,
// the exec plugin's cache, and the client decorator that adds them.
#include "runtime/kube/credentials.h"

#include <sys/stat.h>

#include <algorithm>

#include <fmt/format.h>

#include "runtime/kube/credentials_exec.h"
#include "runtime/kube/kubeconfig_text.h"

namespace kstate::runtime::kube {
namespace {

// A file's identity and version: re-read when any of these change.
std::string FileStamp(const std::string& path) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) return "";
  return fmt::format("{}:{}:{}:{}.{}", info.st_dev, info.st_ino, info.st_size, info.st_mtim.tv_sec,
                     info.st_mtim.tv_nsec);
}

class AuthorizingClient : public http::Client {
 public:
  AuthorizingClient(std::shared_ptr<Credentials> credentials, std::shared_ptr<http::Client> inner)
      : credentials_(std::move(credentials)), inner_(std::move(inner)) {}

  http::Response Send(const http::Request& request) override {
    return Authorized(request, [&](const http::Request& r) { return inner_->Send(r); });
  }
  http::Response Stream(const http::Request& request,
                        const std::function<bool(std::string_view)>& on_data) override {
    // A 401 delivers no data, so repeating the stream after one is safe.
    return Authorized(request, [&](const http::Request& r) { return inner_->Stream(r, on_data); });
  }

 private:
  template <typename SendFn>
  http::Response Authorized(const http::Request& request, const SendFn& send) {
    for (int round = 0;; ++round) {
      Credentials::Auth auth = credentials_->Get();
      if (!auth.error.empty()) {
        http::Response failed;
        failed.error = auth.error;
        return failed;
      }
      http::Request authorized = request;
      if (!auth.authorization.empty()) authorized.headers.push_back({"Authorization", auth.authorization});
      http::Response response = send(authorized);
      if (response.status != 401 || round > 0 || !credentials_->Refresh()) return response;
    }
  }

  std::shared_ptr<Credentials> credentials_;
  std::shared_ptr<http::Client> inner_;
};

}  // namespace

Credentials::Credentials(CredentialsConfig config) : config_(std::move(config)) {}

std::chrono::system_clock::time_point Credentials::Now() const {
  return config_.now ? config_.now() : std::chrono::system_clock::now();
}

Credentials::Auth Credentials::Get() {
  std::lock_guard lock(mutex_);
  Auth auth = Choose();
  // A token with a line break would add headers of its own to every request.
  if (std::any_of(auth.authorization.begin(), auth.authorization.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; })) {
    return {"", "", "", fmt::format("the credential of user `{}` contains a line break or another control "
                                    "character, which no HTTP header may hold",
                                    config_.user)};
  }
  return auth;
}

Credentials::Auth Credentials::Choose() {
  if (!config_.token_file.empty()) {
    Auth from_file = FromTokenFile();
    // As client-go: a static token stands in while the file cannot be read.
    if (from_file.error.empty() || config_.token.empty()) return from_file;
  }
  if (!config_.token.empty()) return {"Bearer " + config_.token, "", "", ""};
  if (!config_.username.empty() || !config_.password.empty()) {
    return {"Basic " + EncodeBase64(config_.username + ":" + config_.password), "", "", ""};
  }
  if (config_.exec) return FromExec();
  return {};
}

Credentials::Auth Credentials::FromTokenFile() {
  std::string stamp = FileStamp(config_.token_file);
  if (stamp.empty() || stamp != file_stamp_) {
    std::string contents, error;
    if (!ReadWholeFile(config_.token_file, contents, error)) {
      file_stamp_.clear();
      return {"", "", "", fmt::format("the token file of user `{}`: {}", config_.user, error)};
    }
    file_token_ = std::string(TrimSpace(contents));
    file_stamp_ = stamp;
  }
  if (file_token_.empty()) {
    return {"", "", "", fmt::format("the token file `{}` of user `{}` is empty", config_.token_file, config_.user)};
  }
  return {"Bearer " + file_token_, "", "", ""};
}

Credentials::Auth Credentials::FromExec() {
  if (exec_auth_ && (!exec_expiry_ || Now() < *exec_expiry_)) return *exec_auth_;
  exec_auth_.reset();
  ++exec_runs_;
  ExecResult result = RunExecPlugin(*config_.exec, config_.user);
  if (!result.error.empty()) return {"", "", "", result.error};
  Auth auth;
  if (!result.token.empty()) auth.authorization = "Bearer " + result.token;
  auth.client_cert_pem = std::move(result.client_cert_pem);
  auth.client_key_pem = std::move(result.client_key_pem);
  exec_auth_ = auth;
  exec_expiry_ = result.expiry;
  return auth;
}

bool Credentials::Refresh() {
  std::lock_guard lock(mutex_);
  bool static_auth = !config_.token.empty() || !config_.username.empty() || !config_.password.empty();
  if (!config_.token_file.empty()) {
    std::string before = file_token_;
    file_stamp_.clear();
    Auth again = FromTokenFile();
    return again.error.empty() && file_token_ != before;
  }
  if (config_.exec && !static_auth) {
    exec_auth_.reset();
    return true;
  }
  return false;
}

std::string Credentials::Describe() const {
  if (!config_.token_file.empty()) return fmt::format("token file `{}`", config_.token_file);
  if (!config_.token.empty()) return "token";
  if (!config_.username.empty() || !config_.password.empty()) return fmt::format("basic auth as `{}`", config_.username);
  if (config_.exec) return fmt::format("exec plugin `{}` ({})", config_.exec->command, config_.exec->api_version);
  return "no token";
}

int Credentials::exec_runs() const {
  std::lock_guard lock(mutex_);
  return exec_runs_;
}

std::unique_ptr<http::Client> WithCredentials(std::shared_ptr<Credentials> credentials,
                                              std::shared_ptr<http::Client> inner) {
  return std::make_unique<AuthorizingClient>(std::move(credentials), std::move(inner));
}

}  // namespace kstate::runtime::kube
