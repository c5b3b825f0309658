// The language server: the JSON-RPC lifecycle (initialize, shutdown, exit),
// open documents, debounced diagnostics, and dispatch to one handler per
// feature (handlers.h).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "compiler/lsp/document.h"
#include "compiler/lsp/protocol.h"
#include "compiler/lsp/transport.h"

namespace kstate::lsp {

class Server {
 public:
  explicit Server(Transport& transport) : transport_(transport) {}
  // Serves until the `exit` notification or the end of the input. Returns the
  // process exit code: 0 after `shutdown` then `exit`, 1 otherwise.
  int Run();

  // For handlers: the open document named by `params.textDocument.uri`;
  // throws RequestError when there is none.
  Document& DocumentFor(const Json& params);
  // Compiles `doc` now unless its diagnostics are up to date (and publishes them).
  void EnsureAnalysed(Document& doc);
  // The open documents.
  const std::map<std::string, std::unique_ptr<Document>>& documents() const { return docs_; }
  // The directory relative imports of `doc` may not leave: the workspace
  // folder holding it, else its own directory.
  std::string RootFor(const Document& doc) const;

 private:
  using Clock = std::chrono::steady_clock;
  void Dispatch(const std::string& body);
  void Request(const Json& id, const std::string& method, const Json& params);
  void Notification(const std::string& method, const Json& params);
  Json Call(const std::string& method, const Json& params);
  Json Initialize(const Json& params);
  void Open(const Json& params);
  void Change(const Json& params);
  void Close(const Json& params);
  // Re-checks the open documents that import `changed` (by its path).
  void ScheduleDependents(const Document& changed, Clock::time_point when);
  void Publish(Document& doc);
  void PublishDue();
  int MillisecondsToNextDue() const;
  void SendResult(const Json& id, Json result);
  void SendError(const Json& id, ErrorCode code, const std::string& message);
  void SendNotification(const std::string& method, Json params);

  enum class State { Uninitialized, Running, ShutDown };
  Transport& transport_;
  State state_ = State::Uninitialized;
  bool exit_ = false;
  std::map<std::string, std::unique_ptr<Document>> docs_;
  std::map<std::string, Clock::time_point> due_;  // uri -> when its diagnostics are published
  std::vector<std::string> roots_;                 // workspace folders
  std::chrono::milliseconds delay_{0};              // quiet time after a change before checking
};

}  // namespace kstate::lsp
