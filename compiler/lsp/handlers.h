// One handler per LSP feature, each in its own handle_<feature>.cpp. A handler
// takes the request's params and returns its result, or throws RequestError.
#pragma once

#include "compiler/lsp/protocol.h"
#include "compiler/lsp/server.h"

namespace kstate::lsp {

Json HandleHover(Server& server, const Json& params);
Json HandleCompletion(Server& server, const Json& params);
Json HandleDefinition(Server& server, const Json& params);
Json HandleReferences(Server& server, const Json& params);
Json HandleDocumentSymbol(Server& server, const Json& params);
Json HandleFormatting(Server& server, const Json& params);
Json HandleCodeAction(Server& server, const Json& params);
Json HandleSemanticTokens(Server& server, const Json& params);
// The token types and modifiers HandleSemanticTokens uses, for `initialize`.
Json SemanticTokensLegend();

// The byte offset in `index`'s text of `params.position`.
uint32_t OffsetAt(const Index& index, const Json& params);

}  // namespace kstate::lsp
