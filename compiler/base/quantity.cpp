// Exact unit arithmetic and canonical Kubernetes quantity spelling.
#include "compiler/base/quantity.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <utility>

#include <fmt/format.h>

#include "compiler/base/text.h"

namespace kstate::base {

std::optional<Decimal> ParseDecimal(std::string_view digits) {
  Decimal d;
  bool fraction = false;
  for (char c : digits) {
    if (c == '_') continue;
    if (c == '.') {
      fraction = true;
      continue;
    }
    if (c < '0' || c > '9') return std::nullopt;
    if (__builtin_mul_overflow(d.mantissa, 10, &d.mantissa) ||
        __builtin_add_overflow(d.mantissa, c - '0', &d.mantissa)) {
      return std::nullopt;
    }
    if (fraction) ++d.scale;
    if (d.scale > 18) return std::nullopt;
  }
  return d;
}

std::string_view DecimalError(std::string_view digits) {
  size_t dot = digits.find('.');
  size_t fraction = 0;
  if (dot != std::string_view::npos) {
    for (char c : digits.substr(dot + 1)) fraction += c != '_';
  }
  return fraction > 18 ? "it has more than 18 digits after the decimal point" : "the number is too large";
}

// 128-bit intermediates keep `1.5Ei` and friends exact; __extension__ keeps -Wpedantic quiet.
__extension__ using Int128 = __int128;

bool ScaleFits(Decimal value, int64_t multiplier, int64_t divisor) {
  Int128 n = static_cast<Int128>(value.mantissa) * multiplier;
  Int128 d = divisor;
  for (int i = 0; i < value.scale; ++i) d *= 10;
  if (d == 0) return false;
  Int128 r = n / d;
  return r <= INT64_MAX && r >= INT64_MIN;
}

std::optional<int64_t> ScaleExact(Decimal value, int64_t multiplier, int64_t divisor) {
  Int128 n = static_cast<Int128>(value.mantissa) * multiplier;
  Int128 d = divisor;
  for (int i = 0; i < value.scale; ++i) d *= 10;
  if (d == 0 || n % d != 0) return std::nullopt;
  Int128 r = n / d;
  if (r > INT64_MAX || r < INT64_MIN) return std::nullopt;
  return static_cast<int64_t>(r);
}

int64_t ByteSuffixMultiplier(std::string_view s) {
  static constexpr std::array<std::pair<std::string_view, int64_t>, 12> kSuffixes = {{
      {"Ki", int64_t{1} << 10}, {"Mi", int64_t{1} << 20}, {"Gi", int64_t{1} << 30},
      {"Ti", int64_t{1} << 40}, {"Pi", int64_t{1} << 50}, {"Ei", int64_t{1} << 60},
      {"k", 1000}, {"M", 1000000}, {"G", 1000000000}, {"T", 1000000000000},
      {"P", 1000000000000000}, {"E", 1000000000000000000},
  }};
  for (auto& [name, mult] : kSuffixes) {
    if (name == s) return mult;
  }
  return 0;
}

std::string FormatBytes(int64_t bytes) {
  if (bytes == 0) return "0";
  // The shortest exact spelling; binary suffixes win ties (8Gi, not 8589934592).
  static constexpr std::array<std::string_view, 6> kBinary = {"Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
  static constexpr std::array<std::string_view, 6> kDecimal = {"k", "M", "G", "T", "P", "E"};
  // Every byte size of a component is spelled this way, so the candidates are
  // written into buffers on the stack rather than formatted into strings.
  char best[32], candidate[32];
  size_t best_size = static_cast<size_t>(std::to_chars(best, best + 24, bytes).ptr - best);
  auto consider = [&](int64_t unit, std::string_view suffix) {
    if (bytes % unit != 0) return;
    char* end = std::to_chars(candidate, candidate + 24, bytes / unit).ptr;
    end = std::copy(suffix.begin(), suffix.end(), end);
    size_t size = static_cast<size_t>(end - candidate);
    if (size < best_size || (size == best_size && suffix.back() == 'i')) {
      std::copy(candidate, end, best);
      best_size = size;
    }
  };
  int64_t decimal = 1;
  for (int i = 0; i < 6; ++i) {
    decimal *= 1000;
    consider(decimal, kDecimal[i]);
  }
  for (int i = 0; i < 6; ++i) consider(int64_t{1} << (10 * (i + 1)), kBinary[i]);
  return std::string(best, best_size);
}

std::string FormatMillicores(int64_t millis) {
  if (millis % 1000 == 0) return IntText(millis / 1000);
  std::string out = IntText(millis);
  out += 'm';
  return out;
}

std::string FormatDuration(int64_t millis) {
  if (millis == 0) return "0s";
  std::string out;
  if (millis < 0) {
    out = "-";
    millis = -millis;
  }
  int64_t h = millis / 3600000, m = millis / 60000 % 60, s = millis / 1000 % 60, ms = millis % 1000;
  if (h) out += fmt::format("{}h", h);
  if (m) out += fmt::format("{}m", m);
  if (s) out += fmt::format("{}s", s);
  if (ms) out += fmt::format("{}ms", ms);
  return out;
}

std::string FormatDecimal(Decimal d) {
  uint64_t magnitude = d.mantissa < 0 ? static_cast<uint64_t>(-(d.mantissa + 1)) + 1 : static_cast<uint64_t>(d.mantissa);
  std::string digits = fmt::format("{}", magnitude);
  if (d.scale > 0) {
    if (digits.size() <= static_cast<size_t>(d.scale)) digits.insert(0, static_cast<size_t>(d.scale) - digits.size() + 1, '0');
    digits.insert(digits.size() - static_cast<size_t>(d.scale), ".");
  }
  return d.mantissa < 0 ? "-" + digits : digits;
}

}  // namespace kstate::base

namespace kstate::base {

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Splits "12.5Gi" into "12.5" and "Gi".
size_t NumberPrefix(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && (IsDigit(text[i]) || text[i] == '_')) ++i;
  if (i + 1 < text.size() && text[i] == '.' && IsDigit(text[i + 1])) {
    ++i;
    while (i < text.size() && (IsDigit(text[i]) || text[i] == '_')) ++i;
  }
  return i;
}

int64_t DurationUnitMillis(std::string_view unit) {
  if (unit == "ms") return 1;
  if (unit == "s") return 1000;
  if (unit == "m") return 60000;
  if (unit == "h") return 3600000;
  return 0;
}

bool ParseRadix(std::string_view text, NumberLiteral& out) {
  if (text.size() < 2 || text[0] != '0' || (text[1] != 'o' && text[1] != 'x' && text[1] != 'b')) return false;
  int base = text[1] == 'o' ? 8 : text[1] == 'x' ? 16 : 2;
  out.radix = base;
  int64_t v = 0;
  if (text.size() == 2) out.error = "no digits after the radix prefix";
  for (char c : text.substr(2)) {
    int d = IsDigit(c) ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : 99;
    if (c == '_') continue;
    if (d >= base) {
      out.error = fmt::format("`{}` is not a base-{} digit", c, base);
      return true;
    }
    if (__builtin_mul_overflow(v, base, &v) || __builtin_add_overflow(v, d, &v)) {
      out.error = "the number is too large";
      return true;
    }
  }
  out.value = Decimal{v, 0};
  return true;
}

void ParseCompoundDuration(std::string_view text, NumberLiteral& out) {
  out.cls = NumberClass::Duration;
  int64_t total = 0;
  int64_t previous_unit = INT64_MAX;
  while (!text.empty()) {
    size_t n = NumberPrefix(text);
    size_t u = n;
    while (u < text.size() && !IsDigit(text[u])) ++u;
    std::string_view digits = text.substr(0, n), unit = text.substr(n, u - n);
    int64_t millis = DurationUnitMillis(unit);
    if (n == 0 || millis == 0) {
      out.error = unit.empty() ? fmt::format("`{}` has no unit (use h, m, s or ms, as in `1h30m`)", digits)
                               : fmt::format("`{}` is not a duration unit (use h, m, s or ms, as in `1h30m`)", unit);
      return;
    }
    if (millis >= previous_unit) {
      out.error = "duration parts must go from larger to smaller units, as in `1h30m`";
      return;
    }
    previous_unit = millis;
    auto d = ParseDecimal(digits);
    auto part = d ? ScaleExact(*d, millis) : std::nullopt;
    if (!part || __builtin_add_overflow(total, *part, &total)) {
      if (!d) out.error = DecimalError(digits);
      else if (!part && ScaleFits(*d, millis)) out.error = "the duration is not a whole number of milliseconds";
      else out.error = "the duration does not fit in 64 bits of milliseconds";
      return;
    }
    text.remove_prefix(u);
  }
  out.exact = total;
}

}  // namespace

