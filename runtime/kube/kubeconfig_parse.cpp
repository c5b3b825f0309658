// Reading one kubeconfig file with yaml-cpp: every type checked, base64
// decoded, relative paths resolved against the file's directory, and every
// problem reported with the file and line. Values are never quoted in errors.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "compiler/base/text.h"
#include "runtime/kube/kubeconfig.h"
#include "runtime/kube/kubeconfig_raw.h"
#include "runtime/kube/kubeconfig_text.h"

namespace kstate::runtime::kube {
namespace {

constexpr const char* kExecExtension = "client.authentication.k8s.io/exec";

int LineOf(const YAML::Node& node) { return node.Mark().is_null() ? 0 : node.Mark().line + 1; }

class Reader {
 public:
  explicit Reader(std::string path) : path_(std::move(path)), dir_(AbsoluteDirOf(path_)) {}

  [[noreturn]] void Fail(const YAML::Node& node, const std::string& message) const {
    int line = LineOf(node);
    throw KubeconfigError(line > 0 ? fmt::format("{}:{}: {}", path_, line, message) : path_ + ": " + message);
  }

  // A scalar field's text; empty when absent or null.
  std::string Text(const YAML::Node& map, const char* key, const std::string& what) const {
    YAML::Node value = map[key];
    if (!value || value.IsNull()) return "";
    if (!value.IsScalar()) Fail(value, fmt::format("`{}` of {} must be a string", key, what));
    return value.Scalar();
  }

  bool Bool(const YAML::Node& map, const char* key, const std::string& what) const {
    std::string text = Text(map, key, what);
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
    if (text.empty() || text == "false" || text == "no" || text == "off") return false;
    if (text == "true" || text == "yes" || text == "on") return true;
    Fail(map[key], fmt::format("`{}` of {} must be true or false", key, what));
  }

  std::string Base64(const YAML::Node& map, const char* key, const std::string& what) const {
    std::optional<std::string> decoded = DecodeBase64(Text(map, key, what));
    if (!decoded) Fail(map[key], fmt::format("`{}` of {} is not valid base64", key, what));
    return *decoded;
  }

  std::string Path(const YAML::Node& map, const char* key, const std::string& what) const {
    return ResolveAgainst(dir_, Text(map, key, what));
  }

  enum class Kind { kText, kPath, kBase64 };

  // Reads the string fields a table names into `raw`.
  template <typename Raw, size_t N>
  void Fields(const YAML::Node& map, const std::string& what, Raw& raw,
              const std::pair<const char*, std::pair<std::string Raw::*, Kind>> (&fields)[N]) const {
    for (const auto& [key, target] : fields) {
      const auto& [member, kind] = target;
      raw.*member = kind == Kind::kPath ? Path(map, key, what) : kind == Kind::kBase64 ? Base64(map, key, what)
                                                                                       : Text(map, key, what);
    }
  }

  // A mapping, or an empty node when absent or null.
  YAML::Node Map(const YAML::Node& parent, const char* key, const std::string& what) const {
    YAML::Node value = parent[key];
    if (!value || value.IsNull()) return YAML::Node(YAML::NodeType::Map);
    if (!value.IsMap()) Fail(value, fmt::format("`{}` of {} must be a mapping", key, what));
    return value;
  }

  std::vector<YAML::Node> List(const YAML::Node& parent, const char* key, const std::string& what) const {
    YAML::Node value = parent[key];
    if (!value || value.IsNull()) return {};
    if (!value.IsSequence()) Fail(value, fmt::format("`{}` of {} must be a list", key, what));
    return {value.begin(), value.end()};
  }

  const std::string& path() const { return path_; }
  const std::string& dir() const { return dir_; }

