// Edit distance and Kubernetes name validation.
#include "compiler/base/text.h"

#include <algorithm>
#include <charconv>
#include <vector>

#include <fmt/format.h>

namespace kstate::base {

std::string Cat(std::initializer_list<std::string_view> pieces) {
  size_t size = 0;
  for (std::string_view p : pieces) size += p.size();
  std::string out;
  out.reserve(size);
  for (std::string_view p : pieces) out += p;
  return out;
}

std::string IntText(int64_t n) {
  char digits[24];
  return std::string(digits, std::to_chars(digits, digits + sizeof digits, n).ptr);
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

size_t EditDistance(std::string_view a, std::string_view b, size_t limit) {
  // Optimal string alignment: insertions, deletions, substitutions and
  // transpositions of neighbours (`tpc` -> `tcp`) each cost one.
  if (a.size() > b.size()) std::swap(a, b);
  if (b.size() - a.size() > limit) return limit + 1;
  std::vector<size_t> prev2(a.size() + 1), prev(a.size() + 1), row(a.size() + 1);
  for (size_t i = 0; i <= a.size(); ++i) prev[i] = i;
  for (size_t j = 1; j <= b.size(); ++j) {
    row[0] = j;
    size_t best = row[0];
    for (size_t i = 1; i <= a.size(); ++i) {
      size_t cost = (a[i - 1] == b[j - 1]) ? 0 : 1;
      row[i] = std::min({prev[i] + 1, row[i - 1] + 1, prev[i - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) row[i] = std::min(row[i], prev2[i - 2] + 1);
      best = std::min(best, row[i]);
    }
    if (best > limit) return limit + 1;
    std::swap(prev2, prev);
    std::swap(prev, row);
  }
  return prev[a.size()];
}

std::string_view ClosestMatch(std::string_view word, std::span<const std::string_view> candidates) {
  size_t limit = std::max<size_t>(1, word.size() / 3);
  std::string_view best;
  size_t best_distance = limit + 1;
  for (std::string_view c : candidates) {
    size_t d = EditDistance(word, c, limit);
    // Case-only differences count as one edit so `readwriteonce` finds `ReadWriteOnce`.
    if (d > 1 && word.size() == c.size() &&
        std::equal(word.begin(), word.end(), c.begin(), [](char x, char y) {
          return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
        })) {
      d = 1;
    }
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  if (!best.empty()) return best;
  // Kubernetes spellings such as `initialDelaySeconds` start with the kstate name.
  for (std::string_view c : candidates) {
    if (c.size() >= 4 && word.size() > c.size() && word.substr(0, c.size()) == c && c.size() > best.size()) best = c;
  }
  return best;
}

namespace {
bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsAlnum(char c) { return IsLowerAlnum(c) || (c >= 'A' && c <= 'Z'); }
}  // namespace

std::string CheckDns1123Label(std::string_view s) {
  if (s.empty()) return "it is empty";
  if (s.size() > 63) return fmt::format("it is {} characters long; the limit is 63", s.size());
  for (char c : s) {
    if (c >= 'A' && c <= 'Z') return "it contains upper-case letters; only lower-case letters, digits and `-` are allowed";
    if (!IsLowerAlnum(c) && c != '-') return fmt::format("it contains `{}`; only lower-case letters, digits and `-` are allowed", c);
  }
  if (s.front() == '-' || s.back() == '-') return "it must start and end with a letter or digit";
  return {};
}

std::string CheckDns1123Subdomain(std::string_view s) {
  if (s.empty()) return "it is empty";
  if (s.size() > 253) return fmt::format("it is {} characters long; the limit is 253", s.size());
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    std::string_view part = s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (part.empty()) return "it contains an empty part between dots";
    for (char c : part) {
      if (!IsLowerAlnum(c) && c != '-') {
        return fmt::format("it contains `{}`; only lower-case letters, digits, `-` and `.` are allowed", c);
      }
    }
    if (part.front() == '-' || part.back() == '-') return "each dot-separated part must start and end with a letter or digit";
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return {};
}

namespace {
std::string CheckQualifiedName(std::string_view s) {
  if (s.empty()) return "the name part is empty";
  if (s.size() > 63) return fmt::format("the name part is {} characters long; the limit is 63", s.size());
  if (!IsAlnum(s.front()) || !IsAlnum(s.back())) return "the name part must start and end with a letter or digit";
  for (char c : s) {
    if (!IsAlnum(c) && c != '-' && c != '_' && c != '.') {
      return fmt::format("it contains `{}`; only letters, digits, `-`, `_` and `.` are allowed", c);
    }
  }
  return {};
}
}  // namespace

std::string CheckLabelKey(std::string_view s) {
  size_t slash = s.find('/');
  if (slash != std::string_view::npos) {
    std::string prefix_error = CheckDns1123Subdomain(s.substr(0, slash));
    if (!prefix_error.empty()) return "its prefix is not a DNS subdomain: " + prefix_error;
    return CheckQualifiedName(s.substr(slash + 1));
  }
  return CheckQualifiedName(s);
}

std::string CheckLabelValue(std::string_view s) {
  if (s.empty()) return {};
  return CheckQualifiedName(s);
}

std::string CheckPortName(std::string_view s) {
  if (s.empty()) return "it is empty";
  if (s.size() > 15) return fmt::format("it is {} characters long; the limit is 15", s.size());
  bool letter = false;
  for (char c : s) {
    if (c >= 'a' && c <= 'z') letter = true;
    else if (!(c >= '0' && c <= '9') && c != '-') return fmt::format("it contains `{}`; only lower-case letters, digits and `-` are allowed", c);
  }
  if (!letter) return "it must contain at least one letter";
  if (s.front() == '-' || s.back() == '-') return "it must start and end with a letter or digit";
  if (s.find("--") != std::string_view::npos) return "it must not contain `--`";
  return {};
}

std::string CheckEnvName(std::string_view s) {
  if (s.empty()) return "it is empty";
  for (char c : s) {
    if (c == '=') return "it contains `=`";
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return "it contains a control character";
  }
  return {};
}

}  // namespace kstate::base
