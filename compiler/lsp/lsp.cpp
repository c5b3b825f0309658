// `kstatec lsp` over stdio.
#include "compiler/lsp/lsp.h"

#include <csignal>
#include <unistd.h>

#include "compiler/lsp/server.h"
#include "compiler/lsp/transport.h"

namespace kstate::lsp {

int RunStdio() {
  // An editor that goes away closes the pipe; a write then fails instead of
  // killing the server mid-message.
  std::signal(SIGPIPE, SIG_IGN);
  Transport transport(STDIN_FILENO, STDOUT_FILENO);
  Server server(transport);
  return server.Run();
}

}  // namespace kstate::lsp
