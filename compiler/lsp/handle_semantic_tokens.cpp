// textDocument/semanticTokens/full: keywords, literals and comments from the
// formatter's lexer; names classified by the syntax index (a field, a `let`,
// a parameter, a built-in, an enum word, a template, a component).
#include <algorithm>
#include <array>

#include "compiler/check/schema.h"
#include "compiler/format/lexer.h"
#include "compiler/lsp/handlers.h"

namespace kstate::lsp {

namespace {

enum TokenType : int {
  kKeyword, kType, kFunction, kVariable, kParameter, kProperty, kEnumMember, kNumber, kString, kComment,
  kOperator, kNamespace, kClass,
};
constexpr std::array<const char*, 13> kTypeNames = {"keyword",  "type",       "function", "variable", "parameter",
                                                   "property", "enumMember", "number",   "string",   "comment",
                                                   "operator", "namespace",  "class"};
enum Modifier : int { kDeclaration = 1, kReadonly = 2, kDefaultLibrary = 4 };
constexpr std::array<const char*, 3> kModifierNames = {"declaration", "readonly", "defaultLibrary"};

// Coloured as keywords: the language's keywords, `self` and `patch`.
bool IsKeyword(std::string_view word) {
  if (word == "self" || word == "patch") return true;
  const auto keywords = check::schema::Keywords();
  return std::any_of(keywords.begin(), keywords.end(), [&](const check::schema::Keyword& k) { return k.word == word; });
}

struct Classified {
  int type = -1;
  int modifiers = 0;
};

Classified FromDefinition(const Definition& d, bool declaration) {
  int decl = declaration ? kDeclaration : 0;
  switch (d.kind) {
    case DefKind::Component: return {kClass, decl};
    case DefKind::Template: return {kFunction, decl};
    case DefKind::Let: return {kVariable, decl | kReadonly};
    case DefKind::Param: return {kParameter, decl};
    case DefKind::Import: return {kNamespace, decl};
    case DefKind::Namespace: return {kString, 0};
    case DefKind::Section: return {kVariable, decl};
    case DefKind::Port: return {kProperty, decl};
    case DefKind::File: return {kString, 0};
  }
  return {};
}

Classified FromOccurrence(const Index& index, const Occurrence& o) {
  const std::vector<Definition>& defs = index.definitions();
  const Definition* target = o.target >= 0 ? &defs[static_cast<size_t>(o.target)] : nullptr;
  switch (o.kind) {
    case OccKind::Field: return {kProperty, 0};
    case OccKind::Builtin: return {kFunction, kDefaultLibrary};
    case OccKind::TemplateRef: return {kFunction, 0};
    case OccKind::ComponentRef: return {kClass, 0};
    case OccKind::AliasRef: return {kNamespace, 0};
    case OccKind::Argument: return {kParameter, 0};
    case OccKind::VolumeRef: return {kVariable, 0};
    case OccKind::DeclName: return target ? FromDefinition(*target, true) : Classified{};
    case OccKind::Name:
      if (target) return FromDefinition(*target, false);
      if (o.field && !o.field->words.empty()) return {kEnumMember, 0};
      return {kVariable, 0};
    default: return {};
  }
}

// Appends tokens in the relative encoding the protocol uses, one per line of
// a token that spans lines.
class Encoder {
 public:
  Encoder(const LineIndex& lines, std::string_view text) : lines_(lines), text_(text) {}
  void Add(uint32_t begin, uint32_t end, Classified c) {
    if (c.type < 0 || end <= begin) return;
    while (begin < end) {
      Position start = At(begin);
      uint32_t line_end = std::min(end, lines_.LineEnd(start.line));
      if (line_end > begin) {
        uint32_t length = Utf16Length(text_.substr(begin, line_end - begin));
        uint32_t delta_line = start.line - line_;
        uint32_t delta_char = delta_line == 0 ? start.character - char_ : start.character;
        data_.insert(data_.end(), {delta_line, delta_char, length, static_cast<uint32_t>(c.type),
                                   static_cast<uint32_t>(c.modifiers)});
        line_ = start.line;
        char_ = start.character;
      }
      if (start.line + 1 >= lines_.line_count()) break;
      begin = lines_.LineStart(start.line + 1);
    }
  }
  Json Take() { return Json{{"data", std::move(data_)}}; }

