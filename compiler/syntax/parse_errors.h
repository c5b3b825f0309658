// The diagnostic for every rule that appears inside `must<>`. A must<> rule
// without an entry here fails to compile (see the primary template).
#pragma once

#include "compiler/diag/diagnostic.h"
#include "compiler/syntax/grammar.h"

namespace kstate::syntax {

template <typename Rule>
struct ErrorFor {
  static_assert(sizeof(Rule) == 0, "every must<> rule needs an ErrorFor entry in parse_errors.h");
};

#define KSTATE_PARSE_ERROR(rule, kind_, what)          \
  template <>                                          \
  struct ErrorFor<grammar::rule> {                     \
    static constexpr diag::Kind kind = diag::Kind::kind_; \
    static constexpr const char* message = what;       \
  };

KSTATE_PARSE_ERROR(block_comment_rest, UnterminatedComment, "")
KSTATE_PARSE_ERROR(str_close, UnterminatedString, "")
KSTATE_PARSE_ERROR(bstr_close, UnterminatedBlockString, "")
KSTATE_PARSE_ERROR(interp_close, UnterminatedInterpolation, "")
KSTATE_PARSE_ERROR(escape_code, InvalidEscape, "")

KSTATE_PARSE_ERROR(expr, SyntaxExpected, "an expression")
KSTATE_PARSE_ERROR(value, SyntaxExpected, "a value after `=`")
KSTATE_PARSE_ERROR(paren_close, SyntaxExpected, "`)` to close the parenthesis")
KSTATE_PARSE_ERROR(list_close, SyntaxExpected, "`,` or `]` in the list")
KSTATE_PARSE_ERROR(comp_var, SyntaxExpected, "a variable name after `for`, as in `[for i in 0 .. 3: i]`")
KSTATE_PARSE_ERROR(comp_in, SyntaxExpected, "`in` after the loop variable, as in `[for i in 0 .. 3: i]`")
KSTATE_PARSE_ERROR(comp_source, SyntaxExpected, "a list or range to loop over after `in`")
KSTATE_PARSE_ERROR(comp_colon, SyntaxExpected, "`:` before the element expression, as in `[for i in 0 .. 3: i]`")
KSTATE_PARSE_ERROR(record_colon, SyntaxExpected, "`:` after the record key (records are written `{ key: value }`)")
KSTATE_PARSE_ERROR(record_value, SyntaxExpected, "a value after `:`")
KSTATE_PARSE_ERROR(record_close, SyntaxExpected, "`,` or `}` in the record (entries are written `key: value`)")
KSTATE_PARSE_ERROR(if_then, SyntaxExpected, "`then` after the condition, as in `if c then a else b`")
KSTATE_PARSE_ERROR(if_else, SyntaxExpected, "`else` and a value; every `if` needs both branches")
KSTATE_PARSE_ERROR(field_name, SyntaxExpected, "a field name after `.`")
KSTATE_PARSE_ERROR(call_close, SyntaxExpected, "`,` or `)` in the argument list")
KSTATE_PARSE_ERROR(unary_expr, SyntaxExpected, "an expression after `-`")
KSTATE_PARSE_ERROR(operand, SyntaxExpected, "an expression after the operator")
KSTATE_PARSE_ERROR(term, SyntaxExpected, "an expression after the operator")
KSTATE_PARSE_ERROR(range_end, SyntaxExpected, "the upper end of the range after `..`")
KSTATE_PARSE_ERROR(comparand, SyntaxExpected, "an expression after the comparison")
KSTATE_PARSE_ERROR(not_level, SyntaxExpected, "an expression after `not`")
KSTATE_PARSE_ERROR(conjunct, SyntaxExpected, "an expression after `and`")
KSTATE_PARSE_ERROR(disjunct, SyntaxExpected, "an expression after `or`")
KSTATE_PARSE_ERROR(let_name, SyntaxExpected, "a name after `let`, as in `let probe = tcp(mysql)`")
KSTATE_PARSE_ERROR(let_eq, SyntaxExpected, "`=` after the name in `let`")
KSTATE_PARSE_ERROR(port_name, SyntaxExpected, "a port name after `port`, as in `port mysql = 3306`")
KSTATE_PARSE_ERROR(port_eq, SyntaxExpected, "`=` and a number after the port name, as in `port mysql = 3306`")
KSTATE_PARSE_ERROR(file_name, SyntaxExpected, "a quoted file name after `file`, as in `file \"my.cnf\" = \"...\"`")
KSTATE_PARSE_ERROR(file_eq, SyntaxExpected, "`=` and the file's content after the file name")
KSTATE_PARSE_ERROR(mount_at, SyntaxExpected, "`at` and a path, as in `mount data at \"/var/lib/data\"`")
KSTATE_PARSE_ERROR(mount_target, SyntaxExpected, "the mount path after `at`")
KSTATE_PARSE_ERROR(assert_cond, SyntaxExpected,
                   "a condition after `assert`, as in `assert replicas % 2 == 1, \"keep it odd\"`")
KSTATE_PARSE_ERROR(assert_message, SyntaxExpected,
                   "a message after `,`, as in `assert replicas >= 3, \"needs a quorum\"`")
KSTATE_PARSE_ERROR(stmt_tail, SyntaxExpected, "`=` to set a field, or `{` to open a section")
KSTATE_PARSE_ERROR(assign_tail, SyntaxExpected, "`=` after the quoted key")
KSTATE_PARSE_ERROR(block_close, SyntaxExpected, "a field, a section or `}`")
KSTATE_PARSE_ERROR(component_name, SyntaxExpected, "a component name after `component`")
KSTATE_PARSE_ERROR(component_tail, SyntaxExpected,
                   "`{` to open the component's body, or `:` and a template, as in `component db : mariadb(replicas: 3)`")
KSTATE_PARSE_ERROR(instance_of, SyntaxExpected, "a template and its arguments after `:`, as in `: mariadb(replicas: 3)`")
KSTATE_PARSE_ERROR(instance_args, SyntaxExpected, "`(` and the template's arguments; write `()` when there are none")
KSTATE_PARSE_ERROR(type_ref, SyntaxExpected, "a type, as in `string` or `list[string]`")
KSTATE_PARSE_ERROR(type_close, SyntaxExpected, "`]` to close the type")
KSTATE_PARSE_ERROR(bounds_dots, SyntaxExpected, "`..` between the bounds, as in `int(1..)` or `bytes(64Mi .. 8Gi)`")
KSTATE_PARSE_ERROR(bounds_close, SyntaxExpected, "`)` to close the bounds, as in `int(1..)`")
KSTATE_PARSE_ERROR(param_colon, SyntaxExpected, "`:` and a type after the parameter name, as in `replicas: int = 3`")
KSTATE_PARSE_ERROR(param_type, SyntaxExpected, "a type, as in `string` or `list[string]`")
KSTATE_PARSE_ERROR(param_default, SyntaxExpected, "a default value after `=`")
KSTATE_PARSE_ERROR(params_close, SyntaxExpected, "`,` or `)` in the parameter list")
KSTATE_PARSE_ERROR(template_name, SyntaxExpected, "a template name after `template`")
KSTATE_PARSE_ERROR(template_params, SyntaxExpected,
                   "`(` and the template's parameters, as in `template cache(memory: bytes = 1Gi)`")
KSTATE_PARSE_ERROR(template_body, SyntaxExpected, "`{` to open the template's body")
KSTATE_PARSE_ERROR(import_path, SyntaxExpected, "a quoted path after `import`, as in `import \"std/db/mariadb\" as mariadb`")
KSTATE_PARSE_ERROR(import_alias, SyntaxExpected, "a name after `as`")
KSTATE_PARSE_ERROR(namespace_name, SyntaxExpected, "a quoted namespace name after `namespace`, as in `namespace \"demo\"`")
KSTATE_PARSE_ERROR(top_end, SyntaxExpected, "`component`, `template`, `import`, `namespace`, `let` or `assert` at the top level")

#undef KSTATE_PARSE_ERROR

}  // namespace kstate::syntax
