// Base64, file reading, RFC 3339 and PEM checks for the kube layer.
#include "runtime/kube/kubeconfig_text.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

namespace kstate::runtime::kube {
namespace {

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

bool ReadDigits(std::string_view text, size_t& at, size_t count, int& value) {
  value = 0;
  for (size_t i = 0; i < count; ++i, ++at) {
    if (at >= text.size() || text[at] < '0' || text[at] > '9') return false;
    value = value * 10 + (text[at] - '0');
  }
  return true;
}

bool Expect(std::string_view text, size_t& at, std::string_view choices) {
  if (at >= text.size() || choices.find(text[at]) == std::string_view::npos) return false;
  ++at;
  return true;
}

struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

BioPtr MemoryBio(const std::string& text) { return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size()))); }

// Refuses a passphrase instead of letting OpenSSL prompt on the terminal.
int NoPassphrase(char*, int, int, void*) { return 0; }

}  // namespace

std::optional<std::string> DecodeBase64(std::string_view text) {
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  size_t padding = 0;
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    if (c == '=') {
      ++padding;
      continue;
    }
    int value = Base64Value(c);
    if (value < 0 || padding > 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<unsigned>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  if (padding > 2 || bits >= 6) return std::nullopt;
  return out;
}

std::string EncodeBase64(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    unsigned n = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                 static_cast<unsigned char>(bytes[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) out.push_back(kAlphabet[(n >> shift) & 63]);
  }
  size_t rest = bytes.size() - i;
  if (rest > 0) {
    unsigned n = static_cast<unsigned char>(bytes[i]) << 16;
    if (rest == 2) n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(rest == 2 ? kAlphabet[(n >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

bool ReadWholeFile(const std::string& path, std::string& contents, std::string& error) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    error = "`" + path + "` is a directory";
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot read `" + path + "`: " + std::strerror(errno);
    return false;
  }
  std::ostringstream text;
  text << in.rdbuf();
  contents = text.str();
  return true;
}

std::string ResolveAgainst(const std::string& dir, const std::string& path) {
  if (path.empty() || path.front() == '/') return path;
  return (std::filesystem::path(dir) / path).lexically_normal().string();
}

std::string AbsoluteDirOf(const std::string& path) {
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::absolute(path, ec);
  if (ec) absolute = path;
  return absolute.parent_path().string();
}

std::string_view TrimSpace(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

std::optional<std::chrono::system_clock::time_point> ParseRfc3339(std::string_view text) {
  size_t at = 0;
  std::tm tm{};
  int year, month, day, hour, minute, second;
  if (!ReadDigits(text, at, 4, year) || !Expect(text, at, "-") || !ReadDigits(text, at, 2, month) ||
      !Expect(text, at, "-") || !ReadDigits(text, at, 2, day) || !Expect(text, at, "Tt ") ||
      !ReadDigits(text, at, 2, hour) || !Expect(text, at, ":") || !ReadDigits(text, at, 2, minute) ||
      !Expect(text, at, ":") || !ReadDigits(text, at, 2, second)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  if (at < text.size() && text[at] == '.') {
    ++at;
    size_t digits = at;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') ++at;
    if (at == digits) return std::nullopt;
  }
  long offset = 0;
  if (Expect(text, at, "Zz")) {
  } else if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
    int sign = text[at++] == '-' ? -1 : 1;
    int offset_hours, offset_minutes;
    if (!ReadDigits(text, at, 2, offset_hours) || !Expect(text, at, ":") || !ReadDigits(text, at, 2, offset_minutes)) {
      return std::nullopt;
    }
    offset = sign * (offset_hours * 3600L + offset_minutes * 60L);
  } else {
    return std::nullopt;
  }
  if (at != text.size()) return std::nullopt;
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  time_t seconds = timegm(&tm);
  return std::chrono::system_clock::from_time_t(seconds - offset);
}

std::string CheckCertificatePem(const std::string& pem) {
  BioPtr bio = MemoryBio(pem);
  X509* cert = PEM_read_bio_X509(bio.get(), nullptr, &NoPassphrase, nullptr);
  ERR_clear_error();
  if (cert == nullptr) return "not a PEM certificate";
  X509_free(cert);
  return "";
}

std::string CheckKeyPairPem(const std::string& cert_pem, const std::string& key_pem) {
  BioPtr cert_bio = MemoryBio(cert_pem);
  X509* cert = PEM_read_bio_X509(cert_bio.get(), nullptr, &NoPassphrase, nullptr);
  BioPtr key_bio = MemoryBio(key_pem);
  EVP_PKEY* key = PEM_read_bio_PrivateKey(key_bio.get(), nullptr, &NoPassphrase, nullptr);
  std::string problem;
  if (cert == nullptr) {
    problem = "the client certificate is not a PEM certificate";
  } else if (key == nullptr) {
    problem = "the client key is not a PEM private key";
  } else if (X509_check_private_key(cert, key) != 1) {
    problem = "the client certificate and key do not match";
  }
  ERR_clear_error();
  X509_free(cert);
  EVP_PKEY_free(key);
  return problem;
}

}  // namespace kstate::runtime::kube
