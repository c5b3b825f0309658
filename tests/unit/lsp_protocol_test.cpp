// The language server's lower layers: UTF-16 positions, file URIs, framing,
// incremental edits and the completion context scanner.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "compiler/lsp/completion_context.h"
#include "compiler/lsp/document.h"
#include "compiler/lsp/protocol.h"
#include "compiler/lsp/transport.h"

using namespace kstate::lsp;

TEST_CASE("positions count UTF-16 code units", "[lsp]") {
  // é is 2 bytes / 1 unit; 😀 is 4 bytes / 2 units.
  std::string text = "ab\né😀x\r\nlast";
  LineIndex lines(text);
  REQUIRE(lines.line_count() == 3);
  CHECK(lines.Offset({1, 0}) == 3);
  CHECK(lines.Offset({1, 1}) == 5);   // after é
  CHECK(lines.Offset({1, 3}) == 9);   // after 😀
  CHECK(lines.Offset({1, 2}) == 5);   // inside the surrogate pair: the character's start
  CHECK(lines.Offset({1, 99}) == 10); // clamped before "\r\n"
  CHECK(lines.Offset({9, 0}) == text.size());
  CHECK(lines.At(9).line == 1);
  CHECK(lines.At(9).character == 3);
  CHECK(lines.At(10).character == 4);
  CHECK(lines.At(static_cast<uint32_t>(text.size())).line == 2);
  CHECK(Utf16Length("😀é") == 3);
  CHECK(Utf16Length("\xff\xfe") == 2);  // invalid bytes count one each
  CHECK(Utf16Length("\xf0\x9f") == 2);  // a truncated sequence too
}

TEST_CASE("lines end at LF, CRLF and a lone CR, as editors count them", "[lsp]") {
  std::string text = "a\rbc\r\nd\ne\r\r";
  LineIndex lines(text);
  REQUIRE(lines.line_count() == 6);  // "a", "bc", "d", "e", "", ""
  CHECK(lines.At(2).line == 1);
  CHECK(lines.At(2).character == 0);
  CHECK(lines.LineEnd(0) == 1);  // before the lone CR
  CHECK(lines.LineEnd(1) == 4);  // before "\r\n"
  CHECK(lines.LineEnd(3) == 9);
  CHECK(lines.LineEnd(4) == 10);  // an empty line between two CRs
  CHECK(lines.Offset({1, 99}) == 4);
  CHECK(lines.Offset({3, 1}) == 9);
  CHECK(lines.At(static_cast<uint32_t>(text.size())).line == 5);
}

TEST_CASE("file URIs and paths", "[lsp]") {
  CHECK(UriToPath("file:///a%20b/c.kstate") == "/a b/c.kstate");
  CHECK(UriToPath("file://localhost/x") == "/x");
  CHECK(UriToPath("file://server/x") == std::nullopt);
  CHECK(UriToPath("untitled:Untitled-1") == std::nullopt);
  CHECK(UriToPath("file:///%zz") == "/%zz");
  CHECK(PathToUri("/a b/ü.kstate") == "file:///a%20b/%C3%BC.kstate");
  CHECK(UriToPath(PathToUri("/tmp/x y#z.kstate")) == "/tmp/x y#z.kstate");
}

TEST_CASE("incremental edits", "[lsp]") {
  Document doc;
  doc.SetText("line one\nzwei 😀 drei\n");
  doc.ApplyChange(Json{{"range", {{"start", {{"line", 1}, {"character", 5}}}, {"end", {{"line", 1}, {"character", 7}}}}},
                       {"text", "zwo"}});
  CHECK(doc.text() == "line one\nzwei zwo drei\n");
  doc.ApplyChange(Json{{"text", "whole"}});
  CHECK(doc.text() == "whole");
  CHECK_THROWS_AS(doc.ApplyChange(Json{{"range", {{"start", {{"line", 0}, {"character", 3}}},
                                                 {"end", {{"line", 0}, {"character", 1}}}}},
                                       {"text", ""}}),
                  RequestError);
  CHECK_THROWS_AS(doc.ApplyChange(Json{{"range", "x"}, {"text", ""}}), RequestError);
}

TEST_CASE("framing: split reads, several messages, bad headers, oversized bodies", "[lsp]") {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  Transport t(fds[0], -1);
  auto write_all = [&](std::string_view s) { REQUIRE(write(fds[1], s.data(), s.size()) == static_cast<ssize_t>(s.size())); };
  std::string body, error;
  write_all("Content-Length: 2\r\n\r");
  t.Read(1000);
  CHECK_FALSE(t.Next(body, error));
  write_all("\n{}Content-length:2\r\nContent-Type: x\r\n\r\n[]");
  t.Read(1000);
  REQUIRE(t.Next(body, error));
  CHECK(body == "{}");
  REQUIRE(t.Next(body, error));
  CHECK(body == "[]");
  write_all("Nonsense\r\n\r\nContent-Length: 1\r\n\r\n1");
  t.Read(1000);
  REQUIRE(t.Next(body, error));
  CHECK(error.find("malformed header") != std::string::npos);
  REQUIRE(t.Next(body, error));
  CHECK(error.empty());
  CHECK(body == "1");
  write_all(fmt::format("Content-Length: {}\r\n\r\nabc", Transport::kMaxMessage + 1));
  t.Read(1000);
  REQUIRE(t.Next(body, error));
  CHECK(error.find("limit") != std::string::npos);
  close(fds[1]);
  CHECK(t.Read(1000) == Transport::ReadStatus::Closed);
  close(fds[0]);
}

TEST_CASE("completion context survives unfinished text", "[lsp]") {
  std::string text = "component db {\n  storage data {\n    size = 8G";
  CompletionContext c = ScanContext(text, static_cast<uint32_t>(text.size()));
  REQUIRE(c.frames.size() == 2);
  CHECK(c.frames[1].head == std::vector<std::string_view>{"storage", "data"});
  CHECK(c.statement == std::vector<std::string_view>{"size", "="});
  CHECK(c.word == "8G");

  text = "import \"std/d";
  c = ScanContext(text, static_cast<uint32_t>(text.size()));
  CHECK(c.in_string);
  CHECK(c.string_begin == 8);

  text = "component x {\n  env { A = \"${self.";
  c = ScanContext(text, static_cast<uint32_t>(text.size()));
  CHECK_FALSE(c.in_string);
  CHECK(c.statement == std::vector<std::string_view>{"self", "."});

  text = "component x {\n  /* { */ image = \"a\" // {\n  ";
  c = ScanContext(text, static_cast<uint32_t>(text.size()));
  CHECK(c.frames.size() == 1);
  CHECK(c.statement.empty());
}
