// A syntactic index of one `.kstate` document: its declarations, and every
// name, field and literal the editor features point at, with what each one
// refers to. Built from a full parse; positions are byte offsets.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/base/source.h"
#include "compiler/check/schema.h"
#include "compiler/lsp/protocol.h"
#include "compiler/syntax/ast.h"

namespace kstate::lsp {

enum class DefKind : uint8_t { Namespace, Component, Template, Let, Import, Param, Section, Port, File };

// Something the document declares.
struct Definition {
  DefKind kind;
  std::string name;
  base::SourceRange range;       // the whole declaration
  base::SourceRange name_range;  // its name (the whole declaration when it has none)
  std::string detail;            // a short description: the template's signature, a section's head
  int parent = -1;               // the enclosing definition, for the symbol tree
  const syntax::Decl* decl = nullptr;
  const syntax::Stmt* stmt = nullptr;
  const syntax::Param* param = nullptr;
};

enum class OccKind : uint8_t {
  Field,         // a field name being set: `replicas` in `replicas = 3`, `storage` in `storage data {`
  Name,          // a name in an expression: a `let`, a parameter, an enum word, a port
  TemplateRef,   // the template of `component x : t(...)` (or `alias.t`)
  ComponentRef,  // a name in `dependsOn`
  VolumeRef,     // the volume of `mount NAME at ...`
  ImportPath,    // the path string of an `import`
  AliasRef,      // an import alias used as `alias.name`
  Builtin,       // a built-in function's name in a call
  Number,        // a number literal
  DeclName,      // the name of a definition, where it is declared
  Argument,      // a named argument of a template call (`replicas:` in `t(replicas: 3)`)
};

struct Occurrence {
  OccKind kind;
  base::SourceRange range;
  int target = -1;                              // the Definition it refers to, when resolved in this document
  const check::schema::Field* field = nullptr;  // Field: the schema entry; Name: the field whose value it is in
  const syntax::Expr* expr = nullptr;           // Number, Builtin (the call), TemplateRef (the call)
  std::string text;                             // the name as written (for TemplateRef: `alias.t` or `t`)
};

class Index {
 public:
  // Parses `text` as `path`. ok() is false when a syntax error cut the parse
  // short; what came before the error is still indexed.
  Index(std::string path, std::string text);
  Index(const Index&) = delete;
  Index& operator=(const Index&) = delete;

  bool ok() const { return ok_; }
  std::string_view text() const { return sources_.file(0).text(); }
  const std::string& path() const { return sources_.file(0).path(); }
  const LineIndex& lines() const { return *lines_; }
  const std::vector<Definition>& definitions() const { return defs_; }
  const std::vector<Occurrence>& occurrences() const { return occs_; }
  const std::vector<std::unique_ptr<syntax::File>>& trees() const { return trees_; }

  // The innermost occurrence whose range contains `offset` (its end included,
  // so that a cursor just after a word finds it), or nullptr.
  const Occurrence* At(uint32_t offset) const;
  // The definition whose name range contains `offset`, or -1.
  int DefinitionAt(uint32_t offset) const;
  // The top-level definition named `name` of one kind, or -1.
  int FindTopLevel(DefKind kind, std::string_view name) const;
  // The source text of a range.
  std::string_view Slice(base::SourceRange r) const;

 private:
  struct Walker;
  base::SourceManager sources_;
  std::unique_ptr<LineIndex> lines_;
  std::vector<std::unique_ptr<syntax::File>> trees_;
  std::vector<Definition> defs_;
  std::vector<Occurrence> occs_;
  bool ok_ = false;
};

}  // namespace kstate::lsp
