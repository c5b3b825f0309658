// The PEGTL grammar of `.kstate`: rules only. Actions live in parser.cpp and
// the message for every `must<>` rule in parse_errors.h.
//
// Newlines are ordinary white space; `;` may separate statements. Names may
// contain inner dashes (`init-mysql`), so subtraction needs spaces (`a - 1`).
#pragma once

#include <cstddef>
#include <string_view>

#include <tao/pegtl.hpp>

namespace kstate::syntax::grammar {

using namespace tao::pegtl;  // NOLINT(google-build-using-namespace): rule vocabulary

// ---- white space and comments
// The rest of a block comment after its `/*`, up to and with its `*/`. Only
// named for its error message (KS1004): `ws` matches comments itself.
struct block_comment_rest : until<string<'*', '/'>> {};
// Spaces, tabs, line breaks, line comments and block comments, as one tight
// loop: white space is tried between every two tokens (and again at every
// precedence level after an operand), so it is the grammar's most frequent
// rule. The same as
// star<sor<one<' ', '\t', '\r', '\n'>, seq<two<'/'>, until<eolf>>,
//          seq<string<'/', '*'>, must<block_comment_rest>>>>.
struct ws {
  using rule_t = ws;
  using subs_t = type_list<block_comment_rest>;
  template <apply_mode A, rewind_mode M, template <typename...> class Action, template <typename...> class Control,
            typename ParseInput, typename... States>
  static bool match(ParseInput& in, States&&... st) {
    const char* p = in.current();
    const char* end = in.end();
    while (p != end) {
      if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
        ++p;
      } else if (*p == '/' && end - p >= 2 && p[1] == '/') {
        while (p != end && *p != '\n') ++p;  // the line break, if any, is white space too
      } else if (*p == '/' && end - p >= 2 && p[1] == '*') {
        const char* close = p + 2;
        while (end - close >= 2 && !(close[0] == '*' && close[1] == '/')) ++close;
        if (end - close < 2) {  // unterminated: reported just after its `/*`
          in.bump(static_cast<std::size_t>(p + 2 - in.current()));
          Control<block_comment_rest>::raise(static_cast<const ParseInput&>(in), st...);
        }
        p = close + 2;
      } else {
        break;
      }
    }
    in.bump(static_cast<std::size_t>(p - in.current()));
    return true;
  }
};

// Whether the first character after white space is one of `Cs` (or a
// comment starts there), consuming nothing. After every operand each
// precedence level looks for its operator past the white space; this test
// spares the levels whose operators cannot follow a full `ws` match and a
// rewind. It only prunes what would fail anyway: `star<ahead<'*'>, ws, ...>`
// accepts exactly what `star<ws, ...>` does.
template <char... Cs>
struct ahead {
  using rule_t = ahead;
  using subs_t = empty_list;
  template <typename ParseInput>
  static bool match(ParseInput& in) {
    const char* p = in.current();
    const char* end = in.end();
    while (p != end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) ++p;
    if (p == end) return false;
    if (*p == '/' && end - p >= 2 && (p[1] == '/' || p[1] == '*')) return true;
    return ((*p == Cs) || ...);
  }
};

// ---- names and keywords
struct ident_other : ranges<'a', 'z', 'A', 'Z', '0', '9', '_'> {};
constexpr bool IsIdentOther(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}
// The length of the name at `p` (a letter or `_`, then letters, digits and
// `_`, with inner dashes each followed by one of those), or 0.
inline std::size_t IdentLength(const char* p, const char* end) {
  if (p == end || !IsIdentOther(*p) || (*p >= '0' && *p <= '9')) return 0;
  const char* q = p + 1;
  while (q != end && IsIdentOther(*q)) ++q;
  while (end - q >= 2 && q[0] == '-' && IsIdentOther(q[1])) {
    q += 2;
    while (q != end && IsIdentOther(*q)) ++q;
  }
  return static_cast<std::size_t>(q - p);
}

template <typename Word>
struct kw : seq<Word, not_at<ident_other>, not_at<one<'-'>, ident_other>> {};

