// Typed readers for evaluated values.
#include "compiler/check/convert.h"

#include <fmt/format.h>

#include <cctype>

#include "compiler/base/text.h"

namespace kstate::check {

using K = diag::Kind;

diag::Diagnostic* Reader::Mismatch(const Value& v, std::string_view what, std::string_view expected) {
  return ReportMismatch(v, what, expected, false);
}

diag::Diagnostic* Reader::MismatchText(const Value& v, std::string_view what) {
  return ReportMismatch(v, what, "a string", true);
}

diag::Diagnostic* Reader::ReportMismatch(const Value& v, std::string_view what, std::string_view expected,
                                         bool text_expected) {
  if (v.kind == ValueKind::Null) return nullptr;  // already reported where it was computed
  if (v.kind == ValueKind::Symbol && expected.find("name") == std::string_view::npos) {
    eval_.ReportUnknownName(v, scope_);
    return nullptr;
  }
  diag::Diagnostic& d = diags().Report(K::TypeMismatch, v.range, what, expected, Describe(v));
  AddQuotingHelp(d, v, text_expected);
  return &d;
}

void AddQuotingHelp(diag::Diagnostic& d, const Value& v, bool text_expected) {
  // "30s" or "8Gi" in quotes: the quantity without them is what was meant.
  if (!text_expected && v.kind == ValueKind::String && !v.text.empty() &&
      std::isdigit(static_cast<unsigned char>(v.text[0])) && base::ParseNumberLiteral(v.text).error.empty() &&
      v.text.find_first_of(" \t") == std::string::npos) {
    d.help = fmt::format("remove the quotes: `{}`", v.text);
    d.fixes.push_back({v.range, v.text});
  }
  // A version `16` or `3.1`, or a label value `true`, where text is
  // expected: its text, quoted.
  if (text_expected && (v.kind == ValueKind::Int || v.kind == ValueKind::Decimal || v.kind == ValueKind::Bool)) {
    std::string quoted = fmt::format("\"{}\"", v.kind == ValueKind::Int       ? base::IntText(v.integer)
                                                 : v.kind == ValueKind::Decimal ? base::FormatDecimal(v.decimal)
                                                 : v.boolean                    ? "true"
                                                                                : "false");
    d.help = fmt::format("quote it: `{}`", quoted);
    d.fixes.push_back({v.range, std::move(quoted)});
  }
}

bool Reader::String(const Value& v, std::string_view what, std::string& out) {
  if (v.kind != ValueKind::String) {
    MismatchText(v, what);
    return false;
  }
  out = v.text;
  return true;
}

bool Reader::Int(const Value& v, std::string_view what, int64_t& out, int64_t min, int64_t max) {
  if (v.kind != ValueKind::Int) {
    Mismatch(v, what, "a whole number");
    return false;
  }
  if (v.integer < min || v.integer > max) {
    std::string allowed = max == INT64_MAX ? fmt::format("{} or more", min) : fmt::format("{}..{}", min, max);
    diags().Report(K::OutOfRange, v.range, what, v.integer, allowed);
    return false;
  }
  out = v.integer;
  return true;
}

bool Reader::Bool(const Value& v, std::string_view what, bool& out) {
  if (v.kind != ValueKind::Bool) {
    Mismatch(v, what, "`true` or `false`");
    return false;
  }
  out = v.boolean;
  return true;
}

bool Reader::Seconds(const Value& v, std::string_view what, int64_t& out, int64_t min) {
  int64_t ms = 0;
  if (v.kind == ValueKind::Duration) {
    ms = v.integer;
  } else if (v.kind == ValueKind::Milli) {
    ms = v.integer * 60000;  // `2m` in a duration is two minutes
  } else if (v.kind == ValueKind::Int) {
    diag::Diagnostic& d = diags().Report(K::TypeMismatch, v.range, what, "a duration", Describe(v));
    d.help = fmt::format("write the unit: `{}s`", v.integer);
    d.fixes.push_back({v.range, fmt::format("{}s", v.integer)});
    return false;
  } else {
    Mismatch(v, what, "a duration such as `30s`");
    return false;
  }
  if (ms % 1000 != 0) {
    diag::Diagnostic& d = diags().Report(K::FractionalSeconds, v.range, what, base::FormatDuration(ms));
    d.help = "Kubernetes counts this field in whole seconds";
    return false;
  }
  if (ms / 1000 < min || ms / 1000 > INT32_MAX) {
    diags().Report(K::OutOfRange, v.range, what, base::FormatDuration(ms),
                   fmt::format("{}s or more", min));
    return false;
  }
  out = ms / 1000;
  return true;
}

bool Reader::Bytes(const Value& v, std::string_view what, int64_t& out) {
  if (v.kind == ValueKind::Bytes) {
    if (v.integer <= 0) {
      diags().Report(K::OutOfRange, v.range, what, base::FormatBytes(v.integer), "above 0");
      return false;
    }
    out = v.integer;
    return true;
  }
  if (v.kind == ValueKind::Int || v.kind == ValueKind::Milli) {
    diag::Diagnostic& d = diags().Report(K::TypeMismatch, v.range, what, "a byte size", Describe(v));
    d.help = v.kind == ValueKind::Int
                 ? fmt::format("write the unit, for example `{}{}`", v.integer, v.integer >= 64 ? "Mi" : "Gi")
                 : "`m` means milli; for megabytes write `Mi` (or `M`)";
    return false;
  }
  Mismatch(v, what, "a byte size such as `8Gi`");
  return false;
}

bool Reader::Millicores(const Value& v, std::string_view what, int64_t& out) {
  std::optional<int64_t> millis;
  if (v.kind == ValueKind::Milli) millis = v.integer;
  else if (v.kind == ValueKind::Int) millis = base::ScaleExact({v.integer, 0}, 1000);
  else if (v.kind == ValueKind::Decimal) millis = base::ScaleExact(v.decimal, 1000);
  else {
    Mismatch(v, what, "a cpu amount such as `500m` or `2`");
    return false;
  }
  if (!millis) {
    base::Decimal d = v.kind == ValueKind::Decimal ? v.decimal : base::Decimal{v.integer, 0};
    std::string shown = v.kind == ValueKind::Decimal ? base::FormatDecimal(v.decimal) : fmt::format("{}", v.integer);
    if (!base::ScaleFits(d, 1000)) {
      diags().Report(K::ArithmeticError, v.range, fmt::format("{} cores do not fit in 64 bits of millicores", shown));
      return false;
    }
    diags().Report(K::InexactQuantity, v.range, shown, "millicores").help = "the smallest cpu amount is `1m`";
    return false;
  }
  if (*millis < 0) {
    diags().Report(K::OutOfRange, v.range, what, base::FormatMillicores(*millis), "0 or more");
    return false;
  }
  out = *millis;
  return true;
}

bool Reader::Enum(const Value& v, std::string_view what, std::span<const EnumWord> words, std::string& out) {
  if (v.kind != ValueKind::Symbol && v.kind != ValueKind::String) {
    Mismatch(v, what, "one of its names");
    return false;
  }
  for (const EnumWord& w : words) {
    if (w.word == v.text) {
      out = std::string(w.k8s);
      return true;
    }
  }
  std::vector<std::string_view> candidates;
  std::string list;
  for (const EnumWord& w : words) {
    candidates.push_back(w.word);
    list += fmt::format("{}`{}`", list.empty() ? "" : ", ", w.word);
  }
  diag::Diagnostic& d = diags().Report(K::UnknownEnumValue, v.range, v.text, what, list);
  diag::SuggestClosest(d, v.text, candidates);
  return false;
}

bool Reader::StringList(const Value& v, std::string_view what, std::vector<std::string>& out) {
  if (v.kind != ValueKind::List) {
    Mismatch(v, what, "a list of strings");
    return false;
  }
  out.clear();
  out.reserve(v.items.size());
  bool ok = true;
  for (const Value& item : v.items) {
    if (item.kind == ValueKind::String) {
      out.push_back(item.text);
    } else {
      MismatchText(item, fmt::format("each element of {}", what));
      ok = false;
    }
  }
  return ok;
}

bool Reader::StringMap(const Value& v, std::string_view what, StringPairs& out) {
  // `{ k: "v" }`, or the section form `labels { k = "v" }` (tagged with its name).
  bool section = v.kind == ValueKind::Record && !v.text.empty() && what.find(v.text) != std::string_view::npos;
  if (v.kind != ValueKind::Record || (!v.text.empty() && !section)) {
    Mismatch(v, what, "a record such as `{ key: \"value\" }`");
    return false;
  }
  bool ok = true;
  out.reserve(out.size() + v.keys.size());
  for (size_t i = 0; i < v.keys.size(); ++i) {
    const Value& item = v.items[i];
    if (item.kind == ValueKind::String) {
      out.emplace_back(v.keys[i], item.text);
      continue;
    }
    // A number or boolean gets the quoted text as help and fix-it.
    MismatchText(item, fmt::format("the value of `{}`", v.keys[i]));
    ok = false;
  }
  return ok;
}

bool Reader::Labels(const Value& v, std::string_view what, StringPairs& out) {
  size_t first = out.size();
  bool ok = StringMap(v, what, out);
  for (size_t i = first; i < out.size(); ++i) {
    std::string why = base::CheckLabelKey(out[i].first);
    if (!why.empty()) {
      diags().Report(K::InvalidLabel, v.KeyRange(out[i].first), "label key", out[i].first, why);
      ok = false;
    }
    why = base::CheckLabelValue(out[i].second);
    if (!why.empty()) {
      const Value* item = v.Get(out[i].first);
      diags().Report(K::InvalidLabel, item ? item->range : v.range, "label value", out[i].second, why);
      ok = false;
    }
  }
  return ok;
}

bool Reader::Annotations(const Value& v, std::string_view what, StringPairs& out) {
  size_t first = out.size();
  bool ok = StringMap(v, what, out);
  size_t total = 0;
  for (size_t i = first; i < out.size(); ++i) {
    // The API server checks annotation keys in lower case.
    std::string why = base::CheckLabelKey(base::AsciiLower(out[i].first));
    if (!why.empty()) {
      diags().Report(K::InvalidLabel, v.KeyRange(out[i].first), "annotation key", out[i].first, why);
      ok = false;
    }
    total += out[i].first.size() + out[i].second.size();
  }
  if (total > kMaxAnnotationBytes) {
    diags().Report(K::ObjectTooLarge, v.range, what, total, "256 KiB", kMaxAnnotationBytes).help =
        "keep large values in a config (a ConfigMap) and mount or reference it instead";
    ok = false;
  }
  return ok;
}

bool Reader::FileMode(const Value& v, std::string_view what, int64_t& out) {
  if (v.kind == ValueKind::Int && v.radix != 8 && v.integer != 0) {
    // `mode = 400` would be 0o620: permissions are only ever meant in octal.
    diag::Diagnostic& d = diags().Report(K::TypeMismatch, v.range, what, "an octal number such as `0o644`", Describe(v));
    d.help = v.integer >= 0 && v.integer <= 0777
                 ? fmt::format("write `0o{}`; the decimal value {} would be `0o{:o}`", v.integer, v.integer, v.integer)
                 : fmt::format("write `0o{}`", v.integer);
    d.fixes.push_back({v.range, fmt::format("0o{}", v.integer)});
    return false;
  }
  return Int(v, what, out, 0, 0777);
}

bool Reader::IntOrPercent(const Value& v, std::string_view what, Value& out) {
  if (v.kind == ValueKind::Int) {
    if (v.integer < 0) {
      diags().Report(K::OutOfRange, v.range, what, v.integer, "0 or more");
      return false;
    }
    out = v;
    return true;
  }
  if (v.kind == ValueKind::String) {
    std::string_view t = v.text;
    bool ok = t.size() >= 2 && t.back() == '%';
    for (size_t i = 0; ok && i + 1 < t.size(); ++i) ok = t[i] >= '0' && t[i] <= '9';
    if (ok && std::stoll(std::string(t.substr(0, std::min<size_t>(t.size() - 1, 6)))) <= 100) {
      out = v;
      return true;
    }
    diags().Report(K::OutOfRange, v.range, what, fmt::format("\"{}\"", v.text), "0%..100% or a whole number");
    return false;
  }
  Mismatch(v, what, "a whole number or a percentage such as \"25%\"");
  return false;
}

bool Reader::PortRefOf(const Value& v, std::string_view what, PortRef& out) {
  out.range = v.range;
  if (v.kind == ValueKind::Symbol || v.kind == ValueKind::String) {
    out.name = v.text;
    return true;
  }
  if (v.kind == ValueKind::Int) {
    if (v.integer < 1 || v.integer > 65535) {
      diags().Report(K::OutOfRange, v.range, what, v.integer, "1..65535");
      return false;
    }
    out.number = v.integer;
    return true;
  }
  Mismatch(v, what, "a port name or number");
  return false;
}

void Reader::CheckKeys(const Value& record, std::string_view where, std::span<const std::string_view> known) {
  for (size_t i = 0; i < record.keys.size(); ++i) {
    bool ok = false;
    for (std::string_view k : known) {
      if (base::SameName(k, record.keys[i])) {
        ok = true;
        break;
      }
    }
    if (ok) continue;
    // A section written with a typo (`stroage data { }`) is reported as a section.
    const Value& item = record.items[i];
    bool section = (item.kind == ValueKind::Record && item.text == record.keys[i]) ||
                   (item.kind == ValueKind::List && !item.items.empty() && item.items[0].kind == ValueKind::Record &&
                    item.items[0].text == record.keys[i]);
    diag::Diagnostic& d = diags().Report(section ? K::UnknownSection : K::UnknownField, record.items[i].key_range,
                                         record.keys[i], where);
    diag::SuggestClosest(d, record.keys[i], std::vector<std::string_view>(known.begin(), known.end()));
  }
}

}  // namespace kstate::check
