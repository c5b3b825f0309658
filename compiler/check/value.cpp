// Value construction, record access and descriptions for messages.
#include "compiler/check/value.h"

#include <fmt/format.h>

#include "compiler/base/text.h"

namespace kstate::check {

Value Value::Str(std::string s, SourceRange r) {
  Value v;
  v.kind = ValueKind::String;
  v.text = std::move(s);
  v.range = r;
  return v;
}

Value Value::Int(int64_t i, SourceRange r) {
  Value v;
  v.kind = ValueKind::Int;
  v.integer = i;
  v.range = r;
  return v;
}

Value Value::Record(std::string tag, SourceRange r) {
  Value v;
  v.kind = ValueKind::Record;
  v.text = std::move(tag);
  v.range = r;
  return v;
}

namespace {
// Records up to this size are searched linearly; larger ones get an index.
constexpr size_t kIndexFrom = 16;

// A key's bit in Value::key_bits: from its length and its first and last
// bytes, which set apart the names of a record's fields well enough.
uint64_t KeyBit(std::string_view key) {
  if (key.empty()) return 1;
  unsigned h = static_cast<unsigned>(key.size()) * 7u + static_cast<unsigned char>(key.front()) * 3u +
               static_cast<unsigned char>(key.back());
  return uint64_t{1} << (h & 63u);
}
}  // namespace

const Value* Value::Get(std::string_view key) const {
  if (!(key_bits & KeyBit(key))) return nullptr;
  if (keys.size() < kIndexFrom) {
    for (size_t i = 0; i < keys.size(); ++i) {
      if (base::SameName(keys[i], key)) return &items[i];
    }
    return nullptr;
  }
  if (!index || index->size() != keys.size()) {
    index = std::make_shared<std::unordered_map<std::string, uint32_t>>();
    for (size_t i = 0; i < keys.size(); ++i) index->emplace(keys[i], static_cast<uint32_t>(i));
  }
  auto it = index->find(std::string(key));
  return it == index->end() ? nullptr : &items[it->second];
}

Value* Value::Get(std::string_view key) {
  return const_cast<Value*>(static_cast<const Value*>(this)->Get(key));
}

SourceRange Value::KeyRange(std::string_view key) const {
  const Value* item = Get(key);
  return item ? item->key_range : range;
}

void Value::Set(std::string key, SourceRange written_at, Value v) {
  if (const Value* existing = Get(key)) {
    size_t i = static_cast<size_t>(existing - items.data());
    items[i] = std::move(v);
    items[i].key_range = written_at;
    return;
  }
  Add(std::move(key), written_at, std::move(v));
}

void Value::Add(std::string key, SourceRange written_at, Value v) {
  if (index && index.use_count() == 1 && index->size() == keys.size()) {
    index->emplace(key, static_cast<uint32_t>(keys.size()));
  } else {
    index.reset();
  }
  // Most records hold a handful of fields (a call's arguments, `self`, a
  // port): start with room for four rather than growing one by one.
  if (keys.capacity() == 0) Reserve(4);
  key_bits |= KeyBit(key);
  keys.push_back(std::move(key));
  v.key_range = written_at;
  items.push_back(std::move(v));
}

void Value::Reserve(size_t n) {
  keys.reserve(n);
  items.reserve(n);
}

std::string_view KindName(ValueKind kind) {
  switch (kind) {
    case ValueKind::Null: return "nothing";
    case ValueKind::Bool: return "a boolean";
    case ValueKind::Int: return "a whole number";
    case ValueKind::Decimal: return "a fraction";
    case ValueKind::Milli: return "a milli-quantity";
    case ValueKind::Bytes: return "a byte size";
    case ValueKind::Duration: return "a duration";
    case ValueKind::String: return "a string";
    case ValueKind::Symbol: return "a name";
    case ValueKind::List: return "a list";
    case ValueKind::Record: return "a record";
    case ValueKind::Range: return "a range";
  }
  return "a value";
}

std::string Describe(const Value& v) {
  switch (v.kind) {
    case ValueKind::Bool: return fmt::format("`{}`", v.boolean ? "true" : "false");
    case ValueKind::Int: return fmt::format("the number {}", v.integer);
    case ValueKind::Decimal: return "a fraction";
    case ValueKind::Milli: return fmt::format("`{}m`", v.integer);
    case ValueKind::Bytes: return fmt::format("the byte size `{}`", base::FormatBytes(v.integer));
    case ValueKind::Duration: return fmt::format("the duration `{}`", base::FormatDuration(v.integer));
    case ValueKind::String: return v.text.size() <= 40 ? fmt::format("the string \"{}\"", v.text) : "a string";
    case ValueKind::Symbol: return fmt::format("the name `{}`", v.text);
    case ValueKind::Record:
      return v.text.empty() ? std::string("a record") : fmt::format("a `{}` value", v.text);
    default: return std::string(KindName(v.kind));
  }
}

uint64_t Weight(const Value& v) {
  uint64_t w = 1 + v.text.size() / 8;
  for (const Value& item : v.items) w += Weight(item);
  return w;
}

namespace {

const Value* NameOf(const Value& v) {
  if (v.kind != ValueKind::Record) return nullptr;
  const Value* name = v.Get("name");
  return name && name->kind == ValueKind::String ? name : nullptr;
}

void MergeLists(Value& base, Value changes) {
  for (Value& item : changes.items) {
    const Value* name = NameOf(item);
    Value* match = nullptr;
    if (name) {
      for (Value& existing : base.items) {
        const Value* other = NameOf(existing);
        if (other && other->text == name->text) {
          match = &existing;
          break;
        }
      }
    }
    if (match) {
      MergeOverrides(*match, std::move(item));
    } else {
      base.items.push_back(std::move(item));
    }
  }
}

}  // namespace

void MergeOverrides(Value& base, Value changes) {
  for (size_t i = 0; i < changes.keys.size(); ++i) {
    Value& change = changes.items[i];
    Value* existing = base.Get(changes.keys[i]);
    if (existing && change.section && existing->kind == change.kind && change.kind == ValueKind::Record) {
      MergeOverrides(*existing, std::move(change));
    } else if (existing && change.section && existing->kind == change.kind && change.kind == ValueKind::List) {
      MergeLists(*existing, std::move(change));
    } else {
      SourceRange written_at = change.key_range;
      base.Set(std::move(changes.keys[i]), written_at, std::move(change));
    }
  }
}

bool SameValue(const Value& a, const Value& b) {
  if (a.kind != b.kind || a.boolean != b.boolean || a.integer != b.integer || a.text != b.text ||
      a.decimal.mantissa != b.decimal.mantissa || a.decimal.scale != b.decimal.scale || a.keys != b.keys ||
      a.items.size() != b.items.size()) {
    return false;
  }
  for (size_t i = 0; i < a.items.size(); ++i) {
    if (!SameValue(a.items[i], b.items[i])) return false;
  }
  return true;
}

}  // namespace kstate::check
