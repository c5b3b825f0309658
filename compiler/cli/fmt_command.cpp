// `kstatec fmt`: reading, checking and formatting each file, then rewriting
// it atomically (a temporary file in its directory, renamed over it).
#include "fmt_command.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>

#include <fmt/format.h>

#include "compiler/diag/render.h"
#include "compiler/driver/read_file.h"
#include "compiler/format/format.h"
#include "line_diff.h"
#include "output.h"

namespace kstate::cli {

namespace {

namespace fs = std::filesystem;

constexpr int kExitOk = 0;
constexpr int kExitInput = 1;

// The text of `path` (`-`: standard input), or why it cannot be read; the
// same reading, and the same size limit, as `kstatec check`.
bool ReadInput(const std::string& path, std::string& text, std::string& error) {
  return path == "-" ? driver::ReadFd(STDIN_FILENO, text, error) : driver::ReadFile(path, text, error);
}

// Replaces the contents of `path` by `text` in one step, keeping its mode and
// owner; through a symbolic link, the file it points to is replaced. A file
// this process may not write, or whose hard links or owner a new file would
// not keep, is refused rather than changed in a way `>` would not change it.
// Returns why not.
std::optional<std::string> Rewrite(const std::string& path, std::string_view text) {
  std::error_code ec;
  fs::path target = fs::canonical(path, ec);
  if (ec) target = path;
  struct stat st {};
  if (::stat(target.c_str(), &st) != 0) return std::strerror(errno);
  if (::access(target.c_str(), W_OK) != 0) return fmt::format("the file is not writable ({})", std::strerror(errno));
  if (st.st_nlink > 1) {
    return fmt::format("the file has {} hard links, which rewriting it would separate; use --stdout", st.st_nlink);
  }
  std::string name = (target.parent_path() / ("." + target.filename().string() + ".fmt-XXXXXX")).string();
  int fd = ::mkstemp(name.data());
  if (fd < 0) return std::strerror(errno);
  int error = 0;
  bool other_owner = st.st_uid != ::geteuid() || st.st_gid != ::getegid();
  if (other_owner && ::fchown(fd, st.st_uid, st.st_gid) != 0) {
    ::close(fd);
    ::unlink(name.c_str());
    return fmt::format("its owner and group cannot be kept ({}); use --stdout", std::strerror(errno));
  }
  if (!WriteAll(fd, text) || ::fchmod(fd, st.st_mode & 07777) != 0 || ::fsync(fd) != 0) error = errno;
  if (::close(fd) != 0 && error == 0) error = errno;
  if (error == 0 && ::rename(name.c_str(), target.c_str()) != 0) error = errno;
  if (error == 0) return std::nullopt;
  ::unlink(name.c_str());
  return std::strerror(error);
}

// What formatting the files found wrong, for the one summary line at the end.
struct Tally {
  size_t errors = 0;
  size_t files = 0;  // files with at least one error
};

// Prints the diagnostics of one file the way `kstatec check` does, counts
// them, and returns exit code 1. The count line comes once, after every file.
int Report(const diag::Diagnostics& diags, const base::SourceManager& sources, bool color, Tally& tally) {
  std::string text = diag::RenderText(diags, sources, {color, 0});
  std::fwrite(text.data(), 1, text.size(), stderr);
  tally.errors += diags.error_count();
  tally.files += 1;
  return kExitInput;
}

int FormatOne(const std::string& path, const FmtOptions& o, bool color, Tally& tally) {
  std::string name = path == "-" ? "<stdin>" : path;
  base::SourceManager sources;
  diag::Diagnostics diags;
  std::string text, error;
  if (!ReadInput(path, text, error)) {
    diags.Report(diag::Kind::CannotRead, {}, name, error);
    return Report(diags, sources, color, tally);
  }
  format::Result r = format::FormatFile(sources, sources.Add(name, text), diags);
  if (r.status == format::Status::SyntaxError) return Report(diags, sources, color, tally);
  if (r.status == format::Status::Unformattable) {
    std::fprintf(stderr,
                 "kstatec: error: `%s` cannot be formatted without changing what it means; it is left as it is "
                 "(a bug in kstatec fmt: please report it with the file)\n",
                 name.c_str());
    tally.errors += 1;
    tally.files += 1;
    return kExitInput;
  }
  bool changed = r.text != text;
  if (o.check || o.diff) {
    if (!changed) return kExitOk;
    std::string out = name + "\n";
    if (o.diff) out += UnifiedDiff(name, text, name + " (formatted)", r.text);
    if (WriteStdout(out)) return kExitInput;
    diags.Report(diag::Kind::CannotWrite, {}, "standard output", std::strerror(errno));
    return Report(diags, sources, color, tally);
  }
  if (path == "-" || o.to_stdout) {
    if (WriteStdout(r.text)) return kExitOk;
    diags.Report(diag::Kind::CannotWrite, {}, "standard output", std::strerror(errno));
    return Report(diags, sources, color, tally);
  }
  if (!changed) return kExitOk;
  if (std::optional<std::string> why = Rewrite(path, r.text)) {
    diags.Report(diag::Kind::CannotWrite, {}, path, *why);
    return Report(diags, sources, color, tally);
  }
  return kExitOk;
}

}  // namespace

CLI::App* AddFmtCommand(CLI::App& app, FmtOptions& o) {
  CLI::App* cmd = app.add_subcommand("fmt", "Rewrite .kstate files in the canonical layout, keeping comments");
  cmd->add_option("files", o.files, "The .kstate files to format; - reads standard input and prints the result")
      ->required()
      ->type_name("FILE");
  CLI::Option* check = cmd->add_flag(
      "--check", o.check, "Write nothing; print the name of each file that is not formatted, and exit 1 if any is");
  CLI::Option* diff = cmd->add_flag("--diff", o.diff, "Like --check, and also print what would change as a unified diff");
  cmd->add_flag("--stdout", o.to_stdout, "Print the formatted text to standard output instead of rewriting the files")
      ->excludes(check)
      ->excludes(diff);
  cmd->add_option("--color", o.color, "Colour diagnostics: auto (when stderr is a terminal and NO_COLOR is unset), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  cmd->footer(
      "A file is rewritten only when its layout changes; the new text is written to a temporary file beside it\n"
      "and renamed over it, keeping its permissions and owner (a file with other hard links is refused). A file\n"
      "with syntax errors is left as it is: its diagnostics are printed as by `kstatec check`. The layout rules\n"
      "are in docs/cli.md.\n"
      "\nExamples:\n"
      "  kstatec fmt db.kstate                      rewrite db.kstate in the canonical layout\n"
      "  kstatec fmt examples/*/*.kstate            format several files\n"
      "  kstatec fmt --check examples/*/*.kstate    list the files that are not formatted (exit 1 if any), for CI\n"
      "  kstatec fmt --diff db.kstate               show what would change, as a unified diff; change nothing\n"
      "  kstatec fmt --stdout db.kstate             print the formatted text; leave the file alone\n"
      "  kstatec fmt - < db.kstate                  format standard input to standard output\n"
      "\nExit codes: 0 ok; 1 a file is not formatted (--check, --diff), has syntax errors, or cannot be read or\n"
      "written; 2 wrong usage.");
  return cmd;
}

int RunFmt(const FmtOptions& o) {
  const char* no_color = std::getenv("NO_COLOR");
  bool terminal = isatty(STDERR_FILENO) && (no_color == nullptr || *no_color == '\0');
  bool color = o.color == "always" || (o.color == "auto" && terminal);
  int code = kExitOk;
  Tally tally;
  for (const std::string& path : o.files) code = std::max(code, FormatOne(path, o, color, tally));
  if (tally.errors > 0) {
    // One summary for the whole run, as `kstatec check` gives one for all its files.
    std::string line = fmt::format("{} error{}", tally.errors, tally.errors == 1 ? "" : "s");
    if (o.files.size() > 1) line += fmt::format(" in {} of {} files", tally.files, o.files.size());
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  return code;
}

}  // namespace kstate::cli
