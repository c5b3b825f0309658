// What a document imports, for features that look across files: the
// imported file's text (an open document, the file on disk, or the embedded
// standard library) and its syntax index.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compiler/lsp/index.h"
#include "compiler/lsp/server.h"

namespace kstate::lsp {

struct ImportedFile {
  std::string uri;   // where an editor can open it (the standard library is written to a cache directory)
  std::string shown; // the path as shown to people: `std/db/postgres.kstate`, `./lib.kstate`
  std::shared_ptr<const Index> index;
};

// The file an import declaration of `doc` names, or nullopt when it cannot
// be read.
std::optional<ImportedFile> LoadImport(const Server& server, const Document& doc, const syntax::Decl& import);

// Every import declaration of an index, in order.
std::vector<const syntax::Decl*> Imports(const Index& index);

// The standard library's module names (`std/db/postgres`), sorted.
std::vector<std::string> StdlibModules();

// The documentation comment at the top of a file (its first comment block),
// without comment markers.
std::string LeadingComment(std::string_view text);
// The comment lines directly above `offset` (a declaration's documentation).
std::string CommentAbove(std::string_view text, uint32_t offset);

}  // namespace kstate::lsp