NumberLiteral ParseNumberLiteral(std::string_view text) {
  NumberLiteral out;
  if (ParseRadix(text, out)) return out;
  size_t n = NumberPrefix(text);
  auto value = ParseDecimal(text.substr(0, n));
  if (!value) {
    out.error = DecimalError(text.substr(0, n));
    return out;
  }
  out.value = *value;
  std::string_view suffix = text.substr(n);
  if (suffix.empty()) return out;
  if (suffix == "m") {
    out.cls = NumberClass::Milli;
    return out;
  }
  if (int64_t mult = ByteSuffixMultiplier(suffix)) {
    out.cls = NumberClass::Bytes;
    auto bytes = ScaleExact(out.value, mult);
    if (bytes) out.exact = *bytes;
    else if (ScaleFits(out.value, mult)) out.error = "it is not a whole number of bytes";
    else out.error = "it does not fit in 64 bits of bytes";
    return out;
  }
  bool duration_like = true;
  for (char c : suffix) {
    if (!IsDigit(c) && c != '.' && c != '_' && c != 'h' && c != 'm' && c != 's') duration_like = false;
  }
  if (duration_like && suffix.front() != '.') {
    ParseCompoundDuration(text, out);
    return out;
  }
  out.error = fmt::format(
      "unknown unit `{}` (bytes: Ki Mi Gi Ti Pi Ei k M G T P E; cpu: m; durations: ms s m h)", suffix);
  return out;
}

}  // namespace kstate::base
