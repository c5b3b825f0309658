// The language server's transport: LSP base-protocol framing
// (`Content-Length` headers) over a pair of file descriptors.
#pragma once

#include <cstddef>
#include <deque>
#include <string>

namespace kstate::lsp {

class Transport {
 public:
  Transport(int in_fd, int out_fd) : in_fd_(in_fd), out_fd_(out_fd) {}

  enum class ReadStatus { Data, Timeout, Closed };
  // Waits up to `timeout_ms` (-1: no limit) for input and reads what is
  // there; complete messages are then available from Next().
  ReadStatus Read(int timeout_ms);
  // The next complete message body, or false. A malformed header is dropped
  // with the bytes up to the end of its header block, and reported through
  // `error` (the body is empty then) so the server can answer with a parse error.
  bool Next(std::string& body, std::string& error);
  // True when a complete message is waiting.
  bool HasMessage();
  // Writes one framed message; false when the output is closed.
  bool Send(const std::string& body);

  // Messages larger than this are refused (and their bytes skipped).
  static constexpr size_t kMaxMessage = 64u << 20;

 private:
  // Splits complete messages off `buffer_` into `ready_`.
  void Frame();

  struct Message {
    std::string body;
    std::string error;
  };
  int in_fd_;
  int out_fd_;
  std::string buffer_;
  size_t skip_ = 0;  // bytes of an oversized body still to discard
  std::deque<Message> ready_;
};

}  // namespace kstate::lsp
