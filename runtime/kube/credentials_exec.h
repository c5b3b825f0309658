// Exec credential plugins (client.authentication.k8s.io v1 and v1beta1):
// running one and reading its ExecCredential. Internal to the kube layer.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "runtime/kube/credentials.h"

namespace kstate::runtime::kube {

// A plugin's answer, or `error` in words (never containing its stdout).
struct ExecResult {
  std::string token;
  std::string client_cert_pem, client_key_pem;
  std::optional<std::chrono::system_clock::time_point> expiry;  // none: valid until a 401
  std::string error;
};

// The KUBERNETES_EXEC_INFO value handed to the plugin.
std::string ExecInfoJson(const ExecConfig& config);

// Reads a plugin's stdout as an ExecCredential of `api_version`.
ExecResult ParseExecCredential(std::string_view output, const std::string& api_version);

// Runs the plugin (stdin is /dev/null) and parses what it prints.
ExecResult RunExecPlugin(const ExecConfig& config, const std::string& user);

}  // namespace kstate::runtime::kube
