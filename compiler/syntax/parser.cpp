// PEGTL actions that build the syntax tree, the error control that turns a
// failed must<> into one diagnostic, and block-string dedenting.
#include "compiler/syntax/parser.h"

#include <algorithm>
#include <cstring>
#include <type_traits>

#include "compiler/base/json_text.h"
#include "compiler/base/quantity.h"
#include "compiler/syntax/grammar.h"
#include "compiler/syntax/parse_errors.h"

namespace kstate::syntax {

namespace pegtl = tao::pegtl;
namespace g = grammar;

namespace {

struct SyntaxFailure {
  diag::Kind kind;
  const char* message;
  uint32_t offset;
  bool expects_name;
};

// The stacks of nodes being built. A Parser keeps one set for all its
// declarations, so their buffers are allocated once per file.
struct Stacks {
  std::vector<Expr*> exprs;
  std::vector<Block*> blocks;
  std::vector<Stmt*> stmts;
  std::vector<uint32_t> interps;  // offsets of open `${`
  std::vector<TypeRef> types;     // template parameter types being read (`list[...]` nests)

  void Clear() {
    exprs.clear();
    blocks.clear();
    stmts.clear();
    interps.clear();
    types.clear();
  }
};

struct State {
  State(File& f, const char* text, diag::Diagnostics& d, Stacks& stacks)
      : file(f), base(text), diags(d), exprs(stacks.exprs), blocks(stacks.blocks), stmts(stacks.stmts),
        interps(stacks.interps), types(stacks.types) {
    stacks.Clear();
  }
  File& file;
  const char* base;
  diag::Diagnostics& diags;
  std::vector<Expr*>& exprs;
  std::vector<Block*>& blocks;
  std::vector<Stmt*>& stmts;
  std::vector<uint32_t>& interps;
  std::vector<TypeRef>& types;
  int depth = 0;  // nesting of expressions and blocks, bounded by kMaxNesting