struct kw_at : kw<TAO_PEGTL_STRING("at")> {};
struct kw_and : kw<TAO_PEGTL_STRING("and")> {};
struct kw_as : kw<TAO_PEGTL_STRING("as")> {};
struct kw_assert : kw<TAO_PEGTL_STRING("assert")> {};
struct kw_component : kw<TAO_PEGTL_STRING("component")> {};
struct kw_else : kw<TAO_PEGTL_STRING("else")> {};
struct kw_false : kw<TAO_PEGTL_STRING("false")> {};
struct kw_file : kw<TAO_PEGTL_STRING("file")> {};
struct kw_for : kw<TAO_PEGTL_STRING("for")> {};
struct kw_if : kw<TAO_PEGTL_STRING("if")> {};
struct kw_import : kw<TAO_PEGTL_STRING("import")> {};
struct kw_in : kw<TAO_PEGTL_STRING("in")> {};
struct kw_let : kw<TAO_PEGTL_STRING("let")> {};
struct kw_mount : kw<TAO_PEGTL_STRING("mount")> {};
struct kw_namespace : kw<TAO_PEGTL_STRING("namespace")> {};
struct kw_not : kw<TAO_PEGTL_STRING("not")> {};
struct kw_or : kw<TAO_PEGTL_STRING("or")> {};
struct kw_port : kw<TAO_PEGTL_STRING("port")> {};
struct kw_template : kw<TAO_PEGTL_STRING("template")> {};
struct kw_then : kw<TAO_PEGTL_STRING("then")> {};
struct kw_true : kw<TAO_PEGTL_STRING("true")> {};

// Words that can never be names. `component` and `namespace` start top-level
// declarations only, so they stay usable as names (`field(namespace)`, label keys).
constexpr bool IsReserved(std::string_view word) {
  switch (word.size()) {
    case 2: return word == "if" || word == "in" || word == "or";
    case 3: return word == "and" || word == "for" || word == "let" || word == "not";
    case 4: return word == "else" || word == "then" || word == "true";
    case 5: return word == "false";
    default: return false;
  }
}
// A name that is not a reserved word, matched in one pass: the whole word is
// read, then compared with the reserved words (a keyword followed by a name
// character or `-name` is a name, so a whole word is reserved exactly when
// it equals one of them). Names are the most frequent token.
struct ident {
  using rule_t = ident;
  using subs_t = empty_list;
  template <typename ParseInput>
  static bool match(ParseInput& in) {
    std::size_t n = IdentLength(in.current(), in.end());
    if (n == 0 || IsReserved(std::string_view(in.current(), n))) return false;
    in.bump(n);
    return true;
  }
};

// ---- literals
struct number_lit : seq<digit, star<sor<ident_other, seq<one<'.'>, digit>>>> {};

struct expr;
struct interp_open : string<'$', '{'> {};
struct interp_close : one<'}'> {};
struct interp : seq<interp_open, ws, must<expr>, ws, must<interp_close>> {};
struct dollar_escape : string<'$', '$', '{'> {};
struct escape_code : sor<one<'"', '\\', 'n', 't', 'r', '$', '0'>, seq<one<'u'>, one<'{'>, rep_min_max<1, 6, xdigit>, one<'}'>>> {};
struct escape : seq<one<'\\'>, must<escape_code>> {};
// A run of string text, as one loop: up to a `${` or `$${`, or the end of
// the string (`"`, `\\`, a line break; `"""` in a block string). The same as
// plus<not_at<sor<END, interp_open, dollar_escape>>, any>.
template <bool kBlock>
struct text_run {
  using rule_t = text_run;
  using subs_t = empty_list;
  template <typename ParseInput>
  static bool match(ParseInput& in) {
    const char* p = in.current();
    const char* end = in.end();
    for (; p != end; ++p) {
      char c = *p;
      if (kBlock ? c == '"' && end - p >= 3 && p[1] == '"' && p[2] == '"' : c == '"' || c == '\\' || c == '\n') break;
      if (c == '$' && ((end - p >= 2 && p[1] == '{') || (end - p >= 3 && p[1] == '$' && p[2] == '{'))) break;
    }
    if (p == in.current()) return false;
    in.bump(static_cast<std::size_t>(p - in.current()));
    return true;
  }
};
struct str_text : text_run<false> {};
struct str_open : one<'"'> {};
struct str_close : one<'"'> {};
struct string_lit : seq<str_open, star<sor<dollar_escape, interp, escape, str_text>>, must<str_close>> {};

