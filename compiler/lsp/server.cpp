// The server loop: read what the editor sent, answer requests in order, and
// check changed documents once the editor has paused (no message waiting and
// the configured delay passed), so a burst of keystrokes costs one check.
#include "compiler/lsp/server.h"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "compiler/driver/compilation_impl.h"
#include "compiler/lsp/analysis.h"
#include "compiler/lsp/handlers.h"
#include "kstate/compiler.h"

namespace kstate::lsp {

namespace {

// LSP TextDocumentSyncKind.Incremental.
constexpr int kIncrementalSync = 2;

bool IsWithinDir(const std::string& path, const std::string& dir) {
  if (dir.empty() || path.size() <= dir.size() || path.compare(0, dir.size(), dir) != 0) return false;
  return dir.back() == '/' || path[dir.size()] == '/';
}

}  // namespace

int Server::Run() {
  std::string body, error;
  while (!exit_) {
    while (!exit_ && transport_.Next(body, error)) {
      if (!error.empty()) SendError(nullptr, ErrorCode::ParseError, error);
      else Dispatch(body);
    }
    if (exit_) break;
    int wait = MillisecondsToNextDue();
    if (wait == 0) {
      // Something is due; take in what is already waiting first, so that
      // changes queued behind this one are checked together.
      Transport::ReadStatus s = transport_.Read(0);
      if (s == Transport::ReadStatus::Closed) break;
      if (s == Transport::ReadStatus::Data) continue;
      PublishDue();
      continue;
    }
    if (transport_.Read(wait) == Transport::ReadStatus::Closed) break;
  }
  // `exit`, or the end of the input, after `shutdown` is a clean stop.
  return state_ == State::ShutDown ? 0 : 1;
}

void Server::Dispatch(const std::string& body) {
  Json message = Json::parse(body, nullptr, false);
  if (message.is_discarded()) {
    SendError(nullptr, ErrorCode::ParseError, "the message is not valid JSON");
    return;
  }
  if (!message.is_object()) {
    SendError(nullptr, ErrorCode::InvalidRequest, "a message must be a JSON object (batches are not used by LSP)");
    return;
  }
  auto id = message.find("id");
  auto method = message.find("method");
  bool has_id = id != message.end();
  if (has_id && !id->is_number_integer() && !id->is_string()) {
    SendError(nullptr, ErrorCode::InvalidRequest, "`id` must be an integer or a string");
    return;
  }
  if (method == message.end()) {
    // A response to a request of ours; the server sends none that need one.
    if (has_id && (message.contains("result") || message.contains("error"))) return;
    SendError(has_id ? *id : Json(nullptr), ErrorCode::InvalidRequest, "a message without `method`");
    return;
  }
  if (!method->is_string()) {
    SendError(has_id ? *id : Json(nullptr), ErrorCode::InvalidRequest, "`method` must be a string");
    return;
  }
  auto jsonrpc = message.find("jsonrpc");
  if (jsonrpc == message.end() || *jsonrpc != "2.0") {
    if (has_id) SendError(*id, ErrorCode::InvalidRequest, "`jsonrpc` must be \"2.0\"");
    return;
  }
  Json params = message.value("params", Json::object());
  if (has_id) Request(*id, method->get<std::string>(), params);
  else Notification(method->get<std::string>(), params);
}

void Server::Request(const Json& id, const std::string& method, const Json& params) {
  if (state_ == State::Uninitialized && method != "initialize") {
    SendError(id, ErrorCode::ServerNotInitialized, fmt::format("`{}` before `initialize`", method));
    return;
  }
  if (state_ == State::ShutDown) {
    SendError(id, ErrorCode::InvalidRequest, fmt::format("`{}` after `shutdown`", method));
    return;
  }
  try {
    SendResult(id, Call(method, params));
  } catch (const RequestError& e) {
    SendError(id, e.code, e.message);
  } catch (const Json::exception& e) {
    SendError(id, ErrorCode::InvalidParams, fmt::format("malformed params: {}", e.what()));
  } catch (const std::exception& e) {
    SendError(id, ErrorCode::InternalError, fmt::format("`{}` failed: {}", method, e.what()));
  }
}

Json Server::Call(const std::string& method, const Json& params) {
  if (method == "initialize") {
    if (state_ != State::Uninitialized) throw RequestError{ErrorCode::InvalidRequest, "`initialize` was already called"};
    Json result = Initialize(params);
    state_ = State::Running;
    return result;
  }
  if (method == "shutdown") {
    state_ = State::ShutDown;
    return nullptr;
  }
  if (method == "textDocument/hover") return HandleHover(*this, params);
  if (method == "textDocument/completion") return HandleCompletion(*this, params);
  if (method == "textDocument/definition") return HandleDefinition(*this, params);
  if (method == "textDocument/references") return HandleReferences(*this, params);
  if (method == "textDocument/documentSymbol") return HandleDocumentSymbol(*this, params);
  if (method == "textDocument/formatting") return HandleFormatting(*this, params);
  if (method == "textDocument/codeAction") return HandleCodeAction(*this, params);
  if (method == "textDocument/semanticTokens/full") return HandleSemanticTokens(*this, params);
  throw RequestError{ErrorCode::MethodNotFound, fmt::format("kstatec does not implement `{}`", method)};
}

void Server::Notification(const std::string& method, const Json& params) {
  if (method == "exit") {
    exit_ = true;
    return;
  }
  // Notifications before `initialize` and after `shutdown` are dropped, as
  // the protocol says.
  if (state_ != State::Running) return;
  try {
    if (method == "textDocument/didOpen") Open(params);
    else if (method == "textDocument/didChange") Change(params);
    else if (method == "textDocument/didClose") Close(params);
    else if (method == "textDocument/didSave") {
      Document& doc = DocumentFor(params);
      ScheduleDependents(doc, Clock::now());
    }
    // Anything else (`initialized`, `$/cancelRequest`, `$/setTrace`,
    // configuration changes) needs nothing from this server.
  } catch (const RequestError& e) {
    SendNotification("window/logMessage", {{"type", 1}, {"message", fmt::format("{}: {}", method, e.message)}});
  } catch (const std::exception& e) {
    SendNotification("window/logMessage", {{"type", 1}, {"message", fmt::format("{}: {}", method, e.what())}});
  }
}

Json Server::Initialize(const Json& params) {
  if (!params.is_object()) throw RequestError{ErrorCode::InvalidParams, "`initialize` params must be an object"};
  auto add_root = [&](const Json& uri) {
    if (!uri.is_string()) return;
    if (auto path = UriToPath(uri.get<std::string>())) roots_.push_back(*path);
  };
  if (auto folders = params.find("workspaceFolders"); folders != params.end() && folders->is_array()) {
    for (const Json& f : *folders) {
      if (f.is_object() && f.contains("uri")) add_root(f["uri"]);
    }
  }
  if (roots_.empty()) {
    if (auto root = params.find("rootUri"); root != params.end()) add_root(*root);
  }
  if (auto options = params.find("initializationOptions"); options != params.end() && options->is_object()) {
    auto delay = options->find("diagnosticsDelay");
    if (delay != options->end() && delay->is_number_integer()) {
      delay_ = std::chrono::milliseconds(std::clamp<int64_t>(delay->get<int64_t>(), 0, 10000));
    }
  }
  Json capabilities = {
      {"positionEncoding", "utf-16"},
      {"textDocumentSync", {{"openClose", true}, {"change", kIncrementalSync}, {"save", {{"includeText", false}}}}},
      {"hoverProvider", true},
      {"completionProvider", {{"triggerCharacters", {".", "\"", "/", ":", "("}}, {"resolveProvider", false}}},
      {"definitionProvider", true},
      {"referencesProvider", true},
      {"documentSymbolProvider", true},
      {"documentFormattingProvider", true},
      {"codeActionProvider", {{"codeActionKinds", {"quickfix"}}}},
      {"semanticTokensProvider", {{"legend", SemanticTokensLegend()}, {"full", true}, {"range", false}}},
  };
  return {{"capabilities", capabilities}, {"serverInfo", {{"name", "kstatec"}, {"version", Version()}}}};
}

Document& Server::DocumentFor(const Json& params) {
  std::string uri = StringMember(Member(params, "textDocument"), "uri");
  auto it = docs_.find(uri);
  if (it == docs_.end()) throw RequestError{ErrorCode::InvalidParams, fmt::format("`{}` is not open", uri)};
  return *it->second;
}

std::string Server::RootFor(const Document& doc) const {
  std::string best;
  for (const std::string& root : roots_) {
    if (IsWithinDir(doc.path, root) && root.size() > best.size()) best = root;
  }
  return best;
}

void Server::Open(const Json& params) {
  const Json& item = Member(params, "textDocument");
  auto doc = std::make_unique<Document>();
  doc->uri = StringMember(item, "uri");
  doc->path = UriToPath(doc->uri).value_or(doc->uri);
  const Json& version = Member(item, "version");
  doc->version = version.is_number_integer() ? version.get<int64_t>() : 0;
  doc->SetText(StringMember(item, "text"));
  Document& d = *doc;
  docs_[d.uri] = std::move(doc);
  due_[d.uri] = Clock::now();
  ScheduleDependents(d, Clock::now() + delay_);
}

void Server::Change(const Json& params) {
  Document& doc = DocumentFor(params);
  const Json& changes = Member(params, "contentChanges");
  if (!changes.is_array()) throw RequestError{ErrorCode::InvalidParams, "`contentChanges` must be an array"};
  for (const Json& change : changes) doc.ApplyChange(change);
  const Json& version = Member(Member(params, "textDocument"), "version");
  if (version.is_number_integer()) doc.version = version.get<int64_t>();
  due_[doc.uri] = Clock::now() + delay_;
  ScheduleDependents(doc, Clock::now() + delay_);
}

void Server::Close(const Json& params) {
  Document& doc = DocumentFor(params);
  std::string uri = doc.uri;
  ScheduleDependents(doc, Clock::now());
  due_.erase(uri);
  docs_.erase(uri);
  // Its problems leave the editor's list with it.
  SendNotification("textDocument/publishDiagnostics", {{"uri", uri}, {"diagnostics", Json::array()}});
}

void Server::ScheduleDependents(const Document& changed, Clock::time_point when) {
  for (const auto& [uri, doc] : docs_) {
    if (doc.get() == &changed || !doc->compilation) continue;
    const base::SourceManager& sources = doc->compilation->impl().sources;
    for (uint32_t i = 1; i < sources.size(); ++i) {
      if (sources.file(i).path() != changed.path) continue;
      if (!due_.contains(uri)) due_[uri] = when;
      break;
    }
  }
}

void Server::EnsureAnalysed(Document& doc) {
  if (doc.analysed && !due_.contains(doc.uri)) return;
  Publish(doc);
}

void Server::Publish(Document& doc) {
  std::vector<Source> unsaved;
  for (const auto& [uri, other] : docs_) {
    if (other.get() != &doc) unsaved.push_back({other->path, other->text()});
  }
  Analyze(doc, std::move(unsaved), RootFor(doc));
  due_.erase(doc.uri);
  SendNotification("textDocument/publishDiagnostics", PublishParams(doc));
}

void Server::PublishDue() {
  Clock::time_point now = Clock::now();
  std::vector<std::string> due;
  for (const auto& [uri, when] : due_) {
    if (when <= now) due.push_back(uri);
  }
  for (const std::string& uri : due) {
    auto it = docs_.find(uri);
    if (it == docs_.end()) due_.erase(uri);
    else Publish(*it->second);
  }
}

int Server::MillisecondsToNextDue() const {
  if (due_.empty()) return -1;
  Clock::time_point first = Clock::time_point::max();
  for (const auto& [uri, when] : due_) first = std::min(first, when);
  auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(first - Clock::now()).count();
  return wait <= 0 ? 0 : static_cast<int>(wait) + 1;
}

void Server::SendResult(const Json& id, Json result) {
  transport_.Send(Json{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}}.dump(-1, ' ', false,
                                                                                            Json::error_handler_t::replace));
}

void Server::SendError(const Json& id, ErrorCode code, const std::string& message) {
  Json error{{"code", static_cast<int>(code)}, {"message", message}};
  transport_.Send(Json{{"jsonrpc", "2.0"}, {"id", id}, {"error", std::move(error)}}.dump(-1, ' ', false,
                                                                                          Json::error_handler_t::replace));
}

void Server::SendNotification(const std::string& method, Json params) {
  transport_.Send(Json{{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}}.dump(
      -1, ' ', false, Json::error_handler_t::replace));
}

}  // namespace kstate::lsp