  uint32_t Offset(const char* p) const { return static_cast<uint32_t>(p - base); }
  template <typename Input>
  SourceRange Range(const Input& in) const {
    return {file.file_id, Offset(in.begin()), Offset(in.end())};
  }
  Expr* NewExpr(ExprKind kind, SourceRange range) {
    Expr& e = file.expr_pool.emplace_back();
    e.kind = kind;
    e.range = range;
    return &e;
  }
  Expr* Pop() {
    Expr* e = exprs.back();
    exprs.pop_back();
    return e;
  }
  Block* PopBlock() {
    Block* b = blocks.back();
    blocks.pop_back();
    return b;
  }
  Stmt* NewStmt(StmtKind kind, SourceRange range) {
    Stmt& s = file.stmt_pool.emplace_back();
    s.kind = kind;
    s.range = range;
    stmts.push_back(&s);
    return &s;
  }
  // Ends the innermost statement and adds it to its block (or the top level).
  void FinishStmt(uint32_t end) {
    Stmt* s = stmts.back();
    stmts.pop_back();
    s->range.end = end;
    if (!blocks.empty()) {
      std::vector<Stmt*>& list = blocks.back()->stmts;
      if (list.capacity() == 0) list.reserve(8);  // skips the first growth steps
      list.push_back(s);
    } else {
      Decl d{s->kind == StmtKind::Assert ? DeclKind::Assert : DeclKind::Let, s->range};
      d.name = s->name;
      d.let = s;
      file.decls.push_back(d);
    }
  }
  void AppendText(std::string_view text, SourceRange range) {
    Expr* s = exprs.back();
    if (!s->parts.empty() && s->parts.back().expr == nullptr) {
      s->parts.back().text.append(text);
      s->parts.back().range.end = range.end;
    } else {
      s->parts.push_back(StringPart{std::string(text), nullptr, range});
    }
  }
};

// Appends to a node's list of children, with room for four at the first:
// calls, records and lists mostly hold a few, and growing one by one would
// allocate for each of the first three.
template <typename T>
void Append(std::vector<T>& list, T item) {
  if (list.capacity() == 0) list.reserve(4);
  list.push_back(std::move(item));
}

// Nesting beyond this depth is refused so that no input can exhaust the stack.
constexpr int kMaxNesting = 128;

// The rules through which nesting recurses: expressions, `not` chains, blocks
// and parameter types (`list[list[...]]`).
template <typename Rule>
constexpr bool kNests = std::is_same_v<Rule, g::unary_expr> || std::is_same_v<Rule, g::not_expr> ||
                        std::is_same_v<Rule, g::block> || std::is_same_v<Rule, g::type_ref>;

template <typename Rule>
struct Control : pegtl::normal<Rule> {
  template <typename Input, typename... States>
  static void start(const Input& in, States&... st) {
    if constexpr (kNests<Rule>) {
      ((++st.depth > kMaxNesting ? throw SyntaxFailure{diag::Kind::NestingTooDeep, "", st.Offset(in.current()), false}
                                 : void()),
       ...);
    }
  }
  template <typename Input, typename... States>
  static void success(const Input&, States&... st) {
    if constexpr (kNests<Rule>) ((--st.depth), ...);
  }
  template <typename Input, typename... States>
  static void failure(const Input&, States&... st) {
    if constexpr (kNests<Rule>) ((--st.depth), ...);
  }
  template <typename Input, typename... States>
  [[noreturn]] static void raise(const Input& in, States&&... st) {
    uint32_t offset = (st.Offset(in.current()), ...);
    throw SyntaxFailure{ErrorFor<Rule>::kind, ErrorFor<Rule>::message, offset,
                        std::is_base_of_v<g::ident, Rule>};
  }
};

template <typename Rule>
struct Action : pegtl::nothing<Rule> {};

// ---- literals

template <>
struct Action<g::number_lit> {
  template <typename Input>
  static void apply(const Input& in, State& st) {
    SourceRange r = st.Range(in);
    base::NumberLiteral lit = base::ParseNumberLiteral(in.string_view());
    Expr* e = st.NewExpr(ExprKind::Number, r);
    if (!lit.error.empty()) {
      st.diags.Report(diag::Kind::InvalidNumber, r, in.string_view(), lit.error);
      e->invalid = true;
    }
    e->number_class = lit.cls;
    e->radix = static_cast<uint8_t>(lit.radix);
    e->number = lit.value;
    e->exact = lit.exact;
    st.exprs.push_back(e);
  }
};

struct StringOpen {
  template <typename Input>
  static void apply(const Input& in, State& st) {
    st.exprs.push_back(st.NewExpr(ExprKind::String, st.Range(in)));
  }
};
template <>
struct Action<g::str_open> : StringOpen {};
template <>
struct Action<g::bstr_open> : StringOpen {};

struct StringText {
  template <typename Input>
  static void apply(const Input& in, State& st) {
    st.AppendText(in.string_view(), st.Range(in));
  }
};
template <>
struct Action<g::str_text> : StringText {};
template <>
struct Action<g::bstr_text> : StringText {};

template <>
struct Action<g::dollar_escape> {
  template <typename Input>
  static void apply(const Input& in, State& st) {
    st.AppendText("${", st.Range(in));
  }
};

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

template <>
struct Action<g::escape> {
  template <typename Input>
  static void apply(const Input& in, State& st) {
    std::string_view t = in.string_view();
    std::string out;
    switch (t[1]) {
      case 'n': out = "\n"; break;
      case 't': out = "\t"; break;
      case 'r': out = "\r"; break;
      case '0': out = std::string(1, '\0'); break;
      case 'u': {
        uint32_t cp = 0;
        for (char c : t.substr(3, t.size() - 4)) {
          cp = cp * 16 + static_cast<uint32_t>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
        }
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
          st.diags.Report(diag::Kind::InvalidEscape, st.Range(in), t).help =
              "`\\u{...}` takes a Unicode scalar value: up to 10FFFF, and not a surrogate (D800..DFFF)";
          cp = 0xFFFD;
        }
        AppendUtf8(out, cp);
        break;
      }
      default: out = std::string(1, t[1]);
    }
    st.AppendText(out, st.Range(in));
  }
};

template <>
struct Action<g::interp_open> {
  template <typename Input>
  static void apply(const Input& in, State& st) {
    st.interps.push_back(st.Offset(in.begin()));
  }
};

template <>
struct Action<g::interp> {
  template <typename Input>
  static void apply(const Input& in, State& st) {
    st.interps.pop_back();
    Expr* e = st.Pop();
    st.exprs.back()->parts.push_back(StringPart{{}, e, st.Range(in)});
  }
};

template <>
struct Action<g::string_lit> {
  template <typename Input>
  static void apply(const Input& in, State& st) {
    st.exprs.back()->range.end = st.Offset(in.end());
  }
};

// Removes the line after the opening `"""`, the closing line's indentation
// from every line, and keeps one final newline when `"""` stands on its own line.
void Dedent(Expr& e) {
  // Line breaks are "\n" whatever the file uses, so output does not depend on a checkout.
  for (StringPart& p : e.parts) {
    if (p.expr == nullptr) {
      for (size_t at = p.text.find("\r\n"); at != std::string::npos; at = p.text.find("\r\n", at)) p.text.erase(at, 1);
    }
  }
  if (e.parts.empty()) return;
  // The opening line: drop it when only white space follows `"""`.
  if (StringPart& first = e.parts.front(); first.expr == nullptr) {
    size_t nl = first.text.find('\n');
    if (nl != std::string::npos && first.text.find_first_not_of(" \t\r") >= nl) first.text.erase(0, nl + 1);
  }
  // The closing line: white space only before `"""` sets the indentation to strip.
  size_t strip = SIZE_MAX;
  if (StringPart& last = e.parts.back(); last.expr == nullptr) {
    size_t nl = last.text.rfind('\n');
    bool whole = nl != std::string::npos || e.parts.size() == 1;
    size_t start = nl == std::string::npos ? 0 : nl + 1;
    if (whole && last.text.find_first_not_of(" \t", start) == std::string::npos) {
      strip = last.text.size() - start;
      last.text.erase(start);
    }
  }
  // Without a closing line, strip the smallest indentation of a non-blank line.
  bool at_start = true;
  if (strip == SIZE_MAX) {
    size_t indent = 0;
    for (const StringPart& p : e.parts) {
      if (p.expr) {
        if (at_start) strip = std::min(strip, indent);
        at_start = false;
        continue;
      }
      for (char c : p.text) {
        if (c == '\n') {
          at_start = true;
          indent = 0;
        } else if (at_start && (c == ' ' || c == '\t')) {
          ++indent;
        } else if (at_start) {
          strip = std::min(strip, indent);
          at_start = false;
        }
      }
    }
    if (strip == SIZE_MAX) strip = 0;
  }
  at_start = true;
  size_t removed = 0;
  for (StringPart& p : e.parts) {
    if (p.expr) {
      at_start = false;
      continue;
    }
    std::string out;
    out.reserve(p.text.size());
    for (char c : p.text) {
      if (c == '\n') {
        out += c;
        at_start = true;
        removed = 0;
      } else if (at_start && (c == ' ' || c == '\t') && removed < strip) {
        ++removed;
      } else {
        out += c;
        at_start = false;
      }
    }
    p.text = std::move(out);
  }
  std::erase_if(e.parts, [](const StringPart& p) { return p.expr == nullptr && p.text.empty(); });
}

template <>
struct Action<g::bstring_lit> {
  template <typename Input>
  static void apply(const Input& in, State& st) {
    Expr* e = st.exprs.back();
    e->range.end = st.Offset(in.end());
    e->block_string = true;
    Dedent(*e);
  }
};

struct BoolAction {
  template <typename Input>
  static void apply(const Input& in, State& st) {
    Expr* e = st.NewExpr(ExprKind::Bool, st.Range(in));
    e->boolean = in.string_view() == "true";
    st.exprs.push_back(e);
  }
};
template <>
struct Action<g::kw_true> : BoolAction {};
template <>
struct Action<g::kw_false> : BoolAction {};

template <>
struct Action<g::name_ref> {
  template <typename Input>
  static void apply(const Input& in, State& st) {
    Expr* e = st.NewExpr(ExprKind::Name, st.Range(in));
    e->name = Ident{in.string_view(), e->range};
    st.exprs.push_back(e);
  }
};

// ---- lists and records

template <>
struct Action<g::list_open> {
  template <typename Input>
  static void apply(const Input& in, State& st) {
    st.exprs.push_back(st.NewExpr(ExprKind::List, st.Range(in)));
  }
};

template <>
struct Action<g::list_item> {
  template <typename Input>
  static void apply(const Input&, State& st) {
    Expr* item = st.Pop();
    Append(st.exprs.back()->items, item);
  }
};

template <>
struct Action<g::comp_var> {
  template <typename Input>
  static void apply(const Input& in, State& st) {
    Expr* list = st.exprs.back();
    list->kind = ExprKind::Comprehension;
    list->name = Ident{in.string_view(), st.Range(in)};
  }
};

template <>
struct Action<g::comp_filter> {
  template <typename Input>
  static void apply(const Input&, State& st) {
    Expr* filter = st.Pop();
    st.exprs[st.exprs.size() - 2]->base = filter;
  }
};

template <>
struct Action<g::comp_body> {
  template <typename Input>
  static void apply(const Input&, State& st) {
    Expr* body = st.Pop();
    Expr* source = st.Pop();
    st.exprs.back()->items = {source, body};
  }
};

struct CloseRange {
  template <typename Input>
  static void apply(const Input& in, State& st) {
    st.exprs.back()->range.end = st.Offset(in.end());
  }
};
template <>
struct Action<g::list_lit> : CloseRange {};
template <>
struct Action<g::record_lit> : CloseRange {};
template <>
struct Action<g::call_args> : CloseRange {};

template <>
struct Action<g::paren> {
  template <typename Input>
  static void apply(const Input& in, State& st) {
    st.exprs.back()->range = st.Range(in);
  }
};

template <>
struct Action<g::record_open> {
  template <typename Input>
  static void apply(const Input& in, State& st) {
    st.exprs.push_back(st.NewExpr(ExprKind::Record, st.Range(in)));
  }
};

template <>
struct Action<g::record_key_ident> {
  template <typename Input>
  static void apply(const Input& in, State& st) {
    Expr* key = st.NewExpr(ExprKind::String, st.Range(in));
    key->parts.push_back(StringPart{std::string(in.string_view()), nullptr, key->range});
    st.exprs.push_back(key);
  }
};

template <>
struct Action<g::record_entry> {
  template <typename Input>
  static void apply(const Input&, State& st) {
    Expr* value = st.Pop();
    Expr* key = st.Pop();
    Append(st.exprs.back()->entries, RecordEntry{key, value});
  }
};

// ---- operators and postfix forms

template <>
struct Action<g::if_expr> {
  template <typename Input>
  static void apply(const Input& in, State& st) {
    Expr* otherwise = st.Pop();
    Expr* then = st.Pop();
    Expr* cond = st.Pop();
    Expr* e = st.NewExpr(ExprKind::If, st.Range(in));
    e->items = {cond, then, otherwise};
    st.exprs.push_back(e);
  }
};

template <>
struct Action<g::field_access> {
  template <typename Input>
  static void apply(const Input& in, State& st) {
    Expr* base = st.Pop();
    Expr* e = st.NewExpr(ExprKind::Field, {st.file.file_id, base->range.begin, st.Offset(in.end())});
    e->base = base;
    e->name = Ident{in.string_view().substr(1), {st.file.file_id, st.Offset(in.begin()) + 1, st.Offset(in.end())}};
    st.exprs.push_back(e);
  }
};

template <>
struct Action<g::call_open> {
  template <typename Input>
  static void apply(const Input& in, State& st) {
    Expr* callee = st.Pop();
    Expr* e = st.NewExpr(ExprKind::Call, {st.file.file_id, callee->range.begin, st.Offset(in.end())});
    e->base = callee;
    if (callee->kind == ExprKind::Name || callee->kind == ExprKind::Field) e->name = callee->name;
    st.exprs.push_back(e);
  }
};

template <>
struct Action<g::named_arg> {
  template <typename Input>
  static void apply(const Input& in, State& st) {
    Expr* value = st.Pop();
    std::string_view t = in.string_view();
    size_t n = 0;
    while (n < t.size() && t[n] != ' ' && t[n] != '\t' && t[n] != ':') ++n;
    uint32_t begin = st.Offset(in.begin());
    Append(st.exprs.back()->args, Arg{Ident{t.substr(0, n), {st.file.file_id, begin, begin + uint32_t(n)}}, value});
  }
};

template <>
struct Action<g::positional_arg> {
  template <typename Input>
  static void apply(const Input&, State& st) {
    Expr* value = st.Pop();
    Append(st.exprs.back()->args, Arg{{}, value});
  }
};

template <>
struct Action<g::override_block> {
  template <typename Input>
  static void apply(const Input& in, State& st) {
    Block* block = st.PopBlock();
    Expr* base = st.Pop();
    Expr* e = st.NewExpr(ExprKind::Override, {st.file.file_id, base->range.begin, st.Offset(in.end())});
    e->base = base;
    e->block = block;
    st.exprs.push_back(e);
  }
};

template <Op kOp>
struct UnaryAction {
  template <typename Input>
  static void apply(const Input& in, State& st) {
    Expr* operand = st.Pop();
    Expr* e = st.NewExpr(ExprKind::Unary, st.Range(in));
    e->op = kOp;
    e->items = {operand};
    st.exprs.push_back(e);
  }
};
template <>
struct Action<g::neg_expr> : UnaryAction<Op::Neg> {};
template <>
struct Action<g::not_expr> : UnaryAction<Op::Not> {};

template <Op kOp>
struct BinaryAction {
  template <typename Input>
  static void apply(const Input& in, State& st) {
    Expr* rhs = st.Pop();
    Expr* lhs = st.Pop();
    Expr* e = st.NewExpr(ExprKind::Binary, {st.file.file_id, lhs->range.begin, rhs->range.end});
    e->op = kOp;
    e->items = {lhs, rhs};
    (void)in;
    st.exprs.push_back(e);
  }
};
template <>
struct Action<g::mul_tail> : BinaryAction<Op::Mul> {};
template <>
struct Action<g::div_tail> : BinaryAction<Op::Div> {};
template <>
struct Action<g::mod_tail> : BinaryAction<Op::Mod> {};
template <>
struct Action<g::add_tail> : BinaryAction<Op::Add> {};
template <>
struct Action<g::sub_tail> : BinaryAction<Op::Sub> {};
template <>
struct Action<g::range_tail> : BinaryAction<Op::Range> {};
template <>
struct Action<g::eq_tail> : BinaryAction<Op::Eq> {};
template <>
struct Action<g::ne_tail> : BinaryAction<Op::Ne> {};
template <>
struct Action<g::lt_tail> : BinaryAction<Op::Lt> {};
template <>
struct Action<g::le_tail> : BinaryAction<Op::Le> {};
template <>
struct Action<g::gt_tail> : BinaryAction<Op::Gt> {};
template <>
struct Action<g::ge_tail> : BinaryAction<Op::Ge> {};
template <>
struct Action<g::and_tail> : BinaryAction<Op::And> {};
template <>
struct Action<g::or_tail> : BinaryAction<Op::Or> {};

// ---- statements and blocks

template <>
struct Action<g::block_open> {
  template <typename Input>
  static void apply(const Input& in, State& st) {
    Block& b = st.file.block_pool.emplace_back();
    b.range = st.Range(in);
    st.blocks.push_back(&b);
  }
};

template <>
struct Action<g::block_close> {
  template <typename Input>
  static void apply(const Input& in, State& st) {
    st.blocks.back()->range.end = st.Offset(in.end());
  }
};

template <StmtKind kKind>
struct StmtHead {
  template <typename Input>
  static void apply(const Input& in, State& st) {
    st.NewStmt(kKind, st.Range(in));
  }
};
template <>
struct Action<g::let_head> : StmtHead<StmtKind::Let> {};
template <>
struct Action<g::port_head> : StmtHead<StmtKind::Port> {};
template <>
struct Action<g::file_head> : StmtHead<StmtKind::File> {};
template <>
struct Action<g::mount_head> : StmtHead<StmtKind::Mount> {};
template <>
struct Action<g::assert_head> : StmtHead<StmtKind::Assert> {};

struct StmtName {
  template <typename Input>
  static void apply(const Input& in, State& st) {
    st.stmts.back()->name = Ident{in.string_view(), st.Range(in)};
  }
};
template <>
struct Action<g::let_name> : StmtName {};
template <>
struct Action<g::port_name> : StmtName {};
template <>
struct Action<g::section_name> : StmtName {};
template <>
struct Action<g::mount_source_name> : StmtName {};

struct StmtKey {
  template <typename Input>
  static void apply(const Input&, State& st) {
    st.stmts.back()->key = st.Pop();
  }
};
template <>
struct Action<g::file_name> : StmtKey {};
template <>
struct Action<g::mount_source_file> : StmtKey {};
template <>
struct Action<g::assert_message> : StmtKey {};

struct StmtValue {
  template <typename Input>
  static void apply(const Input& in, State& st) {
    st.stmts.back()->value = st.Pop();
    st.FinishStmt(st.Offset(in.end()));
  }
};
template <>
struct Action<g::let_stmt> : StmtValue {};
template <>
struct Action<g::port_stmt> : StmtValue {};
template <>
struct Action<g::file_stmt> : StmtValue {};
template <>
struct Action<g::mount_stmt> : StmtValue {};


template <>
struct Action<g::stmt_path> {
  template <typename Input>
  static void apply(const Input& in, State& st) {
    Stmt* s = st.NewStmt(StmtKind::Assign, st.Range(in));
    std::string_view t = in.string_view();
    uint32_t begin = st.Offset(in.begin());
    if (std::count(t.begin(), t.end(), '.') >= kMaxNesting) {
      throw SyntaxFailure{diag::Kind::NestingTooDeep, "", begin, false};
    }
    size_t start = 0;
    while (true) {
      size_t dot = t.find('.', start);
      size_t end = dot == std::string_view::npos ? t.size() : dot;
      s->path.push_back(Ident{t.substr(start, end - start),
                              {st.file.file_id, begin + uint32_t(start), begin + uint32_t(end)}});
      if (dot == std::string_view::npos) break;
      start = dot + 1;
    }
  }
};

template <>
struct Action<g::stmt_key> {
  template <typename Input>
  static void apply(const Input& in, State& st) {
    Expr* key = st.Pop();
    st.NewStmt(StmtKind::Assign, st.Range(in))->key = key;
  }
};

// The value of a statement that goes on after it (an assignment's section
// form is decided later) or ends with something else (an assertion's message).
struct StmtValueOnly {
  template <typename Input>
  static void apply(const Input&, State& st) {
    st.stmts.back()->value = st.Pop();
  }
};
template <>
struct Action<g::assign_tail> : StmtValueOnly {};
template <>
struct Action<g::assert_cond> : StmtValueOnly {};

template <>
struct Action<g::section_tail> {
  template <typename Input>
  static void apply(const Input&, State& st) {
    Stmt* s = st.stmts.back();
    s->kind = StmtKind::Section;
    s->body = st.PopBlock();
    s->head = s->path.front();
  }
};

struct FinishStmtAction {
  template <typename Input>
  static void apply(const Input& in, State& st) {
    st.FinishStmt(st.Offset(in.end()));
  }
};
template <>
struct Action<g::assert_stmt> : FinishStmtAction {};
template <>
struct Action<g::path_stmt> : FinishStmtAction {};
template <>
struct Action<g::key_stmt> : FinishStmtAction {};

// ---- declarations

template <DeclKind kKind>
struct DeclHead {
  template <typename Input>
  static void apply(const Input& in, State& st) {
    st.file.decls.push_back(Decl{kKind, st.Range(in)});
  }
};
template <>
struct Action<g::component_head> : DeclHead<DeclKind::Component> {};
template <>
struct Action<g::namespace_head> : DeclHead<DeclKind::Namespace> {};
template <>
struct Action<g::template_head> : DeclHead<DeclKind::Template> {};
template <>
struct Action<g::import_head> : DeclHead<DeclKind::Import> {};

struct DeclName {
  template <typename Input>
  static void apply(const Input& in, State& st) {
    st.file.decls.back().name = Ident{in.string_view(), st.Range(in)};
  }
};
template <>
struct Action<g::component_name> : DeclName {};
template <>
struct Action<g::template_name> : DeclName {};
template <>
struct Action<g::import_alias> : DeclName {};

template <>
struct Action<g::instance_args> : CloseRange {};

template <>
struct Action<g::instance_of> {
  template <typename Input>
  static void apply(const Input& in, State& st) {
    Decl& d = st.file.decls.back();
    d.instance_of = st.Pop();
    d.range.end = st.Offset(in.end());
  }
};

template <>
struct Action<g::param_name> {
  template <typename Input>
  static void apply(const Input& in, State& st) {
    st.file.decls.back().params.push_back(Param{Ident{in.string_view(), st.Range(in)}, {}, nullptr});
  }
};

template <>
struct Action<g::type_word> {
  template <typename Input>
  static void apply(const Input& in, State& st) {
    st.types.push_back(TypeRef{Ident{in.string_view(), st.Range(in)}, {}, st.Range(in)});
  }
};

template <>
struct Action<g::bound_low> {
  template <typename Input>
  static void apply(const Input&, State& st) {
    st.types.back().low = st.Pop();
  }
};

template <>
struct Action<g::bound_high> {
  template <typename Input>
  static void apply(const Input&, State& st) {
    st.types.back().high = st.Pop();
  }
};

template <>
struct Action<g::type_bounds> {
  template <typename Input>
  static void apply(const Input&, State& st) {
    st.types.back().bounded = true;
  }
};

template <>
struct Action<g::type_ref> {
  template <typename Input>
  static void apply(const Input& in, State& st) {
    st.types.back().range = st.Range(in);
    if (st.types.size() < 2) return;
    TypeRef inner = std::move(st.types.back());
    st.types.pop_back();
    st.types.back().args.push_back(std::move(inner));
  }
};

template <>
struct Action<g::param_type> {
  template <typename Input>
  static void apply(const Input& in, State& st) {
    st.types.back().range = st.Range(in);
    st.file.decls.back().params.back().type = std::move(st.types.back());
    st.types.pop_back();
  }
};

template <>
struct Action<g::param_default> {
  template <typename Input>
  static void apply(const Input&, State& st) {
    st.file.decls.back().params.back().default_value = st.Pop();
  }
};

template <>
struct Action<g::import_path> {
  template <typename Input>
  static void apply(const Input& in, State& st) {
    Expr* path = st.Pop();
    Decl& d = st.file.decls.back();
    d.text_range = path->range;
    d.range.end = st.Offset(in.end());
    if (const std::string* text = LiteralText(*path)) {
      d.text = *text;
    } else {
      throw SyntaxFailure{diag::Kind::SyntaxExpected, "an import path without `${...}`", path->range.begin, false};
    }
  }
};

template <>
struct Action<g::import_decl> {
  template <typename Input>
  static void apply(const Input& in, State& st) {
    st.file.decls.back().range.end = st.Offset(in.end());
  }
};

struct DeclBody {
  template <typename Input>
  static void apply(const Input& in, State& st) {
    Decl& d = st.file.decls.back();
    d.body = st.PopBlock();
    d.range.end = st.Offset(in.end());
  }
};
template <>
struct Action<g::component_body> : DeclBody {};
template <>
struct Action<g::template_body> : DeclBody {};
template <>
struct Action<g::namespace_body> : DeclBody {};

template <>
struct Action<g::namespace_name> {
  template <typename Input>
  static void apply(const Input& in, State& st) {
    Expr* name = st.Pop();
    Decl& d = st.file.decls.back();
    d.text_range = name->range;
    d.range.end = st.Offset(in.end());
    if (const std::string* text = LiteralText(*name)) {
      d.text = *text;
    } else {
      throw SyntaxFailure{diag::Kind::SyntaxExpected, "a namespace name without `${...}`", name->range.begin, false};
    }
  }
};

// ---- error reporting

bool IsIdentChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

// The token at `offset`, for underlining: a word, or one UTF-8 character.
SourceRange TokenAt(std::string_view text, uint32_t file, uint32_t offset) {
  uint32_t end = offset;
  if (end < text.size() && IsIdentChar(text[end])) {
    while (end < text.size() && IsIdentChar(text[end])) ++end;
  } else if (end < text.size()) {
    ++end;
    while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) ++end;
  }
  return {file, offset, end};
}

