// A user's credentials as kubectl would present them: a static or file-backed
// token, basic auth, a client certificate, or an exec credential plugin run on
// demand and cached until it expires. Thread-safe; nothing here throws.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "runtime/http/client.h"

namespace kstate::runtime::kube {

using SystemClock = std::function<std::chrono::system_clock::time_point()>;

// An `exec` stanza of a kubeconfig user.
struct ExecConfig {
  std::string api_version;  // client.authentication.k8s.io/v1 or v1beta1
  std::string command;      // a path (resolved against the kubeconfig) or a name looked up in PATH
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;
  std::string install_hint;
  std::string interactive_mode;  // Never, IfAvailable (we never have a terminal, so: not interactive)
  // spec.cluster of KUBERNETES_EXEC_INFO as JSON text when provideClusterInfo is set, else empty.
  std::string cluster_json;
  // How long the plugin may run: a non-interactive one answers in seconds (a
  // cloud CLI refreshing a token); one that hangs must not hang kstatec.
  std::chrono::milliseconds timeout = std::chrono::seconds(60);
};

// Everything a user stanza says about credentials (after files were resolved).
struct CredentialsConfig {
  std::string user;  // the user's name, for messages
  std::string token;
  std::string token_file;  // re-read whenever it changes; wins over `token` while readable
  std::string username, password;
  std::optional<ExecConfig> exec;
  SystemClock now;  // empty: the system clock
};

class Credentials {
 public:
  // What to present on a request.
  struct Auth {
    std::string authorization;                    // the Authorization header value, or empty
    std::string client_cert_pem, client_key_pem;  // from an exec plugin; static ones are in TlsOptions
    std::string error;  // non-empty when credentials could not be had (never contains a secret)
  };

  explicit Credentials(CredentialsConfig config);

  // The current credentials: re-reads a changed token file, runs the exec
  // plugin when it has no unexpired credential cached.
  Auth Get();

  // Called after a 401: forgets a cached exec credential or re-reads the token
  // file. True when retrying the request once may help.
  bool Refresh();

  // The kind of credentials ("token", "exec plugin `aws`", ...), never their value.
  std::string Describe() const;

  // How many times the exec plugin has run (for tests and diagnostics).
  int exec_runs() const;

 private:
  Auth Choose();  // Get without the header check
  Auth FromTokenFile();
  Auth FromExec();
  std::chrono::system_clock::time_point Now() const;

  CredentialsConfig config_;
  mutable std::mutex mutex_;
  // token file cache: contents and the file's identity when read
  std::string file_token_;
  std::string file_stamp_;
  // exec cache
  std::optional<Auth> exec_auth_;
  std::optional<std::chrono::system_clock::time_point> exec_expiry_;
  int exec_runs_ = 0;
};

// A client that adds the Authorization header from `credentials` to every
// request and, on a 401, refreshes them and sends the request once more.
// Client certificates from an exec plugin are not applied (they belong in the
// inner client's TlsOptions).
std::unique_ptr<http::Client> WithCredentials(std::shared_ptr<Credentials> credentials,
                                              std::shared_ptr<http::Client> inner);

}  // namespace kstate::runtime::kube
