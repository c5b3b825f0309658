// The syntax tree of one `.kstate` file. Nodes live in pools owned by the
// File (stable addresses); every node keeps its source range.
#pragma once

#include <algorithm>
#include <cstdint>
#include <new>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "compiler/base/quantity.h"
#include "compiler/base/source.h"

namespace kstate::syntax {

using base::SourceRange;

struct Expr;
struct Block;

// Nodes of one kind, allocated in chunks that never move (a std::deque of
// these large nodes would allocate every second node). Chunks grow from 8 to
// 256 nodes, so a one-line declaration stays small. Clear keeps the chunks,
// and the nodes in them, for the next tree (see Parser::Recycle): a node
// handed out again is Reset, which gives it its initial values but keeps
// the room its vectors had, so a file of many similar declarations
// allocates its nodes' vectors about once.
template <typename T>
class Pool {
 public:
  Pool() = default;
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;
  ~Pool() {
    for (size_t c = 0; c < chunks_.size(); ++c) {
      for (size_t i = 0; i < Constructed(c); ++i) chunks_[c][i].~T();
      ::operator delete(chunks_[c], std::align_val_t{alignof(T)});
    }
  }
  T& emplace_back() {
    if (chunks_.empty() || used_ == Capacity(current_)) {
      if (!chunks_.empty()) ++current_;
      if (current_ == chunks_.size()) {
        void* chunk = ::operator new(sizeof(T) * Capacity(current_), std::align_val_t{alignof(T)});
        chunks_.push_back(static_cast<T*>(chunk));
      }
      used_ = 0;
    }
    T* slot = chunks_[current_] + used_++;
    if (current_ < constructed_chunks_ || (current_ == constructed_chunks_ && used_ <= constructed_last_)) {
      slot->Reset();
      return *slot;
    }
    // A slot never used before. Default-initialised: every member of a node
    // type has an initialiser, so value-initialisation would only zero the
    // whole node first.
    constructed_chunks_ = current_;
    constructed_last_ = used_;
    return *new (slot) T;
  }
  // Hands every node out again; their memory stays.
  void Clear() { current_ = used_ = 0; }

 private:
  static size_t Capacity(size_t chunk) { return size_t{8} << std::min<size_t>(chunk, 5); }
  // How many nodes of chunk `c` hold a constructed T.
  size_t Constructed(size_t c) const {
    if (c < constructed_chunks_) return Capacity(c);
    return c == constructed_chunks_ ? constructed_last_ : 0;
  }

  std::vector<T*> chunks_;
  size_t current_ = 0;  // the chunk being filled
  size_t used_ = 0;     // nodes handed out from it
  // Nodes were ever constructed in every chunk before constructed_chunks_,
  // and in the first constructed_last_ slots of that chunk.
  size_t constructed_chunks_ = 0;
  size_t constructed_last_ = 0;
};

// Gives `node` its initial values, keeping the room of the vectors named.
template <typename T, typename... Vectors>
void ResetKeeping(T& node, Vectors T::*... vectors) {
  std::tuple<Vectors...> kept{std::move(node.*vectors)...};
  node = T{};
  std::apply([&](auto&... v) { ((v.clear(), node.*vectors = std::move(v)), ...); }, kept);
}

struct Ident {
  std::string_view text;
  SourceRange range;
};

enum class ExprKind : uint8_t {
  Number,         // 3, 0.25, 8Gi, 500m, 1h30m, 0o644 (unit kept apart)
  String,         // "a ${b}", """block"""
  Bool,           // true, false
  Name,           // ordered, status, replicas
  List,           // [a, b]
  Comprehension,  // [for i in 0 .. 3: expr]
  Record,         // { key: value }
  Call,           // exec("a"), preferred(weight: 1)
  Field,          // base.name
  Override,       // base { field = value }
  Unary,          // -x, not x
  Binary,         // a + b, a .. b, a == b, a and b
  If,             // if c then a else b
};

enum class Op : uint8_t { Add, Sub, Mul, Div, Mod, Range, Eq, Ne, Lt, Le, Gt, Ge, And, Or, Neg, Not };
std::string_view OpSpelling(Op op);

// The text of a string expression with no interpolation, or nullptr.
const std::string* LiteralText(const Expr& string_expr);

// One piece of a string literal: literal text, or an interpolated expression.
struct StringPart {
  std::string text;
  Expr* expr = nullptr;
  SourceRange range;
};

struct Arg {
  Ident name;  // empty text for a positional argument
  Expr* value = nullptr;
};

struct RecordEntry {
  Expr* key = nullptr;  // a String expression (an identifier key becomes a plain string)
  Expr* value = nullptr;
};

struct Expr {
  ExprKind kind = ExprKind::Number;
  SourceRange range;
  // Number: the literal as classified by base::ParseNumberLiteral.
  base::NumberClass number_class = base::NumberClass::Plain;
  base::Decimal number;
  int64_t exact = 0;
  bool boolean = false;
  Ident name;                       // Name; Field: the field; Call: the callee; Comprehension: the variable
  std::vector<StringPart> parts;    // String
  std::vector<Expr*> items;         // List; Unary/Binary operands; If: cond, then, else; Comprehension: source, body[, filter]
  std::vector<Arg> args;            // Call
  std::vector<RecordEntry> entries; // Record
  Expr* base = nullptr;             // Field, Override
  Block* block = nullptr;           // Override
  Op op = Op::Add;                  // Unary, Binary
  bool block_string = false;        // String written with """
  bool invalid = false;             // Number: malformed, already reported
  uint8_t radix = 10;               // Number: 8 when written 0o644

