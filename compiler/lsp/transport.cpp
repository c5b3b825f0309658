// Content-Length framing, read with poll() so the server can wait for input
// and for its own timers (diagnostics debouncing) in one loop.
#include "compiler/lsp/transport.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <string_view>

#include <fmt/format.h>

namespace kstate::lsp {

namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x | 0x20) == (y | 0x20);
         });
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

Transport::ReadStatus Transport::Read(int timeout_ms) {
  pollfd p{in_fd_, POLLIN, 0};
  int n = ::poll(&p, 1, timeout_ms);
  if (n == 0) return ReadStatus::Timeout;
  if (n < 0) return errno == EINTR ? ReadStatus::Timeout : ReadStatus::Closed;
  char chunk[65536];
  ssize_t got = ::read(in_fd_, chunk, sizeof chunk);
  if (got < 0 && (errno == EINTR || errno == EAGAIN)) return ReadStatus::Timeout;
  if (got <= 0) return ReadStatus::Closed;
  std::string_view data(chunk, static_cast<size_t>(got));
  if (skip_ > 0) {
    size_t dropped = std::min(skip_, data.size());
    skip_ -= dropped;
    data.remove_prefix(dropped);
  }
  buffer_.append(data);
  Frame();
  return ReadStatus::Data;
}

void Transport::Frame() {
  size_t pos = 0;
  while (skip_ == 0) {
    size_t end = buffer_.find("\r\n\r\n", pos);
    if (end == std::string::npos) {
      // A header block that never ends is not a header block.
      if (buffer_.size() - pos > 8192) {
        ready_.push_back({"", "a message header longer than 8 KiB without an empty line"});
        pos = buffer_.size();
      }
      break;
    }
    std::string_view headers(buffer_.data() + pos, end - pos);
    size_t length = 0;
    bool have_length = false;
    std::string error;
    while (!headers.empty()) {
      size_t eol = headers.find("\r\n");
      std::string_view line = headers.substr(0, eol);
      headers = eol == std::string_view::npos ? std::string_view{} : headers.substr(eol + 2);
      size_t colon = line.find(':');
      if (colon == std::string_view::npos) {
        error = fmt::format("malformed header line `{}`", line.substr(0, 80));
        continue;
      }
      std::string_view name = Trim(line.substr(0, colon));
      std::string_view value = Trim(line.substr(colon + 1));
      if (EqualsIgnoreCase(name, "Content-Length")) {
        auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), length);
        have_length = ec == std::errc() && p == value.data() + value.size();
        if (!have_length) error = fmt::format("Content-Length `{}` is not a number", value.substr(0, 40));
      }
    }
    if (error.empty() && !have_length) error = "a message without a Content-Length header";
    size_t body = end + 4;
    if (!error.empty()) {
      ready_.push_back({"", error});
      pos = body;
      continue;
    }
    if (length > kMaxMessage) {
      ready_.push_back({"", fmt::format("a message of {} bytes (the limit is {})", length, kMaxMessage)});
      size_t available = buffer_.size() - body;
      size_t dropped = std::min(available, length);
      skip_ = length - dropped;
      pos = body + dropped;
      continue;
    }
    if (buffer_.size() - body < length) break;
    ready_.push_back({buffer_.substr(body, length), ""});
    pos = body + length;
  }
  buffer_.erase(0, pos);
}

bool Transport::HasMessage() { return !ready_.empty(); }

bool Transport::Next(std::string& body, std::string& error) {
  if (ready_.empty()) return false;
  body = std::move(ready_.front().body);
  error = std::move(ready_.front().error);
  ready_.pop_front();
  return true;
}

bool Transport::Send(const std::string& body) {
  std::string out = fmt::format("Content-Length: {}\r\n\r\n", body.size());
  out += body;
  std::string_view rest(out);
  while (!rest.empty()) {
    ssize_t n = ::write(out_fd_, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    rest.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace kstate::lsp