 private:
  // LineIndex::At counts UTF-16 units from the start of the line; tokens come
  // in order, so counting on from the previous token's start keeps a long
  // line linear instead of quadratic.
  Position At(uint32_t offset) {
    if (!(have_last_ && offset >= last_offset_ && offset <= lines_.LineEnd(last_.line))) {
      last_ = lines_.At(offset);
    } else {
      last_.character += Utf16Length(text_.substr(last_offset_, offset - last_offset_));
    }
    have_last_ = true;
    last_offset_ = offset;
    return last_;
  }

  const LineIndex& lines_;
  std::string_view text_;
  std::vector<uint32_t> data_;
  uint32_t line_ = 0, char_ = 0;
  bool have_last_ = false;
  uint32_t last_offset_ = 0;
  Position last_;
};

}  // namespace

Json SemanticTokensLegend() { return Json{{"tokenTypes", kTypeNames}, {"tokenModifiers", kModifierNames}}; }

Json HandleSemanticTokens(Server& server, const Json& params) {
  Document& doc = server.DocumentFor(params);
  std::string_view text = doc.text();
  Encoder out(doc.lines(), text);
  std::optional<std::vector<format::Token>> tokens = format::Lex(text);
  if (!tokens) return out.Take();  // an unclosed string or comment: nothing is certain
  // Names are classified from the current text's index, which covers the
  // declarations before a syntax error.
  const Index& index = doc.CurrentIndex();
  const std::vector<Occurrence>& occs = index.occurrences();
  // The type words of parameters (not their bounds, which are expressions).
  std::vector<base::SourceRange> type_ranges;
  for (const Definition& d : index.definitions()) {
    if (!d.param) continue;
    for (const syntax::TypeRef* t = &d.param->type;; t = &t->args.front()) {
      type_ranges.push_back(t->word.range);
      if (t->args.empty()) break;
    }
  }
  size_t next = 0;
  for (const format::Token& t : *tokens) {
    uint32_t begin = static_cast<uint32_t>(t.text.data() - text.data());
    uint32_t end = begin + static_cast<uint32_t>(t.text.size());
    Classified c;
    switch (t.kind) {
      case format::TokenKind::Number: c = {kNumber, 0}; break;
      case format::TokenKind::String:
      case format::TokenKind::BlockString: c = {kString, 0}; break;
      case format::TokenKind::LineComment:
      case format::TokenKind::BlockComment: c = {kComment, 0}; break;
      case format::TokenKind::Ident: {
        while (next < occs.size() && occs[next].range.begin < begin) ++next;
        const Occurrence* o = nullptr;
        for (size_t i = next; i < occs.size() && occs[i].range.begin == begin; ++i) {
          // A section without a name (`resources { }`) is both a field and a
          // definition; the field wins.
          if (occs[i].range.end == end && (!o || o->kind != OccKind::Field)) o = &occs[i];
        }
        bool in_type = std::any_of(type_ranges.begin(), type_ranges.end(),
                                   [&](base::SourceRange r) { return begin >= r.begin && end <= r.end; });
        bool type_word = std::ranges::find(syntax::kTypeWords, t.text) != std::end(syntax::kTypeWords);
        if (in_type && type_word) c = {kType, 0};
        else if (o) c = FromOccurrence(index, *o);
        else if (IsKeyword(t.text)) c = {kKeyword, 0};
        break;
      }
      default: break;
    }
    out.Add(begin, end, c);
  }
  return out.Take();
}

}  // namespace kstate::lsp