struct bstr_quotes : string<'"', '"', '"'> {};
struct bstr_open : bstr_quotes {};
struct bstr_close : bstr_quotes {};
struct bstr_text : text_run<true> {};
struct bstring_lit : seq<bstr_open, star<sor<dollar_escape, interp, bstr_text>>, must<bstr_close>> {};

struct any_string : sor<bstring_lit, string_lit> {};

// ---- expressions
struct paren_close : one<')'> {};
struct paren : seq<one<'('>, ws, must<expr>, ws, must<paren_close>> {};

// `, ITEM` after the first item of a comma-separated list, as often as
// written, then an optional trailing comma.
template <typename Item>
struct more_items : seq<star<ws, one<','>, ws, Item>, opt<ws, one<','>>> {};

struct list_open : one<'['> {};
struct list_close : one<']'> {};
struct list_item : seq<expr> {};
struct list_items : opt<list_item, more_items<list_item>> {};
struct comp_var : ident {};
struct comp_in : kw_in {};
struct comp_source : seq<expr> {};
struct comp_filter : seq<kw_if, ws, must<expr>> {};
struct comp_colon : one<':'> {};
struct comp_body : seq<kw_for, ws, must<comp_var>, ws, must<comp_in>, ws, must<comp_source>, ws, opt<comp_filter, ws>,
                       must<comp_colon>, ws, must<expr>> {};
struct list_lit : seq<list_open, ws, sor<comp_body, list_items>, ws, must<list_close>> {};

struct record_open : one<'{'> {};
struct record_close : one<'}'> {};
struct record_key_ident : ident {};
struct record_key : sor<record_key_ident, string_lit> {};
struct record_colon : one<':'> {};
struct record_value : seq<expr> {};
struct record_entry : seq<record_key, ws, must<record_colon>, ws, must<record_value>> {};
struct record_lit : seq<record_open, ws, opt<record_entry, more_items<record_entry>>, ws,
                        must<record_close>> {};

struct name_ref : ident {};
struct if_then : kw_then {};
struct if_else : kw_else {};
struct if_expr : seq<kw_if, ws, must<expr>, ws, must<if_then>, ws, must<expr>, ws, must<if_else>, ws, must<expr>> {};

struct primary : sor<number_lit, any_string, kw_true, kw_false, if_expr, list_lit, record_lit, paren, name_ref> {};

struct block;
struct field_name : ident {};
struct field_access : seq<one<'.'>, not_at<one<'.'>>, must<field_name>> {};
struct call_open : one<'('> {};
struct call_close : one<')'> {};
struct arg_name_ahead : seq<ident, star<one<' ', '\t'>>, one<':'>> {};
struct named_arg : seq<ident, star<one<' ', '\t'>>, one<':'>, ws, must<expr>> {};
struct positional_arg : seq<expr> {};
struct arg : sor<seq<at<arg_name_ahead>, named_arg>, positional_arg> {};
struct call_args : seq<call_open, ws, opt<arg, more_items<arg>>, ws, must<call_close>> {};
struct override_block : seq<block> {};
struct postfix : sor<field_access, call_args, override_block> {};
struct postfix_expr : seq<primary, star<star<one<' ', '\t'>>, postfix>> {};

struct unary_expr;
struct neg_expr : seq<one<'-'>, ws, must<unary_expr>> {};
struct unary_expr : sor<neg_expr, postfix_expr> {};

