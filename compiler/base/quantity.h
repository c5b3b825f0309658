// Exact arithmetic on unit literals and their Kubernetes spelling:
// bytes (8Gi), millicores (500m) and durations (1h30m) never pass through floating point.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kstate::base {

// A decimal number as written: mantissa / 10^scale (1.5 -> {15, 1}).
struct Decimal {
  int64_t mantissa = 0;
  int scale = 0;
};

// Parses digits with an optional fraction ("12", "0.25"); nullopt on overflow
// or more than 18 digits after the point.
std::optional<Decimal> ParseDecimal(std::string_view digits);
// Why ParseDecimal refused `digits`, for a message.
std::string_view DecimalError(std::string_view digits);

// value * multiplier / divisor as an exact integer; nullopt when it overflows
// or is not whole.
std::optional<int64_t> ScaleExact(Decimal value, int64_t multiplier, int64_t divisor = 1);
// Whether value * multiplier / divisor, whole or not, fits in 64 bits: tells
// apart the two reasons ScaleExact fails.
bool ScaleFits(Decimal value, int64_t multiplier, int64_t divisor = 1);

// The byte multiplier of a suffix (Ki, Mi, Gi, Ti, Pi, Ei, k, M, G, T, P, E), or 0.
int64_t ByteSuffixMultiplier(std::string_view suffix);

std::string FormatBytes(int64_t bytes);         // 8589934592 -> "8Gi", 1000000000 -> "1G"
std::string FormatMillicores(int64_t millis);   // 500 -> "500m", 2000 -> "2"
std::string FormatDuration(int64_t millis);     // 5400000 -> "1h30m"
std::string FormatDecimal(Decimal d);           // {15, 1} -> "1.5"

}  // namespace kstate::base

namespace kstate::base {

// What a number literal's suffix makes it.
enum class NumberClass : uint8_t {
  Plain,     // 3, 0.25, 0o644
  Bytes,     // 8Gi, 1G: `exact` holds bytes
  Milli,     // 500m: millicores or minutes, decided by where it is used
  Duration,  // 30s, 500ms, 1h30m: `exact` holds milliseconds
};

struct NumberLiteral {
  NumberClass cls = NumberClass::Plain;
  Decimal value;      // the leading number as written
  int64_t exact = 0;  // bytes or milliseconds
  std::string error;  // why the literal is invalid; empty when valid
  int radix = 10;     // 8 for 0o644, 16 for 0x1f, 2 for 0b101
};

// Classifies and converts a number literal token such as "1.5Gi" or "1h30m".
NumberLiteral ParseNumberLiteral(std::string_view text);

}  // namespace kstate::base
