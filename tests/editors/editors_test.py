#!/usr/bin/env python3
"""Tests of the editor support in editors/: one subcommand per CTest test.

Each subcommand exits 0 when its check passes, 1 when it fails and 77 (a
skip) when the tool it needs is not installed; .ci/install-deps installs them
all. The checks themselves are in the files beside this one.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

SKIP = 77


def skip(message):
    print(f"skipped: {message}")
    sys.exit(SKIP)


def fail(message):
    print(f"FAILED: {message}")
    sys.exit(1)


def need(tool, package):
    path = shutil.which(tool)
    if not path:
        skip(f"`{tool}` is not installed (Debian package {package}; bash .ci/install-deps installs it)")
    return path


def run(cmd, **kwargs):
    """Runs cmd, prints its output, and returns its exit code."""
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs)
    print(proc.stdout, end="")
    return proc.returncode


def vscode_dir(repo):
    return os.path.join(repo, "editors", "vscode")


def need_npm_tool(repo, relative):
    need("node", "nodejs")
    tool = os.path.join(vscode_dir(repo), "node_modules", relative)
    if not os.path.exists(tool):
        skip(f"{os.path.relpath(tool, repo)} is missing: run `npm ci` in editors/vscode (bash .ci/install-deps does)")
    return tool


def node_major():
    out = subprocess.run(["node", "--version"], stdout=subprocess.PIPE, text=True).stdout
    return int(out.strip().lstrip("v").split(".")[0])


# ---- VS Code ----------------------------------------------------------------


def check_grammar(args):
    """The TextMate grammar gives the annotated samples their scopes."""
    tool = need_npm_tool(args.repo, "vscode-tmgrammar-test/dist/unit.js")
    samples = sorted(os.path.join(args.repo, "tests", "editors", "grammar", f)
                     for f in os.listdir(os.path.join(args.repo, "tests", "editors", "grammar")) if f.endswith(".kstate"))
    if len(samples) < 4:
        fail(f"expected the four annotated samples in tests/editors/grammar, found {len(samples)}")
    grammar = os.path.join(vscode_dir(args.repo), "syntaxes", "kstate.tmLanguage.json")
    code = run(["node", tool, "--compact", "-g", grammar, *samples], cwd=vscode_dir(args.repo))
    sys.exit(0 if code == 0 else 1)


def check_manifest(args):
    """package.json points at files that exist and parse; snippets are well formed."""
    base = vscode_dir(args.repo)
    problems = []

    def load(relative):
        path = os.path.join(base, relative)
        if not os.path.isfile(path):
            problems.append(f"{relative}: missing")
            return None
        try:
            with open(path, encoding="utf-8") as f:
                return json.load(f)
        except ValueError as e:
            problems.append(f"{relative}: not JSON: {e}")
            return None

    package = load("package.json") or {}
    contributes = package.get("contributes", {})
    languages = contributes.get("languages", [])
    if [lang.get("id") for lang in languages] != ["kstate"] or ".kstate" not in languages[0].get("extensions", []):
        problems.append("contributes.languages must be the one language `kstate` with the extension `.kstate`")
    for lang in languages:
        if load(lang.get("configuration", "")) is None:
            problems.append("the language configuration does not load")
    for grammar in contributes.get("grammars", []):
        data = load(grammar.get("path", ""))
        if data is not None:
            if data.get("scopeName") != grammar.get("scopeName"):
                problems.append(f"grammar scopeName {data.get('scopeName')!r} differs from package.json's {grammar.get('scopeName')!r}")
            repository = data.get("repository", {})
            for include in re.findall(r'"include":\s*"#([^"]+)"', json.dumps(data)):
                if include not in repository:
                    problems.append(f"grammar: #{include} is included but not defined")
    if not contributes.get("grammars"):
        problems.append("no grammar contributed")
    for entry in contributes.get("snippets", []):
        snippets = load(entry.get("path", "")) or {}
        for name, snippet in snippets.items():
            if not snippet.get("prefix") or not isinstance(snippet.get("body"), list) or not snippet.get("description"):
                problems.append(f"snippet {name!r} needs a prefix, a body (a list of lines) and a description")
        for module in re.findall(r"std/\$\{1\|([^|]+)\|", json.dumps(snippets)):
            for m in module.split(","):
                if not os.path.isfile(os.path.join(args.repo, "stdlib", "std", m + ".kstate")):
                    problems.append(f"snippet offers std/{m}, which stdlib/std/ does not have")
    if not contributes.get("snippets"):
        problems.append("no snippets contributed")
    properties = contributes.get("configuration", {}).get("properties", {})
    expected = {"kstate.server.path": "kstatec", "kstate.server.args": [], "kstate.trace.server": "off"}
    for key, default in expected.items():
        if properties.get(key, {}).get("default") != default:
            problems.append(f"setting {key} must exist with default {default!r}")
    if not os.path.isfile(os.path.join(base, package.get("main", "missing"))):
        problems.append(f"main {package.get('main')!r} does not exist")
    lock = load("package-lock.json") or {}
    root = lock.get("packages", {}).get("", {})
    for field in ("dependencies", "devDependencies"):
        if root.get(field) != package.get(field):
            problems.append(f"package-lock.json's {field} differ from package.json's: run `npm install` in editors/vscode")
    for ignored in ("node_modules", "*.vsix"):
        with open(os.path.join(base, ".gitignore"), encoding="utf-8") as f:
            if not any(line.strip().rstrip("/") == ignored for line in f):
                problems.append(f".gitignore must list {ignored}")

    if args.kstatec:
        problems += snippets_compile(args, base, contributes.get("snippets", []))
    for p in problems:
        print(p)
    print(f"vscode manifest: {'FAILED' if problems else 'ok'}")
    sys.exit(1 if problems else 0)


def expand_snippet(body):
    """A snippet's text with every placeholder at its default (its first choice)."""
    text = "\n".join(body).replace("\t", "  ")
    choice = re.compile(r"\$\{\d+\|([^,|]*)[^|]*\|\}")
    default = re.compile(r"\$\{\d+:((?:[^{}\\]|\\.)*)\}")
    while True:
        new = default.sub(lambda m: m.group(1), choice.sub(lambda m: m.group(1), text))
        if new == text:
            break
        text = new
    text = re.sub(r"\$\{\d+\}|\$\d+", "", text)
    return re.sub(r"\\([}$\\])", r"\1", text)