struct operand : seq<unary_expr> {};
struct mul_tail : seq<one<'*'>, ws, must<operand>> {};
struct div_tail : seq<one<'/'>, not_at<one<'/', '*'>>, ws, must<operand>> {};
struct mod_tail : seq<one<'%'>, ws, must<operand>> {};
struct mul_expr : seq<unary_expr, star<ahead<'*', '/', '%'>, ws, sor<mul_tail, div_tail, mod_tail>>> {};

struct term : mul_expr {};
struct add_tail : seq<one<'+'>, ws, must<term>> {};
struct sub_tail : seq<one<'-'>, ws, must<term>> {};
struct add_expr : seq<mul_expr, star<ahead<'+', '-'>, ws, sor<add_tail, sub_tail>>> {};

struct range_end : add_expr {};
struct range_tail : seq<two<'.'>, ws, must<range_end>> {};
struct range_expr : seq<add_expr, opt<ahead<'.'>, ws, range_tail>> {};

struct comparand : range_expr {};
struct eq_tail : seq<two<'='>, ws, must<comparand>> {};
struct ne_tail : seq<string<'!', '='>, ws, must<comparand>> {};
struct le_tail : seq<string<'<', '='>, ws, must<comparand>> {};
struct ge_tail : seq<string<'>', '='>, ws, must<comparand>> {};
struct lt_tail : seq<one<'<'>, ws, must<comparand>> {};
struct gt_tail : seq<one<'>'>, ws, must<comparand>> {};
struct cmp_expr
    : seq<range_expr, opt<ahead<'=', '!', '<', '>'>, ws, sor<eq_tail, ne_tail, le_tail, ge_tail, lt_tail, gt_tail>>> {};

struct not_level;
struct not_expr : seq<kw_not, ws, must<not_level>> {};
struct not_level : sor<not_expr, cmp_expr> {};
struct conjunct : seq<not_level> {};
struct and_tail : seq<kw_and, ws, must<conjunct>> {};
struct and_expr : seq<not_level, star<ahead<'a'>, ws, and_tail>> {};
struct disjunct : and_expr {};
struct or_tail : seq<kw_or, ws, must<disjunct>> {};
struct expr : seq<and_expr, star<ahead<'o'>, ws, or_tail>> {};

// ---- statements
struct value : seq<expr> {};
struct stmt_name : ident {};
struct let_name : stmt_name {};
struct let_eq : one<'='> {};
struct let_head : kw_let {};
struct let_stmt : seq<let_head, ws, must<let_name>, ws, must<let_eq>, ws, must<value>> {};

struct port_name : stmt_name {};
struct port_eq : one<'='> {};
struct port_head : seq<kw_port, not_at<ws, one<'='>>> {};
struct port_stmt : seq<port_head, ws, must<port_name>, ws, must<port_eq>, ws, must<value>> {};

struct file_name : seq<any_string> {};
struct file_eq : one<'='> {};
struct file_head : seq<kw_file, not_at<ws, one<'='>>> {};
struct file_stmt : seq<file_head, ws, must<file_name>, ws, must<file_eq>, ws, must<value>> {};

struct mount_source_name : stmt_name {};
struct mount_source_file : seq<any_string> {};
struct mount_at : kw_at {};
struct mount_target : seq<expr> {};
struct mount_head : seq<kw_mount, not_at<ws, one<'='>>> {};
struct mount_stmt : seq<mount_head, ws, opt<sor<seq<not_at<kw_at>, mount_source_name>, mount_source_file>>, ws,
                        must<mount_at>, ws, must<mount_target>> {};

// `assert COND` or `assert COND, MESSAGE`; `assert = ...` and `assert.x = ...`
// stay assignments (to a field that does not exist, reported as such).
struct assert_cond : seq<expr> {};
struct assert_message : seq<expr> {};
struct assert_head : seq<kw_assert, not_at<ws, one<'='>>, not_at<one<'.'>>> {};
struct assert_stmt : seq<assert_head, ws, must<assert_cond>, opt<ws, one<','>, ws, must<assert_message>>> {};