bool IsReservedWord(std::string_view word) {
  for (std::string_view w : {"and", "else", "false", "for", "if", "in", "let", "not", "or", "then", "true"}) {
    if (w == word) return true;
  }
  return false;
}

// Unquoted text that holds `:` or `/` (`image = mariadb:11.4`, `mount data
// at /var/lib/mysql`), or a flag with a value (`--port=3306`), stops the
// parse at that character. When the error is at one, and the run of text
// around it has only the characters of an image reference, a path or a flag,
// returns that run: the value to quote.
std::optional<SourceRange> BareTextAround(std::string_view text, uint32_t file, uint32_t at) {
  if (at >= text.size() || (text[at] != ':' && text[at] != '/' && text[at] != '=')) return std::nullopt;
  // A flag with a value (`--port=3306`) also holds `=`: only a run that
  // starts with `-` may, so that `a=b:c` is not taken for one value.
  bool flag = false;
  if (text[at] == '=') {
    uint32_t b = at;
    while (b > 0 && (IsIdentChar(text[b - 1]) || text[b - 1] == '.')) --b;
    if (b == at || text[b] != '-') return std::nullopt;
    flag = true;
  }
  auto in_run = [flag](char c) {
    return IsIdentChar(c) || c == '.' || c == '/' || c == ':' || c == '@' || c == '+' || (flag && c == '=');
  };
  uint32_t begin = at, end = at;
  while (begin > 0 && in_run(text[begin - 1])) --begin;
  while (end < text.size() && in_run(text[end])) ++end;
  // A run that starts after something other than a separator (`f(x):`) is
  // not a value on its own.
  if (begin > 0 && text[begin - 1] != ' ' && text[begin - 1] != '\t' && text[begin - 1] != '=' &&
      text[begin - 1] != '[' && text[begin - 1] != ',' && text[begin - 1] != '(') {
    return std::nullopt;
  }
  // It names something (an image, a path, a URL): it has a letter. A run that
  // ends in `:` is a key written as in a record (`labels { app: db }`).
  std::string_view run = text.substr(begin, end - begin);
  bool letter = std::any_of(run.begin(), run.end(), [](char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; });
  if (!letter || run.back() == ':') return std::nullopt;
  return SourceRange{file, begin, end};
}

