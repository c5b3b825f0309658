// Hover texts from the schema and from unit arithmetic.
#include "compiler/lsp/hover_text.h"

#include <fmt/format.h>

#include "compiler/base/quantity.h"

namespace kstate::lsp {

namespace schema = check::schema;

std::string Grouped(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -(n + 1) + 1ull : static_cast<unsigned long long>(n));
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string FieldText(const schema::Field& f) {
  std::string out = fmt::format("**`{}`**: {}", f.name, f.type);
  if (!f.doc.empty()) out += fmt::format("\n\n{}", f.doc);
  if (!f.k8s.empty()) out += fmt::format("\n\nBecomes {}.", f.k8s);
  if (!f.words.empty()) {
    out += "\n\nValues:";
    for (const schema::EnumWord& w : f.words) {
      out += fmt::format("\n- `{}`", w.word);
      if (!w.k8s.empty() && w.k8s != w.word) out += fmt::format(" → `{}`", w.k8s);
      if (!w.doc.empty()) out += fmt::format(": {}", w.doc);
    }
  }
  return out;
}

namespace {

bool TypeMentions(const schema::Field* f, std::string_view word) {
  return f && f->type.find(word) != std::string_view::npos;
}

// 250 -> "0.25", 2000 -> "2".
std::string Cores(int64_t millis) {
  std::string out = base::FormatDecimal({millis, 3});
  if (out.find('.') != std::string::npos) {
    while (out.back() == '0') out.pop_back();
    if (out.back() == '.') out.pop_back();
  }
  return out;
}

std::string Seconds(int64_t millis) {
  if (millis % 1000 == 0) {
    int64_t s = millis / 1000;
    return fmt::format("{} second{}", Grouped(s), s == 1 ? "" : "s");
  }
  return fmt::format("{} milliseconds (Kubernetes counts whole seconds: this is KS2014 where seconds are needed)",
                     Grouped(millis));
}

}  // namespace

std::string NumberText(std::string_view literal, const schema::Field* field) {
  base::NumberLiteral n = base::ParseNumberLiteral(literal);
  if (!n.error.empty()) return fmt::format("`{}` is not a valid number: {}", literal, n.error);
  switch (n.cls) {
    case base::NumberClass::Bytes:
      return fmt::format("`{}` = {} byte{}", literal, Grouped(n.exact), n.exact == 1 ? "" : "s");
    case base::NumberClass::Duration: return fmt::format("`{}` = {}", literal, Seconds(n.exact));
    case base::NumberClass::Milli: {
      std::optional<int64_t> milli = base::ScaleExact(n.value, 1);
      std::optional<int64_t> minutes_ms = base::ScaleExact(n.value, 60000);
      std::string cpu = milli ? fmt::format("{} millicores = {} CPU", Grouped(*milli), Cores(*milli)) : "";
      std::string minutes = minutes_ms ? fmt::format("{} minutes = {}", base::FormatDecimal(n.value), Seconds(*minutes_ms)) : "";
      if (TypeMentions(field, "cpu")) return fmt::format("`{}` = {}", literal, cpu);
      if (TypeMentions(field, "duration")) return fmt::format("`{}` = {}", literal, minutes);
      return fmt::format("`{}` = {} (as a CPU amount), or {} (as a duration)", literal, cpu, minutes);
    }
    case base::NumberClass::Plain:
      if (n.radix != 10) {
        std::string_view base = n.radix == 8 ? "octal" : n.radix == 16 ? "hexadecimal" : "binary";
        return fmt::format("`{}` = {} ({})", literal, Grouped(n.value.mantissa), base);
      }
      if (TypeMentions(field, "cpu")) {
        if (std::optional<int64_t> m = base::ScaleExact(n.value, 1000)) {
          return fmt::format("`{}` = {} millicores = {} CPU", literal, Grouped(*m), Cores(*m));
        }
      }
      return "";
  }
  return "";
}

std::string NameText(std::string_view name, const schema::Field* field) {
  if (name == "self") {
    return "```kstate\nself\n```\n\nThe component being built: `self.name`, `self.namespace`, `self.service` (the "
           "headless Service) and `self.replicas` (the final count, after overrides). `peers(self)` lists its pods' "
           "stable DNS names.";
  }
  if (!field) return "";
  for (const schema::EnumWord& w : field->words) {
    if (w.word != name) continue;
    std::string out = fmt::format("`{}`: a value of `{}`", w.word, field->name);
    if (!w.k8s.empty() && w.k8s != w.word) out += fmt::format(", becomes `{}`", w.k8s);
    if (!w.doc.empty()) out += fmt::format(".\n\n{}", w.doc);
    return out;
  }
  return "";
}

std::string KeywordText(std::string_view word) {
  if (word.empty()) return "";
  for (const schema::Keyword& k : schema::Keywords()) {
    if (k.word == word) return fmt::format("```kstate\n{}\n```\n\n{}", k.word, k.doc);
  }
  return "";
}

}  // namespace kstate::lsp