struct path_part : ident {};
struct stmt_path : seq<path_part, star<one<'.'>, path_part>> {};
struct stmt_key : seq<string_lit> {};
struct section_name : stmt_name {};
struct section_tail : seq<opt<section_name, ws>, block> {};
struct assign_tail : seq<one<'='>, ws, must<value>> {};
struct stmt_tail : sor<assign_tail, section_tail> {};
struct path_stmt : seq<stmt_path, ws, must<stmt_tail>> {};
struct key_stmt : seq<stmt_key, ws, must<assign_tail>> {};

struct stmt : sor<one<';'>, let_stmt, port_stmt, file_stmt, mount_stmt, assert_stmt, path_stmt, key_stmt> {};
struct block_open : one<'{'> {};
struct block_close : one<'}'> {};
struct block : seq<block_open, ws, star<stmt, ws>, must<block_close>> {};

// ---- top level
struct component_name : ident {};
struct component_body : block {};
struct component_head : kw_component {};
// `component x : tmpl(args) { overrides }` and `component x : alias.tmpl(args)`.
struct instance_args : call_args {};
struct instance_callee : seq<name_ref, opt<field_access>> {};
struct instance_of : seq<instance_callee, star<one<' ', '\t'>>, must<instance_args>> {};
struct instance_colon : one<':'> {};
struct instance_tail : seq<instance_colon, ws, must<instance_of>, opt<ws, component_body>> {};
struct component_tail : sor<component_body, instance_tail> {};
struct component_decl : seq<component_head, ws, must<component_name>, ws, must<component_tail>> {};
struct namespace_name : seq<string_lit> {};
struct namespace_body : block {};
struct namespace_head : kw_namespace {};
struct namespace_decl : seq<namespace_head, ws, must<namespace_name>, ws, opt<namespace_body>> {};

// `template name(param: type = default, ...) { body }`; types are `int`,
// `list[string]`, `int(1..)`, ...
struct type_close : one<']'> {};
struct type_word : ident {};
struct type_ref;
struct type_arg : seq<one<'['>, ws, must<type_ref>, ws, must<type_close>> {};
// Bounds: `int(1..)`, `bytes(64Mi..memory)`, `string(1..63)` (a length).
struct bound_low : add_expr {};
struct bound_high : add_expr {};
struct bounds_dots : two<'.'> {};
struct bounds_close : one<')'> {};
struct type_bounds : seq<one<'('>, ws, opt<bound_low, ws>, must<bounds_dots>, ws, opt<bound_high, ws>,
                         must<bounds_close>> {};
struct type_ref : seq<type_word, opt<ws, type_arg>, opt<ws, type_bounds>> {};
struct param_name : ident {};
struct param_colon : one<':'> {};
struct param_type : type_ref {};
struct param_default : seq<expr> {};
struct param : seq<param_name, ws, must<param_colon>, ws, must<param_type>, opt<ws, one<'='>, ws, must<param_default>>> {};
struct params_open : one<'('> {};
struct params_close : one<')'> {};
struct template_params : seq<params_open, ws, opt<param, more_items<param>>, ws,
                             must<params_close>> {};
struct template_name : ident {};
struct template_body : block {};
struct template_head : kw_template {};
struct template_decl : seq<template_head, ws, must<template_name>, ws, must<template_params>, ws, must<template_body>> {};

// `import "./file.kstate"` or `import "std/db/mariadb" as mariadb`.
struct import_path : seq<string_lit> {};
struct import_alias : ident {};
struct import_head : kw_import {};
struct import_decl : seq<import_head, ws, must<import_path>, opt<ws, kw_as, ws, must<import_alias>>> {};

struct top_item : sor<import_decl, template_decl, namespace_decl, component_decl, let_stmt, assert_stmt, one<';'>> {};
struct top_end : eof {};
// A file is parsed one declaration at a time: its start, then items until the end.
struct file_start : seq<opt<utf8::bom>, ws> {};
struct next_item : seq<sor<top_item, must<top_end>>, ws> {};

}  // namespace kstate::syntax::grammar
