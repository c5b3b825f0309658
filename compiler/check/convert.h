// Reading evaluated values into typed fields: each reader checks the kind,
// range and spelling of one value and reports a diagnostic when it is wrong.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "compiler/check/eval.h"
#include "compiler/check/model.h"
#include "compiler/check/schema.h"
#include "compiler/check/value.h"

namespace kstate::check {

// One spelling accepted for an enum and the Kubernetes value it becomes
// (`k8s`); the schema's fields carry their words in this form.
using EnumWord = schema::EnumWord;

// Size limits of the API server: the keys and values of one object's
// annotations, and the values of one ConfigMap's data.
inline constexpr size_t kMaxAnnotationBytes = 256 * 1024;
inline constexpr size_t kMaxConfigMapBytes = 1024 * 1024;

// Adds to a type mismatch the help for a value quoted where a number was
// meant (`"20Gi"`: remove the quotes) or a number or boolean where text was
// meant (`16` for a string: add them), with the fix-it.
void AddQuotingHelp(diag::Diagnostic& d, const Value& v, bool text_expected);

class Reader {
 public:
  Reader(Evaluator& eval, const Scope& scope) : eval_(eval), scope_(scope) {}

  diag::Diagnostics& diags() { return eval_.diags(); }

  bool String(const Value& v, std::string_view what, std::string& out);
  bool Int(const Value& v, std::string_view what, int64_t& out, int64_t min, int64_t max);
  bool Bool(const Value& v, std::string_view what, bool& out);
  // A duration in whole seconds; a bare number gets a "write `30s`" fix.
  bool Seconds(const Value& v, std::string_view what, int64_t& out, int64_t min = 0);
  bool Bytes(const Value& v, std::string_view what, int64_t& out);
  bool Millicores(const Value& v, std::string_view what, int64_t& out);
  bool Enum(const Value& v, std::string_view what, std::span<const EnumWord> words, std::string& out);
  bool Enum(const Value& v, std::string_view what, std::initializer_list<EnumWord> words, std::string& out) {
    return Enum(v, what, std::span(words.begin(), words.size()), out);
  }
  bool StringList(const Value& v, std::string_view what, std::vector<std::string>& out);
  // A record of strings (labels, annotations, node selectors).
  bool StringMap(const Value& v, std::string_view what, StringPairs& out);
  bool Labels(const Value& v, std::string_view what, StringPairs& out);
  // Annotations: keys are qualified names (a prefix in any case), and one
  // map may hold at most 256 KiB of keys and values, the API server's limit.
  bool Annotations(const Value& v, std::string_view what, StringPairs& out);
  // A file mode, which must be written in octal (`0o644`) unless it is 0.
  bool FileMode(const Value& v, std::string_view what, int64_t& out);
  // An Int, or a percentage string such as "25%".
  bool IntOrPercent(const Value& v, std::string_view what, Value& out);
  // The port a probe or service refers to: a declared name or a number.
  bool PortRefOf(const Value& v, std::string_view what, PortRef& out);
  // Reports every key of `record` not in `known`, with a suggestion.
  // `known` is usually schema::Keys() of the record's section.
  void CheckKeys(const Value& record, std::string_view where, std::span<const std::string_view> known);
  void CheckKeys(const Value& record, std::string_view where, std::initializer_list<std::string_view> known) {
    CheckKeys(record, where, std::span(known.begin(), known.size()));
  }
  // Reports a value of the wrong kind (or an unknown name for a symbol).
  // Returns the type mismatch it reported; nullptr for a null value (already
  // reported) or a symbol.
  diag::Diagnostic* Mismatch(const Value& v, std::string_view what, std::string_view expected);
  // Mismatch where a string is expected: a number or a boolean written for
  // text gets the quoting help and fix-it (AddQuotingHelp).
  diag::Diagnostic* MismatchText(const Value& v, std::string_view what);

 private:
  diag::Diagnostic* ReportMismatch(const Value& v, std::string_view what, std::string_view expected,
                                   bool text_expected);

  Evaluator& eval_;
  const Scope& scope_;
};

}  // namespace kstate::check
