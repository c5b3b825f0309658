// `kstatec fmt`: rewrites `.kstate` files in the canonical layout, or lists
// (`--check`) the files that are not in it.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace kstate::cli {

struct FmtOptions {
  std::vector<std::string> files;  // `-`: standard input, formatted to standard output
  bool check = false;              // write nothing; list the files that would change
  bool diff = false;               // like check, and print a unified diff
  bool to_stdout = false;          // print the formatted text instead of rewriting
  std::string color = "auto";
};

// Registers the `fmt` subcommand on `app`; `options` is filled when it is parsed.
CLI::App* AddFmtCommand(CLI::App& app, FmtOptions& options);

// Runs `kstatec fmt` and returns its exit code: 0 ok; 1 a file is not formatted
// (under --check), has syntax errors, or cannot be read or written.
int RunFmt(const FmtOptions& options);

}  // namespace kstate::cli