 private:
  std::string path_, dir_;
};

nlohmann::json ToJson(const YAML::Node& node) {
  if (node.IsMap()) {
    nlohmann::json object = nlohmann::json::object();
    for (const auto& entry : node) object[entry.first.as<std::string>()] = ToJson(entry.second);
    return object;
  }
  if (node.IsSequence()) {
    nlohmann::json array = nlohmann::json::array();
    for (const auto& item : node) array.push_back(ToJson(item));
    return array;
  }
  if (!node.IsScalar()) return nullptr;
  const std::string& text = node.Scalar();
  if (node.Tag() != "!") {  // plain scalars keep YAML's types
    if (text == "true" || text == "false") return text == "true";
    nlohmann::json number = nlohmann::json::parse(text, nullptr, false);
    if (!number.is_discarded() && number.is_number()) return number;
  }
  return text;
}

// Iterates a list of `{name: ..., <body_key>: {...}}`, rejecting duplicate names.
template <typename Fn>
void ForEachNamed(const Reader& reader, const YAML::Node& root, const char* list_key, const char* body_key,
                  const char* kind, Fn&& fn) {
  std::map<std::string, int> seen;
  for (const YAML::Node& entry : reader.List(root, list_key, "the kubeconfig")) {
    if (!entry.IsMap()) reader.Fail(entry, fmt::format("each entry of `{}` must be a mapping", list_key));
    std::string name = reader.Text(entry, "name", fmt::format("a {}", kind));
    if (name.empty()) reader.Fail(entry, fmt::format("a {} in `{}` has no name", kind, list_key));
    auto [it, added] = seen.emplace(name, LineOf(entry));
    if (!added) reader.Fail(entry, fmt::format("duplicate {} name `{}` (first at line {})", kind, name, it->second));
    fn(name, reader.Map(entry, body_key, fmt::format("{} `{}`", kind, name)), LineOf(entry));
  }
}

RawExec ReadExec(const Reader& reader, const YAML::Node& exec, const std::string& what) {
  RawExec raw;
  raw.line = LineOf(exec);
  ExecConfig& config = raw.config;
  std::string where = "the exec plugin of " + what;
  config.api_version = reader.Text(exec, "apiVersion", where);
  config.command = reader.Text(exec, "command", where);
  // As client-go: only a command naming a path is resolved against the kubeconfig.
  if (config.command.find('/') != std::string::npos) config.command = ResolveAgainst(reader.dir(), config.command);
  for (const YAML::Node& arg : reader.List(exec, "args", where)) {
    if (!arg.IsScalar()) reader.Fail(arg, "each of `args` of " + where + " must be a string");
    config.args.push_back(arg.Scalar());
  }
  for (const YAML::Node& variable : reader.List(exec, "env", where)) {
    if (!variable.IsMap()) reader.Fail(variable, "each of `env` of " + where + " must be a mapping with name and value");
    std::string name = reader.Text(variable, "name", where);
    if (name.empty()) reader.Fail(variable, "an `env` entry of " + where + " has no name");
    config.env.emplace_back(name, reader.Text(variable, "value", where));
  }
  config.install_hint = reader.Text(exec, "installHint", where);
  config.interactive_mode = reader.Text(exec, "interactiveMode", where);
  raw.provide_cluster_info = reader.Bool(exec, "provideClusterInfo", where);
  return raw;
}

RawCluster ReadCluster(const Reader& reader, const YAML::Node& body, const std::string& what) {
  using K = Reader::Kind;
  RawCluster cluster;
  reader.Fields(body, what, cluster,
                {{"server", {&RawCluster::server, K::kText}},
                 {"certificate-authority", {&RawCluster::certificate_authority, K::kPath}},
                 {"certificate-authority-data", {&RawCluster::certificate_authority_data, K::kBase64}},
                 {"tls-server-name", {&RawCluster::tls_server_name, K::kText}},
                 {"proxy-url", {&RawCluster::proxy_url, K::kText}}});
  cluster.insecure_skip_tls_verify = reader.Bool(body, "insecure-skip-tls-verify", what);
  for (const YAML::Node& extension : reader.List(body, "extensions", what)) {
    if (!extension.IsMap()) reader.Fail(extension, "each of `extensions` of " + what + " must be a mapping");
    if (reader.Text(extension, "name", what) == kExecExtension && extension["extension"]) {
      cluster.exec_extension_json = ToJson(extension["extension"]).dump();
    }
  }
  return cluster;
}

RawUser ReadUser(const Reader& reader, const YAML::Node& body, const std::string& what) {
  using K = Reader::Kind;
  RawUser user;
  reader.Fields(body, what, user,
                {{"client-certificate", {&RawUser::client_certificate, K::kPath}},
                 {"client-certificate-data", {&RawUser::client_certificate_data, K::kBase64}},
                 {"client-key", {&RawUser::client_key, K::kPath}},
                 {"client-key-data", {&RawUser::client_key_data, K::kBase64}},
                 {"token", {&RawUser::token, K::kText}},
                 {"tokenFile", {&RawUser::token_file, K::kPath}},
                 {"username", {&RawUser::username, K::kText}},
                 {"password", {&RawUser::password, K::kText}}});
  if (body["exec"] && !body["exec"].IsNull()) user.exec = ReadExec(reader, reader.Map(body, "exec", what), what);
  if (body["auth-provider"] && !body["auth-provider"].IsNull()) {
    user.auth_provider = reader.Text(reader.Map(body, "auth-provider", what), "name", "the auth-provider of " + what);
    if (user.auth_provider.empty()) user.auth_provider = "(unnamed)";
  }
  for (const char* key : {"as", "as-uid", "as-groups", "as-user-extra"}) {
    if (body[key] && !body[key].IsNull()) user.impersonates = true;
  }
  return user;
}

}  // namespace

std::string Origin::Where() const { return line > 0 ? fmt::format("{}:{}", file, line) : file; }

RawConfig ParseKubeconfig(const std::string& path, const std::string& text) {
  Reader reader(path);
  RawConfig config;
  config.files.push_back(path);
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw KubeconfigError(fmt::format("{}:{}:{}: invalid YAML: {}", path, e.mark.line + 1, e.mark.column + 1, e.msg));
  }
  if (!root || root.IsNull()) return config;  // an empty file is an empty config, as for client-go
  if (!root.IsMap()) reader.Fail(root, "a kubeconfig must be a mapping (apiVersion, kind, clusters, users, contexts)");
  try {
    std::string kind = reader.Text(root, "kind", "the kubeconfig");
    if (!kind.empty() && kind != "Config") reader.Fail(root["kind"], "`kind` is `" + kind + "`, not `Config`");
    std::string version = reader.Text(root, "apiVersion", "the kubeconfig");
    if (!version.empty() && version != "v1") {
      reader.Fail(root["apiVersion"], "`apiVersion` is `" + version + "`; kubeconfig files are `v1`");
    }
    config.current_context = reader.Text(root, "current-context", "the kubeconfig");
    ForEachNamed(reader, root, "clusters", "cluster", "cluster", [&](const std::string& name, const YAML::Node& body, int line) {
      RawCluster cluster = ReadCluster(reader, body, "cluster `" + name + "`");
      cluster.origin = {path, line};
      config.clusters.emplace(name, std::move(cluster));
    });
    ForEachNamed(reader, root, "users", "user", "user", [&](const std::string& name, const YAML::Node& body, int line) {
      RawUser user = ReadUser(reader, body, "user `" + name + "`");
      user.origin = {path, line};
      config.users.emplace(name, std::move(user));
    });
    ForEachNamed(reader, root, "contexts", "context", "context", [&](const std::string& name, const YAML::Node& body, int line) {
      RawContext context;
      std::string what = "context `" + name + "`";
      context.origin = {path, line};
      context.cluster = reader.Text(body, "cluster", what);
      context.user = reader.Text(body, "user", what);
      context.namespace_name = reader.Text(body, "namespace", what);
      // It becomes part of request paths: a name the API server would refuse
      // must not reach one (`../namespaces/other`).
      if (std::string why = base::CheckDns1123Label(context.namespace_name);
          !context.namespace_name.empty() && !why.empty()) {
        reader.Fail(body["namespace"], fmt::format("`namespace` of {} is not a valid namespace name: {}", what, why));
      }
      config.contexts.emplace(name, std::move(context));
    });
  } catch (const YAML::Exception& e) {
    // yaml-cpp's own conversion errors: still say where.
    throw KubeconfigError(fmt::format("{}:{}: {}", path, e.mark.line + 1, e.msg));
  }
  return config;
}

void MergeFirstWins(RawConfig& into, RawConfig&& later) {
  into.files.insert(into.files.end(), later.files.begin(), later.files.end());
  into.clusters.merge(later.clusters);  // std::map::merge keeps existing keys
  into.users.merge(later.users);
  into.contexts.merge(later.contexts);
  if (into.current_context.empty()) into.current_context = std::move(later.current_context);
}

}  // namespace kstate::runtime::kube