void ReportFailure(const SyntaxFailure& f, const State& st, std::string_view text) {
  uint32_t file = st.file.file_id;
  SourceRange at = TokenAt(text, file, f.offset);
  switch (f.kind) {
    case diag::Kind::UnterminatedString:
    case diag::Kind::UnterminatedBlockString: {
      SourceRange open = st.exprs.empty() ? at : st.exprs.back()->range;
      open.end = open.begin + (f.kind == diag::Kind::UnterminatedString ? 1 : 3);
      diag::Diagnostic& d = st.diags.Report(f.kind, open);
      d.help = f.kind == diag::Kind::UnterminatedString
                   ? "close the string with `\"` on the same line; use `\"\"\"` for text over several lines"
                   : "close the text with `\"\"\"`";
      return;
    }
    case diag::Kind::UnterminatedInterpolation: {
      // Something other than the string's end where `}` belongs (`"${a b}"`)
      // is a syntax error inside a closed interpolation, not a missing `}`.
      char next = f.offset < text.size() ? text[f.offset] : '\0';
      if (next != '\0' && next != '"' && next != '\n' && next != '\r') {
        std::string_view word = text.substr(at.begin, at.end - at.begin);
        st.diags.Report(diag::Kind::SyntaxExpected, at, fmt::format("`}}` to close the interpolation, found `{}`", word))
            .help = "an interpolation holds one expression: `${a + b}`, `${join(list, \",\")}`";
        return;
      }
      SourceRange open{file, st.interps.empty() ? f.offset : st.interps.back(), 0};
      open.end = open.begin + 2;
      st.diags.Report(f.kind, open).help = "close it with `}`; write `$${` for a literal `${`";
      return;
    }
    case diag::Kind::InvalidEscape: {
      // From the backslash through the escape: one character, or `\u{...}` up to its `}`.
      uint32_t begin = f.offset > 0 ? f.offset - 1 : 0;
      uint32_t end = std::min<uint32_t>(f.offset + 1, uint32_t(text.size()));
      if (f.offset < text.size() && text[f.offset] == 'u') {
        size_t close = text.find_first_of("}\"\n", f.offset);
        if (close != std::string_view::npos && close - f.offset <= 12 && text[close] == '}') end = uint32_t(close + 1);
      }
      while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) ++end;
      std::string shown;
      for (char c : text.substr(begin, end - begin)) {
        if (c == '\t') shown += "\\t";
        else if (static_cast<unsigned char>(c) < 0x20) shown += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
        else shown += c;
      }
      diag::Diagnostic& d = st.diags.Report(f.kind, SourceRange{file, begin, end}, shown);
      d.help = "valid escapes are \\\" \\\\ \\n \\t \\r \\0 \\$ and \\u{XXXX} (a Unicode scalar value, not a surrogate)";
      return;
    }
    case diag::Kind::NestingTooDeep: {
      st.diags.Report(f.kind, at, kMaxNesting).help = "split the expression with `let`";
      return;
    }
    case diag::Kind::UnterminatedComment: {
      // The comment that never ends opens at the first `/*` after the last `*/`.
      size_t last_close = text.rfind("*/", f.offset);
      size_t open = text.find("/*", last_close == std::string_view::npos ? 0 : last_close + 2);
      uint32_t begin = open == std::string_view::npos || open > f.offset ? f.offset : uint32_t(open);
      st.diags.Report(f.kind, SourceRange{file, begin, std::min<uint32_t>(begin + 2, uint32_t(text.size()))}).help =
          "close the comment with `*/`";
      return;
    }
    default: break;
  }
  std::string_view word = text.substr(at.begin, at.end - at.begin);
  bool names_expected = f.expects_name || std::string_view(f.message) == ErrorFor<g::stmt_tail>::message;
  if (names_expected && IsReservedWord(word)) {
    st.diags.Report(diag::Kind::ReservedWord, at, word);
    return;
  }
  diag::Diagnostic& d = st.diags.Report(diag::Kind::SyntaxExpected, at, f.message);
  if (at.begin >= text.size()) d.message += ", found the end of the file";
  else d.message += fmt::format(", found `{}`", word);
  if (std::optional<SourceRange> bare = BareTextAround(text, file, at.begin)) {
    std::string quoted = fmt::format("\"{}\"", text.substr(bare->begin, bare->end - bare->begin));
    d.help = text[at.begin] == '='
                 ? fmt::format("a command-line flag is a string: quote it, as in `{}`", quoted)
                 : fmt::format("text with `{}` in it is a string: quote it, as in `{}`", text[at.begin], quoted);
    d.fixes.push_back({*bare, std::move(quoted)});
    return;  // the block is not what is wrong
  }
  if (std::string_view(f.message) == ErrorFor<g::block_close>::message && !st.blocks.empty()) {
    d.notes.push_back(diag::Note{st.blocks.back()->range, "the block opened here"});
  }
}