  void Reset() { ResetKeeping(*this, &Expr::parts, &Expr::items, &Expr::args, &Expr::entries); }
};

enum class StmtKind : uint8_t {
  Assign,   // path = value     (key: "a.b.c" path, or a quoted key)
  Let,      // let name = value
  Section,  // head [name] { ... }
  Port,     // port name = value
  File,     // file "name" = value
  Mount,    // mount [name | "file"] at path [{ ... }]
  Assert,   // assert condition [, message]
};

struct Stmt {
  StmtKind kind = StmtKind::Assign;
  SourceRange range;
  std::vector<Ident> path;  // Assign: the dotted path (one element for a plain field)
  Expr* key = nullptr;      // a String: Assign's quoted key; File's name; Mount's quoted source;
                            // Assert: its message (any expression; null without one)
  Ident head;               // Section: the section word (storage, env, resources, ...)
  Ident name;               // Section/Let/Port/Mount: the declared or referenced name (may be empty)
  Expr* value = nullptr;    // Assign/Let/Port/File: the value; Mount: the target path; Assert: the condition
  Block* body = nullptr;    // Section body; Mount options

  void Reset() { ResetKeeping(*this, &Stmt::path); }
};

struct Block {
  SourceRange range;
  std::vector<Stmt*> stmts;

  void Reset() { ResetKeeping(*this, &Block::stmts); }
};

enum class DeclKind : uint8_t { Namespace, Component, Let, Template, Import, Assert };

// The words a template parameter's type may start with (the checker reports
// any other; the language server colours these).
inline constexpr std::string_view kTypeWords[] = {"int",  "bool",   "string", "identifier", "bytes", "cpu",
                                                  "duration", "port", "record", "list",   "map"};

// A template parameter's type: `int`, `list[string]`, `map[int]`, ...
struct TypeRef {
  Ident word;
  std::vector<TypeRef> args;  // the element type of `list[...]` / `map[...]`
  SourceRange range;
  // `int(LOW..HIGH)`: either bound may be left out (null); `bounded` says the
  // parentheses were written.
  bool bounded = false;
  Expr* low = nullptr;
  Expr* high = nullptr;
};

struct Param {
  Ident name;
  TypeRef type;
  Expr* default_value = nullptr;  // null: the argument is required
};

struct Decl {
  DeclKind kind;
  SourceRange range;
  Ident name;             // Component, Template name; Import alias (may be empty)
  std::string text;       // Namespace name; Import path as written
  SourceRange text_range;
  Block* body = nullptr;  // Component or Template body; Namespace options (may be null)
  Stmt* let = nullptr;    // Let: the `let` statement; Assert: the `assert` statement
  Expr* instance_of = nullptr;  // Component: the template call of `component x : t(args)`
  std::vector<Param> params;    // Template
};

// One parsed file. Owns all of its nodes.
struct File {
  uint32_t file_id = 0;
  std::vector<Decl> decls;
  bool ok = false;  // false when a syntax error stopped the parse

  Pool<Expr> expr_pool;
  Pool<Stmt> stmt_pool;
  Pool<Block> block_pool;

  // Empties the tree, keeping its pools' memory.
  void Clear() {
    decls.clear();
    ok = false;
    expr_pool.Clear();
    stmt_pool.Clear();
    block_pool.Clear();
  }
};

}  // namespace kstate::syntax
