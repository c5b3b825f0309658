// Small helpers shared by kubeconfig loading and credentials: base64, files,
// RFC 3339 times and PEM checks. Internal to the kube layer; nothing throws.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace kstate::runtime::kube {

// Standard base64 (RFC 4648); whitespace is skipped, padding optional.
std::optional<std::string> DecodeBase64(std::string_view text);
std::string EncodeBase64(std::string_view bytes);

// Reads a whole file; on failure returns false and says why in `error`.
bool ReadWholeFile(const std::string& path, std::string& contents, std::string& error);

// `path` made absolute against `dir` unless it already is (or is empty).
std::string ResolveAgainst(const std::string& dir, const std::string& path);

// The directory of `path`, absolute.
std::string AbsoluteDirOf(const std::string& path);

std::string_view TrimSpace(std::string_view text);

// An RFC 3339 timestamp ("2024-05-01T10:00:00Z", "...+02:00", fractions allowed).
std::optional<std::chrono::system_clock::time_point> ParseRfc3339(std::string_view text);

// Empty when `pem` holds at least one X.509 certificate, else the reason.
std::string CheckCertificatePem(const std::string& pem);
// Empty when `cert_pem` and `key_pem` form a usable pair, else the reason (never the key).
std::string CheckKeyPairPem(const std::string& cert_pem, const std::string& key_pem);

}  // namespace kstate::runtime::kube