// Reports the first byte that breaks UTF-8; returns false when there is one.
bool CheckUtf8(std::string_view text, uint32_t file, diag::Diagnostics& diags) {
  for (size_t i = 0; i < text.size();) {
    // Source is nearly all ASCII: skip eight such bytes at a time.
    uint64_t word;
    if (text.size() - i >= 8 && (std::memcpy(&word, text.data() + i, 8), (word & 0x8080808080808080u) == 0)) {
      i += 8;
      continue;
    }
    size_t len = base::Utf8Length(text, i);
    if (len == 0) {
      diags.Report(diag::Kind::InvalidUtf8, SourceRange{file, uint32_t(i), uint32_t(i + 1)},
                   static_cast<unsigned char>(text[i]));
      return false;
    }
    i += len;
  }
  return true;
}

// Reports the first "\r" not followed by "\n": lines end with LF or CRLF.
// Read as whitespace, a lone CR would let a `//` comment run on to the end
// of the file and hide everything after it.
bool CheckLineEnds(std::string_view text, uint32_t file, diag::Diagnostics& diags) {
  size_t first = std::string_view::npos, count = 0;
  for (size_t i = text.find('\r'); i != std::string_view::npos; i = text.find('\r', i + 1)) {
    if (i + 1 < text.size() && text[i + 1] == '\n') continue;
    if (count++ == 0) first = i;
  }
  if (count == 0) return true;
  diag::Diagnostic& d = diags.Report(diag::Kind::LoneCarriageReturn, SourceRange{file, uint32_t(first),
                                                                                 uint32_t(first + 1)},
                                     count == 1 ? std::string() : fmt::format(" ({} in this file)", count));
  d.help = "save the file with LF (Unix) or CRLF (Windows) line ends";
  d.fixes.push_back({SourceRange{file, uint32_t(first), uint32_t(first + 1)}, "\n"});
  return false;
}

}  // namespace

