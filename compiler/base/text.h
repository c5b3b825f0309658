// Small text utilities shared by every phase: "did you mean" suggestions and
// the name rules Kubernetes enforces (DNS-1123, label keys, port names).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

namespace kstate::base {

// The pieces joined, in one allocation. For descriptions that every component
// builds ("component `db`", "port `mysql`"), where fmt::format's parsing of
// the format string costs more than the text itself.
std::string Cat(std::initializer_list<std::string_view> pieces);
// n in decimal, for the same paths.
std::string IntText(int64_t n);

// a == b for short names (field names, keys), comparing the length and the
// first byte before calling memcmp: most candidates differ in one of those,
// and name lookups compare many candidates.
inline bool SameName(std::string_view a, std::string_view b) {
  return a.size() == b.size() && (a.empty() || (a[0] == b[0] && a == b));
}

// `s` with ASCII letters in lower case (other bytes as they are): Kubernetes
// kinds in file names, annotation keys as the API server compares them.
std::string AsciiLower(std::string_view s);

// Levenshtein distance, capped: returns limit + 1 when the distance exceeds it.
size_t EditDistance(std::string_view a, std::string_view b, size_t limit);

// The closest candidate to `word` within a distance proportional to its length,
// or an empty view when nothing is close enough.
std::string_view ClosestMatch(std::string_view word, std::span<const std::string_view> candidates);

// Each check returns an empty string when `s` is valid, else the reason in words.
std::string CheckDns1123Label(std::string_view s);      // [a-z0-9]([-a-z0-9]*[a-z0-9])?, <= 63
std::string CheckDns1123Subdomain(std::string_view s);  // dot-separated labels, <= 253
std::string CheckLabelKey(std::string_view s);          // [prefix/]name
std::string CheckLabelValue(std::string_view s);        // <= 63, alnum at ends, [-_.] inside
std::string CheckPortName(std::string_view s);          // IANA_SVC_NAME: <= 15, a letter, no "--"
std::string CheckEnvName(std::string_view s);           // printable, no '='

}  // namespace kstate::base
