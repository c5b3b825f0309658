// A small line diff: the common beginning and end are skipped, the middle is
// compared by longest common subsequence (or, when it is huge, replaced whole).
#include "line_diff.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include <fmt/format.h>

namespace kstate::cli {

namespace {

constexpr size_t kContext = 3;
constexpr size_t kMaxCells = 16 * 1024 * 1024;  // LCS table entries; beyond, the middle is replaced whole

// Lines with their line breaks, so a missing final line break is a difference.
std::vector<std::string_view> SplitLines(std::string_view s) {
  std::vector<std::string_view> out;
  while (!s.empty()) {
    size_t n = std::min(s.find('\n'), s.size() - 1) + 1;
    out.push_back(s.substr(0, n));
    s.remove_prefix(n);
  }
  return out;
}

struct Op {
  char kind;  // ' ' same, '-' only in a, '+' only in b
  size_t a;   // lines of a before this one
  size_t b;   // lines of b before this one
};

std::vector<Op> EditScript(const std::vector<std::string_view>& a, const std::vector<std::string_view>& b) {
  size_t pre = 0;
  while (pre < a.size() && pre < b.size() && a[pre] == b[pre]) ++pre;
  size_t suf = 0;
  while (suf < a.size() - pre && suf < b.size() - pre && a[a.size() - 1 - suf] == b[b.size() - 1 - suf]) ++suf;
  size_t n = a.size() - pre - suf, m = b.size() - pre - suf;
  std::vector<Op> ops;
  for (size_t i = 0; i < pre; ++i) ops.push_back({' ', i, i});
  size_t i = 0, j = 0;
  if (n * m <= kMaxCells) {
    // lcs[x][y]: the longest common subsequence of the middles from x and y on.
    std::vector<uint32_t> lcs((n + 1) * (m + 1), 0);
    auto at = [&](size_t x, size_t y) -> uint32_t& { return lcs[x * (m + 1) + y]; };
    for (size_t x = n; x-- > 0;) {
      for (size_t y = m; y-- > 0;) {
        at(x, y) = a[pre + x] == b[pre + y] ? at(x + 1, y + 1) + 1 : std::max(at(x + 1, y), at(x, y + 1));
      }
    }
    while (i < n && j < m) {
      if (a[pre + i] == b[pre + j]) {
        ops.push_back({' ', pre + i++, pre + j++});
      } else if (at(i + 1, j) >= at(i, j + 1)) {
        ops.push_back({'-', pre + i++, pre + j});
      } else {
        ops.push_back({'+', pre + i, pre + j++});
      }
    }
  }
  for (; i < n; ++i) ops.push_back({'-', pre + i, pre + j});
  for (; j < m; ++j) ops.push_back({'+', pre + n, pre + j});
  for (size_t k = 0; k < suf; ++k) ops.push_back({' ', pre + n + k, pre + m + k});
  return ops;
}

// `start,count` of a hunk side; an empty side names the line before it.
std::string Range(size_t before, size_t count) { return fmt::format("{},{}", count == 0 ? before : before + 1, count); }

}  // namespace

std::string UnifiedDiff(std::string_view before_name, std::string_view before, std::string_view after_name,
                        std::string_view after) {
  std::vector<std::string_view> a = SplitLines(before), b = SplitLines(after);
  std::vector<Op> ops = EditScript(a, b);
  std::string out;
  for (size_t k = 0; k < ops.size();) {
    if (ops[k].kind == ' ') {
      ++k;
      continue;
    }
    // A hunk: this change, and the following ones less than two contexts apart.
    size_t first = k >= kContext ? k - kContext : 0, end = k;
    for (size_t gap = 0; end < ops.size() && gap <= 2 * kContext; ++end) gap = ops[end].kind == ' ' ? gap + 1 : 0;
    while (end > k && ops[end - 1].kind == ' ') --end;
    end = std::min(end + kContext, ops.size());
    size_t a_count = 0, b_count = 0;
    std::string body;
    for (size_t x = first; x < end; ++x) {
      std::string_view line = ops[x].kind == '+' ? b[ops[x].b] : a[ops[x].a];
      a_count += ops[x].kind != '+';
      b_count += ops[x].kind != '-';
      body += ops[x].kind;
      body += line;
      if (line.empty() || line.back() != '\n') body += "\n\\ No newline at end of file\n";
    }
    if (out.empty()) out = fmt::format("--- {}\n+++ {}\n", before_name, after_name);
    out += fmt::format("@@ -{} +{} @@\n", Range(ops[first].a, a_count), Range(ops[first].b, b_count)) + body;
    k = end;
  }
  return out;
}

}  // namespace kstate::cli
