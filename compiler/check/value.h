// Values produced by evaluating expressions. Records keep the range of every
// key so later checks can point at the exact field; calls of built-ins yield
// records tagged with what they build (a probe, an anti-affinity rule, ...).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <string_view>
#include <vector>

#include "compiler/base/quantity.h"
#include "compiler/base/source.h"

namespace kstate::check {

using base::SourceRange;

enum class ValueKind : uint8_t {
  Null,
  Bool,
  Int,
  Decimal,   // a fraction without a unit (0.25): only cpu accepts it
  Milli,     // 500m: millicores or minutes, decided where it is used
  Bytes,     // exact bytes
  Duration,  // exact milliseconds
  String,
  Symbol,    // a bare name that is not a `let`: an enum word or a port name
  List,
  Record,
  Range,     // a .. b (items[0], items[1])
};

struct Value {
  ValueKind kind = ValueKind::Null;
  bool boolean = false;
  uint8_t radix = 10;  // Int: 8 when written as an octal literal
  // Record or List built by a block statement (a section, `port`, `file`,
  // `mount`, a dotted path) rather than by a literal or a call: a template
  // instance's overrides merge into these instead of replacing them.
  bool section = false;
  SourceRange range;
  // Record: one bit per key (KeyBit), so that Get rejects most names a record
  // does not have without comparing them against every key. The component
  // reader asks a record for every field it knows (about 180 lookups for a
  // MariaDB component), most of them not written.
  uint64_t key_bits = 0;
  int64_t integer = 0;       // Int, Milli (thousandths), Bytes, Duration (ms)
  base::Decimal decimal;     // Decimal
  std::string text;          // String, Symbol; Record: the tag of a built-in's result
  std::vector<Value> items;  // List, Range
  std::vector<std::string> keys;           // Record: field names, parallel to items
  SourceRange key_range;                   // a record's field: where its key was written
  // Record: key -> position, built once a record is large so that building and
  // reading a record of n fields stays O(n). Shared between copies; a copy that
  // changes its keys stops using a shared index.
  mutable std::shared_ptr<std::unordered_map<std::string, uint32_t>> index;

  static Value Str(std::string s, SourceRange r);
  static Value Int(int64_t v, SourceRange r);
  static Value Record(std::string tag, SourceRange r);

  // Record access. Set replaces an existing field.
  const Value* Get(std::string_view key) const;
  Value* Get(std::string_view key);
  SourceRange KeyRange(std::string_view key) const;
  void Set(std::string key, SourceRange written_at, Value v);
  // Appends a field the caller has checked is not there yet (no search).
  void Add(std::string key, SourceRange written_at, Value v);
  // Room for `n` fields or items without moving the ones already there.
  void Reserve(size_t n);
  size_t size() const { return items.size(); }
};

// The items of a list, or `v` itself: for fields that take one value or a list.
inline std::span<const Value> OneOrMany(const Value& v) {
  return v.kind == ValueKind::List ? std::span<const Value>(v.items) : std::span<const Value>(&v, 1);
}

// "a string", "a byte size", ... for messages.
std::string_view KindName(ValueKind kind);
// What a value is, for "found ..." in messages: "the name `foo`", "the number 3".
std::string Describe(const Value& v);
// How much building or copying `v` costs: its number of values, plus its text
// in 8-byte units. The evaluator's budget is counted in these.
uint64_t Weight(const Value& v);
// How many whole numbers `from .. to` holds (0 when `to <= from`), without
// overflowing for any pair of 64-bit bounds.
inline uint64_t RangeSize(int64_t from, int64_t to) {
  return to > from ? static_cast<uint64_t>(to) - static_cast<uint64_t>(from) : 0;
}
// Applies a template instance's overrides to the template's record: sections
// merge field by field, named sections and ports, files and mounts merge by
// name (or are added), anything else set with `=` replaces.
void MergeOverrides(Value& base, Value changes);
// Structural equality, ignoring ranges.
bool SameValue(const Value& a, const Value& b);

}  // namespace kstate::check
