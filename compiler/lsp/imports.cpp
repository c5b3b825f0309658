// Resolving a document's imports the way the compiler's loader does:
// `std/...` from the embedded standard library, `./` and `../` relative to
// the importing file (an open document's text wins over the file on disk).
#include "compiler/lsp/imports.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "compiler/driver/read_file.h"
#include "compiler/driver/stdlib.h"

namespace kstate::lsp {

namespace fs = std::filesystem;

namespace {

// Writes a standard library module where an editor can open it (read-only
// in spirit: it is regenerated from the binary), and returns its URI.
std::string CachedStdlibUri(std::string_view module_path, std::string_view text) {
  const char* cache = std::getenv("XDG_CACHE_HOME");
  const char* home = std::getenv("HOME");
  // A relative XDG_CACHE_HOME is invalid and ignored, as the XDG base
  // directory specification says (it would give relative file URIs).
  bool xdg = cache && *cache && fs::path(cache).is_absolute();
  fs::path base = xdg ? fs::path(cache) : home && *home ? fs::path(home) / ".cache" : fs::path();
  if (!base.is_absolute()) return {};  // also when neither is set
  fs::path file = base / "kstate" / Version() / module_path;
  std::error_code ec;
  std::string existing, error;
  if (!driver::ReadFile(file.string(), existing, error) || existing != text) {
    fs::create_directories(file.parent_path(), ec);
    if (ec) return {};
    fs::path temp = file;
    temp += ".tmp";
    {
      std::ofstream out(temp, std::ios::binary | std::ios::trunc);
      out.write(text.data(), static_cast<std::streamsize>(text.size()));
      if (!out) return {};
    }
    fs::rename(temp, file, ec);
    if (ec) return {};
  }
  return PathToUri(file.string());
}

}  // namespace

std::vector<const syntax::Decl*> Imports(const Index& index) {
  std::vector<const syntax::Decl*> out;
  for (const auto& tree : index.trees()) {
    for (const syntax::Decl& d : tree->decls) {
      if (d.kind == syntax::DeclKind::Import) out.push_back(&d);
    }
  }
  return out;
}

std::vector<std::string> StdlibModules() {
  std::vector<std::string> out;
  for (const driver::StdlibFile& f : driver::StdlibFiles()) {
    std::string_view p = f.path;
    if (p.ends_with(".kstate")) p.remove_suffix(7);
    out.emplace_back(p);
  }
  return out;
}

std::optional<ImportedFile> LoadImport(const Server& server, const Document& doc, const syntax::Decl& import) {
  std::string spec = import.text;
  if (fs::path(spec).extension().empty()) spec += ".kstate";
  if (spec.starts_with("std/")) {
    for (const driver::StdlibFile& f : driver::StdlibFiles()) {
      if (f.path != spec) continue;
      return ImportedFile{CachedStdlibUri(f.path, f.text), spec, std::make_shared<const Index>(spec, std::string(f.text))};
    }
    return std::nullopt;
  }
  if (!spec.starts_with("./") && !spec.starts_with("../")) return std::nullopt;
  fs::path path = (fs::path(doc.path).parent_path() / spec).lexically_normal();
  std::string text;
  bool found = false;
  for (const auto& [uri, open] : server.documents()) {
    if (fs::path(open->path).lexically_normal() == path) {
      text = open->text();
      found = true;
      break;
    }
  }
  std::string error;
  if (!found && !driver::ReadRegularFile(path.string(), text, error)) return std::nullopt;
  return ImportedFile{PathToUri(path.string()), import.text, std::make_shared<const Index>(path.string(), std::move(text))};
}

namespace {

// Strips `//` or the `*` of a block comment line, and one space after it.
std::string_view StripMarker(std::string_view line) {
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  if (line.starts_with("//")) line.remove_prefix(2);
  else if (line.starts_with("/*")) line.remove_prefix(2);
  else if (line.starts_with("*") && !line.starts_with("*/")) line.remove_prefix(1);
  if (line.ends_with("*/")) line.remove_suffix(2);
  if (!line.empty() && line.front() == ' ') line.remove_prefix(1);
  while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.remove_suffix(1);
  return line;
}

bool IsCommentLine(std::string_view line) {
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  return line.starts_with("//") || line.starts_with("/*") || line.starts_with("*");
}

}  // namespace

std::string LeadingComment(std::string_view text) {
  std::string out;
  std::istringstream in{std::string(text)};
  std::string line;
  bool started = false;
  while (std::getline(in, line)) {
    if (!IsCommentLine(line)) {
      if (started || !line.empty()) break;
      continue;
    }
    started = true;
    out += StripMarker(line);
    out += '\n';
  }
  return out;
}

std::string CommentAbove(std::string_view text, uint32_t offset) {
  size_t line_start = text.rfind('\n', offset == 0 ? 0 : offset - 1);
  if (line_start == std::string_view::npos || offset == 0) return {};
  std::vector<std::string_view> lines;
  size_t end = line_start;  // the '\n' ending the line above
  while (end != std::string_view::npos && end > 0) {
    size_t begin = text.rfind('\n', end - 1);
    size_t from = begin == std::string_view::npos ? 0 : begin + 1;
    std::string_view line = text.substr(from, end - from);
    if (!IsCommentLine(line)) break;
    lines.push_back(StripMarker(line));
    if (begin == std::string_view::npos) break;
    end = begin;
  }
  std::string out;
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
    out += *it;
    out += '\n';
  }
  return out;
}

}  // namespace kstate::lsp
