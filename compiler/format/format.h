// `kstatec fmt`: the one canonical layout of `.kstate` source, keeping every
// comment, never changing what the file means, and stable (formatting twice
// changes nothing).
//
// The layout rules:
//  - Two spaces a level. A statement block (the `{ }` of a component,
//    template, namespace, section or override block) written over several
//    lines has one statement a line: `;` becomes a line break. A block written
//    on one line stays on one line, its statements separated by `; `.
//  - A list, record or argument list (`[ ]`, `{ k: v }`, `( )`) stays on one
//    line when the source had no line break directly inside it; otherwise it
//    has one element a line, each followed by a comma, and the closing bracket
//    on a line of its own. Empty brackets are `{}`, `[]`, `()`.
//  - A line break inside a statement that no bracket explains (`a +` then `b`
//    on the next line) is kept, and the next line is indented one level more.
//  - In a block, neighbouring one-line statements of one kind (assignments
//    `a = v`, `let`, `port`, `file`) align their `=`, like gofmt aligns a
//    struct's fields; an empty line or a statement of another kind ends the
//    run, a statement over several lines ends it after its first line.
//  - One space around `=`, `==`, `!=`, `<`, `<=`, `>`, `>=`, `+`, `-`, `*`,
//    `/`, `%`, `..`, `and`, `or`; after `,` and `:` (and around the `:` of
//    `component x : base(...)`); inside one-line `{ }`. None inside `( )` and
//    `[ ]`, before `(` of a call or `[` of a type, around `.`, after unary `-`.
//  - At most one empty line between statements or elements, none after an
//    opening or before a closing bracket; no trailing white space; exactly one
//    line break at the end of the file (an empty file stays empty).
//  - A comment after code stays at the end of its line, one space after the
//    code (consecutive such comments are aligned); a comment on its own line
//    keeps its own line at the indentation of what surrounds it. Block
//    comments, strings, block strings and numbers are copied as written.
//  - CRLF line breaks become LF; a leading byte-order mark is kept.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "compiler/base/source.h"
#include "compiler/diag/diagnostic.h"

namespace kstate::format {

// Lays out `source` without checking its syntax (so it also handles syntax the
// parser does not know yet). Nullopt when it cannot: an unclosed string or
// comment, unmatched brackets, or a layout that would lose a token.
std::optional<std::string> FormatTokens(std::string_view source);

// True when file `file_id` parses without errors; otherwise they are in `diags`.
bool CheckSyntax(const base::SourceManager& sources, uint32_t file_id, diag::Diagnostics& diags);

enum class Status : uint8_t {
  Formatted,      // `text` is the formatted file
  SyntaxError,    // the diagnostics say why; nothing was formatted
  Unformattable,  // a formatter bug: the layout would not parse; nothing was formatted
};

struct Result {
  Status status = Status::Formatted;
  std::string text;
};

// Checks the syntax of file `file_id` (diagnostics go to `diags`), formats it,
// and checks that the result parses as well.
Result FormatFile(const base::SourceManager& sources, uint32_t file_id, diag::Diagnostics& diags);

// Formats `source`; returns it unchanged when it does not parse (or cannot be formatted).
std::string Format(std::string_view source);

}  // namespace kstate::format
