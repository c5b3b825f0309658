// Runs exec credential plugins as client-go does: the parent's environment
// plus the stanza's `env` and KUBERNETES_EXEC_INFO, stdin closed, stdout read
// as an ExecCredential, stderr kept for the error message.
#include "runtime/kube/credentials_exec.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "runtime/kube/kubeconfig_text.h"

extern char** environ;

namespace kstate::runtime::kube {
namespace {

using Json = nlohmann::json;

struct ProcessOutput {
  int exit_code = -1;
  int signal = 0;
  std::string out, err;
  int spawn_errno = 0;
  bool timed_out = false;
};

std::vector<std::string> PluginEnvironment(const ExecConfig& config) {
  std::map<std::string, std::string> values;
  std::vector<std::string> order;
  auto set = [&](const std::string& name, const std::string& value) {
    if (values.emplace(name, value).second) {
      order.push_back(name);
    } else {
      values[name] = value;
    }
  };
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string_view text = *entry;
    size_t equals = text.find('=');
    if (equals != std::string_view::npos) set(std::string(text.substr(0, equals)), std::string(text.substr(equals + 1)));
  }
  for (const auto& [name, value] : config.env) set(name, value);
  set("KUBERNETES_EXEC_INFO", ExecInfoJson(config));
  std::vector<std::string> env;
  for (const std::string& name : order) env.push_back(name + "=" + values[name]);
  return env;
}

// Reads both pipes until they close, so that neither can fill up and block
// the child; false when they are still open at the deadline (a plugin that
// hangs, or a child of it that keeps its output open).
bool Drain(int out_fd, int err_fd, std::chrono::milliseconds timeout, std::string& out, std::string& err) {
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  std::string* sinks[2] = {&out, &err};
  int open = 2;
  char buffer[4096];
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (open > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    int ready = poll(fds, 2, static_cast<int>(left.count()));
    if (ready < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (ready == 0) return false;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        sinks[i]->append(buffer, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        fds[i].fd = -1;
        --open;
      }
    }
  }
  return true;
}

ProcessOutput RunProcess(const ExecConfig& config) {
  ProcessOutput result;
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) {
    result.spawn_errno = errno;
    return result;
  }
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    result.spawn_errno = errno;
    close(out_pipe[0]);
    close(out_pipe[1]);
    return result;
  }
  // The plugin leads a process group of its own, so that at the deadline it
  // is stopped together with whatever it started.
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attributes, 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  std::vector<std::string> argv_text = {config.command};
  argv_text.insert(argv_text.end(), config.args.begin(), config.args.end());
  std::vector<char*> argv;
  for (std::string& arg : argv_text) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_text = PluginEnvironment(config);
  std::vector<char*> envp;
  for (std::string& entry : env_text) envp.push_back(entry.data());
  envp.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, config.command.c_str(), &actions, &attributes, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (rc == 0 && !Drain(out_pipe[0], err_pipe[0], config.timeout, result.out, result.err)) {
    result.timed_out = true;
    kill(-pid, SIGKILL);
  }
  close(out_pipe[0]);
  close(err_pipe[0]);
  if (rc != 0) {
    result.spawn_errno = rc;
    return result;
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  return result;
}

std::string WithHint(std::string message, const ExecConfig& config) {
  if (!config.install_hint.empty()) message += "\n" + std::string(TrimSpace(config.install_hint));
  return message;
}

bool ReadString(const Json& status, const char* key, std::string& out, std::string& error) {
  auto it = status.find(key);
  if (it == status.end() || it->is_null()) return true;
  if (!it->is_string()) {
    error = fmt::format("status.{} is not a string", key);
    return false;
  }
  out = it->get<std::string>();
  return true;
}

}  // namespace

std::string ExecInfoJson(const ExecConfig& config) {
  Json info = {{"kind", "ExecCredential"}, {"apiVersion", config.api_version}, {"spec", {{"interactive", false}}}};
  if (!config.cluster_json.empty()) info["spec"]["cluster"] = Json::parse(config.cluster_json, nullptr, false);
  return info.dump();
}

ExecResult ParseExecCredential(std::string_view output, const std::string& api_version) {
  ExecResult result;
  Json credential = Json::parse(output, nullptr, false);
  if (credential.is_discarded() || !credential.is_object()) {
    result.error = "its output is not an ExecCredential JSON object";
    return result;
  }
  auto text_of = [&](const char* key) {
    auto it = credential.find(key);
    return it != credential.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  std::string kind = text_of("kind");
  std::string version = text_of("apiVersion");
  if (kind != "ExecCredential") {
    result.error = fmt::format("its output has kind `{}`, not `ExecCredential`", kind);
    return result;
  }
  if (version != api_version) {
    result.error = fmt::format("it is configured to use API version {}, but returned version `{}`", api_version, version);
    return result;
  }
  auto status = credential.find("status");
  if (status == credential.end() || !status->is_object()) {
    result.error = "it did not return a status field";
    return result;
  }
  std::string expiry;
  if (!ReadString(*status, "token", result.token, result.error) ||
      !ReadString(*status, "clientCertificateData", result.client_cert_pem, result.error) ||
      !ReadString(*status, "clientKeyData", result.client_key_pem, result.error) ||
      !ReadString(*status, "expirationTimestamp", expiry, result.error)) {
    return result;
  }
  if (result.token.empty() && result.client_cert_pem.empty() && result.client_key_pem.empty()) {
    result.error = "it did not return a token or a certificate/key pair";
  } else if (result.client_cert_pem.empty() != result.client_key_pem.empty()) {
    result.error = "it returned only a certificate or a key, not both";
  } else if (!result.client_cert_pem.empty()) {
    result.error = CheckKeyPairPem(result.client_cert_pem, result.client_key_pem);
  }
  if (result.error.empty() && !expiry.empty()) {
    result.expiry = ParseRfc3339(expiry);
    if (!result.expiry) result.error = fmt::format("status.expirationTimestamp `{}` is not an RFC 3339 time", expiry);
  }
  return result;
}

ExecResult RunExecPlugin(const ExecConfig& config, const std::string& user) {
  std::string who = fmt::format("exec plugin `{}` of user `{}`", config.command, user);
  if (config.interactive_mode == "Always") {
    ExecResult refused;
    refused.error = WithHint(who + " needs an interactive terminal (interactiveMode: Always), which kstatec never "
                                   "provides; get a credential first or use a plugin that can run non-interactively",
                             config);
    return refused;
  }
  ProcessOutput process = RunProcess(config);
  ExecResult result;
  std::string stderr_text(TrimSpace(process.err));
  std::string stderr_note = stderr_text.empty() ? "" : ":\n" + stderr_text;
  if (process.spawn_errno == ENOENT) {
    result.error = WithHint(who + " was not found", config);
  } else if (process.spawn_errno != 0) {
    result.error = WithHint(fmt::format("{} cannot be run: {}", who, std::strerror(process.spawn_errno)), config);
  } else if (process.timed_out) {
    result.error = WithHint(fmt::format("{} did not finish within {} ms and was stopped{}", who,
                                        config.timeout.count(), stderr_note),
                            config);
  } else if (process.signal != 0) {
    result.error = WithHint(fmt::format("{} was killed by signal {}{}", who, process.signal, stderr_note), config);
  } else if (process.exit_code != 0) {
    result.error =
        WithHint(fmt::format("{} failed with exit code {}{}", who, process.exit_code, stderr_note), config);
  } else {
    result = ParseExecCredential(process.out, config.api_version);
    if (!result.error.empty()) result.error = who + " gave no usable credential: " + result.error;
  }
  return result;
}

}  // namespace kstate::runtime::kube
