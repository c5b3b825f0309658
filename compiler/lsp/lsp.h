// The entry point of `kstatec lsp`: serves the Language Server Protocol on
// standard input and output until the editor says `exit`.
#pragma once

namespace kstate::lsp {

// Returns the process exit code.
int RunStdio();

}  // namespace kstate::lsp