using MemoryInput = pegtl::memory_input<pegtl::tracking_mode::lazy, pegtl::eol::lf_crlf>;

struct Parser::Input {
  Input(const char* data, size_t size, const std::string& path) : in(data, size, path) {}
  MemoryInput in;
  Stacks stacks;
};

Parser::Parser(const base::SourceManager& sources, uint32_t file_id, diag::Diagnostics& diags)
    : diags_(diags), file_id_(file_id) {
  const base::SourceFile& source = sources.file(file_id);
  text_ = source.text();
  in_ = std::make_unique<Input>(text_.data(), text_.size(), source.path());
  if (!CheckUtf8(text_, file_id, diags) || !CheckLineEnds(text_, file_id, diags)) {
    ok_ = false;
    done_ = true;
    return;
  }
  File scratch;
  State st(scratch, text_.data(), diags_, in_->stacks);
  try {
    pegtl::parse<g::file_start, Action, Control>(in_->in, st);
  } catch (const SyntaxFailure& f) {  // a comment that never ends
    ReportFailure(f, st, text_);
    ok_ = false;
    done_ = true;
  }
}

Parser::~Parser() = default;

void Parser::Recycle(std::unique_ptr<File> tree) {
  if (tree) tree->Clear();
  spare_ = std::move(tree);
}

std::unique_ptr<File> Parser::Next() {
  while (!done_) {
    std::unique_ptr<File> file = spare_ ? std::move(spare_) : std::make_unique<File>();
    file->file_id = file_id_;
    State st(*file, text_.data(), diags_, in_->stacks);
    try {
      pegtl::parse<g::next_item, Action, Control>(in_->in, st);
    } catch (const SyntaxFailure& f) {
      ReportFailure(f, st, text_);
      ok_ = false;
      done_ = true;
      return nullptr;
    }
    if (in_->in.empty()) done_ = true;
    if (!file->decls.empty()) {
      file->ok = true;
      return file;
    }
    Recycle(std::move(file));
  }
  return nullptr;
}

}  // namespace kstate::syntax