# Where each snippet is written to compile: at the top level, or in a component body.
COMPONENT = """component snippet-host {{
  image = "docker.io/library/mariadb:11.4"
  port port = 3306
  resources {{ cpu = 100m; memory = 128Mi }}
{body}
}}
"""


def snippets_compile(args, base, entries):
    problems = []
    count = 0
    with tempfile.TemporaryDirectory() as tmp:
        for entry in entries:
            with open(os.path.join(base, entry["path"]), encoding="utf-8") as f:
                snippets = json.load(f)
            for name, snippet in snippets.items():
                text = expand_snippet(snippet["body"])
                first = text.split()[0]
                if first == "import" and "std/" in text:
                    text += "\ncomponent x : name.server()\n"
                elif first == "import":
                    with open(os.path.join(tmp, "common.kstate"), "w", encoding="utf-8") as f:
                        f.write("let shared = 1\n")
                elif first == "component" and ":" in text.split("{")[0]:
                    text = 'import "std/db/mariadb" as alias\n' + text
                elif first == "template":
                    text += "\ncomponent x : name(version: \"7.4\")\n"
                elif first == "namespace":
                    text += "\n" + COMPONENT.format(body="")
                elif first == "assert":
                    text = COMPONENT.format(body="  let condition = true\n" + text)
                elif first != "component":
                    text = COMPONENT.format(body=text)
                path = os.path.join(tmp, re.sub(r"\W+", "_", name) + ".kstate")
                with open(path, "w", encoding="utf-8") as f:
                    f.write(text)
                proc = subprocess.run([args.kstatec, "check", path], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                if proc.returncode != 0:
                    problems.append(f"snippet {name!r} expanded does not compile:\n{text}\n{proc.stdout}")
                count += 1
    print(f"{count} snippets expanded with their defaults and checked by kstatec")
    return problems


def check_client(args):
    """extension.js starts `kstatec lsp` (recorded, without VS Code)."""
    need("node", "nodejs")
    if not os.path.isdir(os.path.join(vscode_dir(args.repo), "node_modules", "vscode-languageclient")):
        skip("editors/vscode/node_modules is missing: run `npm ci` in editors/vscode (bash .ci/install-deps does)")
    test = os.path.join(args.repo, "tests", "editors", "vscode", "client_test.js")
    sys.exit(0 if run(["node", test, os.path.join(vscode_dir(args.repo), "extension.js")]) == 0 else 1)


def check_vsce(args):
    """`vsce package` builds the .vsix, offline, with only what the extension needs."""
    tool = need_npm_tool(args.repo, "@vscode/vsce/vsce")
    if node_major() < 20:
        skip(f"@vscode/vsce needs Node.js 20 or later; this is {node_major()}")
    with tempfile.TemporaryDirectory() as tmp:
        vsix = os.path.join(tmp, "kstate.vsix")
        code = run(["node", tool, "package", "--skip-license", "--allow-missing-repository", "-o", vsix],
                   cwd=vscode_dir(args.repo))
        if code != 0 or not os.path.isfile(vsix):
            fail("vsce package did not write the .vsix")
        names = zipfile.ZipFile(vsix).namelist()
        size = os.path.getsize(vsix)
    required = ["extension/package.json", "extension/extension.js", "extension/language-configuration.json",
                "extension/syntaxes/kstate.tmLanguage.json", "extension/snippets/kstate.json",
                "extension/node_modules/vscode-languageclient/package.json"]
    missing = [n for n in required if n not in names]
    unwanted = [n for n in names if re.search(r"node_modules/(vscode-tmgrammar-test|@vscode/vsce)/|\.vsix$", n)]
    if missing or unwanted or size > 1_000_000:
        fail(f"the .vsix ({size} bytes) misses {missing} or holds {unwanted[:5]}")
    print(f"kstate.vsix: {size} bytes, {len(names)} files")


# ---- keyword lists ------------------------------------------------------------


def check_words(args):
    """The built-in functions and reserved words of docs/language.md are those of every editor."""
    with open(os.path.join(args.repo, "docs", "language.md"), encoding="utf-8") as f:
        doc = f.read()
    section = doc.split("## Built-in functions", 1)[1].split("\n## ", 1)[0]
    builtins = set()
    for first_cell in re.findall(r"^\| (.*?) \|", section, re.M):
        builtins |= set(re.findall(r"`(\w+)\(", first_cell))
    keywords_line = re.search(r"\*\*Keywords\.\*\* These words are reserved.*?:(.*?)\. These", doc, re.S).group(1)
    reserved = set(re.findall(r"`(\w+)`", keywords_line))
    if len(builtins) < 15 or len(reserved) != 11:
        fail(f"could not read docs/language.md: {sorted(builtins)} {sorted(reserved)}")

    def read(relative):
        with open(os.path.join(args.repo, relative), encoding="utf-8") as f:
            return f.read()

    grammar = json.loads(read("editors/vscode/syntaxes/kstate.tmLanguage.json"))
    found = {
        "the TextMate grammar": set(re.search(r"\(\?:\((exec[|\w]+)\)", grammar["repository"]["call"]["begin"]).group(1).split("|")),
        "the Vim syntax": set(re.search(r"kstateBuiltin '\\<\\%\(([^)]+)\\\)", read("editors/vim/syntax/kstate.vim")).group(1).split("\\|")),
        "the Emacs mode": set(re.findall(r'"(\w+)"', re.search(r"defconst kstate--builtins\s*'\(([^)]*)\)", read("editors/emacs/kstate-mode.el")).group(1))),
    }
    emacs_reserved = set(re.findall(r'"(\w+)"', re.search(r"defconst kstate--reserved\s*'\(([^)]*)\)", read("editors/emacs/kstate-mode.el")).group(1)))
    problems = [f"{where}: built-ins {sorted(names ^ builtins)} differ from docs/language.md"
                for where, names in found.items() if names != builtins]
    if emacs_reserved != reserved:
        problems.append(f"the Emacs mode: reserved words {sorted(emacs_reserved ^ reserved)} differ from docs/language.md")
    for p in problems:
        print(p)
    print(f"{len(builtins)} built-ins and {len(reserved)} reserved words: {'FAILED' if problems else 'ok'}")
    sys.exit(1 if problems else 0)


# ---- Vim and Neovim -----------------------------------------------------------


def vim_command(editor, repo, extra_rtp=()):
    rtp = ",".join([os.path.join(repo, "editors", "vim"), *extra_rtp])
    if editor == "nvim":
        need("nvim", "neovim")
        cmd = ["nvim", "--headless", "-u", "NONE", "-i", "NONE", "-n"]
    else:
        need("vim", "vim")
        cmd = ["vim", "-N", "-u", "NONE", "-i", "NONE", "-n", "-e", "-s"]
    return cmd + ["--cmd", f"set rtp^={rtp}", "--cmd", "filetype plugin indent on", "--cmd", "syntax on"]


def run_vim(cmd, what):
    """Runs a Vim test script that writes its failures to $KSTATE_TEST_OUT."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "failures")
        env = dict(os.environ, KSTATE_TEST_OUT=out, HOME=tmp, XDG_CONFIG_HOME=tmp, XDG_DATA_HOME=tmp, XDG_STATE_HOME=tmp)
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                              text=True, env=env, timeout=60)
        failures = open(out, encoding="utf-8").read().splitlines() if os.path.exists(out) else None
    if failures is None:
        print(proc.stdout)
        fail(f"{what}: the test script did not finish (exit {proc.returncode})")
    for line in failures:
        print(line)
    if failures or proc.returncode != 0:
        fail(f"{what}: {len(failures)} failures (exit {proc.returncode})")
    print(f"{what}: ok")


def check_vim_syntax(args):
    sample = os.path.join(args.repo, "tests", "editors", "samples", "highlight.kstate")
    script = os.path.join(args.repo, "tests", "editors", "vim", "syntax_test.vim")
    run_vim(vim_command(args.editor, args.repo) + ["-c", f"source {script}", sample], f"{args.editor} syntax")


def check_vim_indent(args):
    """`gg=G` turns the mis-indented sample into the expected one and keeps every formatted file."""
    samples = os.path.join(args.repo, "tests", "editors", "samples")
    pairs = [(os.path.join(samples, "indent_input.kstate"), os.path.join(samples, "indent_expected.kstate"))]
    for top in ("examples", "stdlib"):
        for dirpath, _, files in os.walk(os.path.join(args.repo, top)):
            pairs += [(os.path.join(dirpath, f),) * 2 for f in sorted(files) if f.endswith(".kstate")]
    with tempfile.TemporaryDirectory() as tmp:
        listing = os.path.join(tmp, "pairs")
        with open(listing, "w", encoding="utf-8") as f:
            f.writelines(f"{a}\t{b}\n" for a, b in pairs)
        os.environ["KSTATE_INDENT_PAIRS"] = listing
        script = os.path.join(args.repo, "tests", "editors", "vim", "indent_test.vim")
        run_vim(vim_command(args.editor, args.repo) + ["-c", f"source {script}"], f"{args.editor} indent ({len(pairs)} files)")


def check_neovim_lua(args):
    script = os.path.join(args.repo, "tests", "editors", "neovim", "setup_test.lua")
    cmd = vim_command("nvim", args.repo, [os.path.join(args.repo, "editors", "neovim")]) + ["-c", f"luafile {script}"]
    run_vim(cmd, "neovim lua/kstate")


# ---- Emacs ----------------------------------------------------------------------


def check_emacs(args):
    """kstate-mode.el byte-compiles without warnings; the ERT tests pass on the compiled file."""
    need("emacs", "emacs-nox")
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(os.path.join(args.repo, "editors", "emacs", "kstate-mode.el"), tmp)
        env = dict(os.environ, HOME=tmp, KSTATE_REPO=args.repo)
        compile_cmd = ["emacs", "--batch", "-Q", "--eval", "(setq byte-compile-error-on-warn t)",
                       "-f", "batch-byte-compile", os.path.join(tmp, "kstate-mode.el")]
        if run(compile_cmd, env=env) != 0 or not os.path.isfile(os.path.join(tmp, "kstate-mode.elc")):
            fail("kstate-mode.el does not byte-compile without warnings")
        test = os.path.join(args.repo, "tests", "editors", "emacs", "kstate-mode-test.el")
        code = run(["emacs", "--batch", "-Q", "-L", tmp, "-l", "ert", "-l", test, "-f", "ert-run-tests-batch-and-exit"],
                   env=env)
    sys.exit(0 if code == 0 else 1)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("check", choices=["grammar", "manifest", "client", "vsce", "words",
                                          "vim-syntax", "vim-indent", "neovim-lua", "emacs"])
    parser.add_argument("--repo", required=True, help="the repository's root")
    parser.add_argument("--kstatec", help="kstatec, to compile the expanded snippets (manifest)")
    parser.add_argument("--editor", choices=["nvim", "vim"], default="nvim", help="for vim-syntax and vim-indent")
    args = parser.parse_args()
    args.repo = os.path.abspath(args.repo)
    {
        "grammar": check_grammar, "manifest": check_manifest, "client": check_client, "vsce": check_vsce,
        "words": check_words, "vim-syntax": check_vim_syntax, "vim-indent": check_vim_indent,
        "neovim-lua": check_neovim_lua, "emacs": check_emacs,
    }[args.check](args)


if __name__ == "__main__":
    main()
