// The component model as data, for tools (hover, completion) and for the
// checker itself: the checker takes its key lists and enum words from here,
// so what tools describe and what the checker accepts cannot drift apart.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace kstate::check::schema {

// How a field is written.
enum class FieldKind : uint8_t {
  Value,         // `name = value`
  Section,       // `name { ... }` (or `name = { ... }`), e.g. resources, retention, disruption
  NamedSection,  // `name NAME { ... }`, e.g. storage data { }, config settings { }, container x { }
  Statement,     // statement forms: `port NAME = N`, `file "f" = TEXT`, `mount NAME at PATH`
};

// One word an enum field accepts.
struct EnumWord {
  std::string_view word;  // as written in .kstate: `parallel`
  std::string_view k8s;   // what it becomes: `Parallel` (may be empty)
  std::string_view doc;   // short, may be empty
};

struct Section;

// One field of a component, a section or a record.
struct Field {
  std::string_view name;
  FieldKind kind;
  std::string_view type;  // for people: "duration ≥ 0", "bytes, required", "`ordered` or `parallel`"
  std::string_view doc;   // one or two sentences
  std::string_view k8s;   // the Kubernetes field it becomes, e.g. "StatefulSet `spec.replicas`"; empty when none
  std::span<const EnumWord> words;  // enum values; empty when not an enum
  // The fields inside a section / named section / override block (`update =
  // rolling { partition = 1 }`, probe `{ period = 5s }`), or the keys of a
  // record value (`securityContext = { runAsUser: 1001 }`).
  const Section* section = nullptr;
};

// The fields one kind of block or record takes.
struct Section {
  std::string_view name;  // "component", "storage", "resources", "probe", ...
  std::span<const Field> fields;
  // A key the checker accepts that the statement's head sets, not the body:
  // `name` in a named section (its NAME), `value` in the options of `port`
  // and `mount` (the number or the path). Keys() lists it first.
  std::string_view head_key = {};
  // The keys are the user's own (environment variable names, patch paths):
  // `fields` is empty and any key is accepted.
  bool free_form = false;
};

// The fields of a component (and of a template body).
const Section& Component();
// namespace "x" { create = ...; labels = ... }
const Section& NamespaceOptions();
// The field `name` of `section`; null when it has none.
const Field* FindField(const Section& section, std::string_view name);
// The field a dotted path names from `root`, each step entering the previous
// field's section: `FindPath(Component(), "serviceAccount.rules.verbs")`.
const Field* FindPath(const Section& root, std::string_view path);
// Every key the checker accepts in `section`: its head key, then its field
// names in table order. Built once per section and kept by its address, so
// `section` must be one of the schema's own.
const std::vector<std::string_view>& Keys(const Section& section);

// For the checker, whose paths are fixed: Keys() of the section that the
// field at `path` opens ("" for the component itself), and the words of the
// field at `path`. Both abort when the path names no such thing.
const std::vector<std::string_view>& ComponentKeys(std::string_view path);
std::span<const EnumWord> ComponentWords(std::string_view path);

// A built-in function.
struct Builtin {
  std::string_view name, signature, doc;
};
// Every built-in function the checker knows, in its order.
std::span<const Builtin> Builtins();
// The built-in `name`; null when there is none.
const Builtin* FindBuiltin(std::string_view name);

// A unit suffix of number literals.
struct Unit {
  std::string_view suffix, kind, meaning;
  int64_t scale = 0;  // one of it in the kind's exact unit: bytes, millicores or milliseconds
};
// {"Gi","bytes","2^30 = 1,073,741,824 bytes"}, {"m","cpu","a thousandth of a core"}, {"s","duration","seconds"} ...
std::span<const Unit> Units();

// A keyword of the language.
struct Keyword {
  std::string_view word, doc;
  bool reserved = false;  // never a name (KS1009); otherwise a keyword only where it starts something
};
// The reserved words, and the words that start a declaration or a statement.
std::span<const Keyword> Keywords();

}  // namespace kstate::check::schema
