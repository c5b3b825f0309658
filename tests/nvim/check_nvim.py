#!/usr/bin/env python3
"""`kstatec lsp` under a client nobody here wrote: headless Neovim (client.lua)
opens the MariaDB example with one mistake, and this script checks what Neovim
got: the diagnostic, hovers, definition, references, document symbols, the
quick fix (applied by Neovim, which sends an incremental change) and shutdown.

Exits 0 when every check passes, 1 when one fails, 77 (a skip) without nvim.
"""
import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

SKIP = 77
HERE = os.path.dirname(os.path.abspath(__file__))
NVIM_TIMEOUT = 30  # seconds; client.lua waits at most 5 s for each step

# The mistake put into the example, and what the server must say about it. The
# comment before it makes UTF-16 offsets (the protocol's), UTF-8 byte columns
# (Neovim's) and code points all differ on that line.
CORRECT = "  replicas = 1\n"
MISTAKE = "  /* ½ 🙂 */ replica = 1\n"
FIXED = "  /* ½ 🙂 */ replicas = 1"
DIAGNOSTIC_CODE = "KS2001"
DIAGNOSTIC_WORDS = ["replica", "did you mean `replicas`"]


def position(lines, line_text, word):
    """Where `word` starts in the first line that contains `line_text`: as an
    LSP position (0-based line, UTF-16 character) and as Neovim's byte column."""
    for number, line in enumerate(lines):
        if line_text in line:
            before = line[:line.index(word, line.index(line_text))]
            return {"line": number, "character": len(before.encode("utf-16-le")) // 2}, len(before.encode())
    sys.exit(f"FAILED: test setup: no line contains {line_text!r}")


def inside(start, offset=1):
    """The position `offset` characters into a word starting at `start`."""
    return {"line": start["line"], "character": start["character"] + offset}


def make_plan(source, work, client_path, log_level):
    """Writes the broken example into `work` and returns what client.lua is to
    do with it, and the places (LSP positions, Neovim columns) of its words."""
    text = open(source, encoding="utf-8").read()
    if text.count(CORRECT) != 1:
        sys.exit(f"FAILED: test setup: {source} does not have exactly one {CORRECT.strip()!r} line")
    text = text.replace(CORRECT, MISTAKE)
    path = os.path.join(work, "mariadb.kstate")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    lines = text.splitlines()
    places = {
        "mistake": position(lines, MISTAKE.rstrip("\n"), "replica"),
        "bytes": position(lines, "size   = 8Gi", "8Gi"),
        "image": position(lines, "  image    = ", "image"),
        "storage": position(lines, "  storage data {", "storage"),
        "let": position(lines, "let status = exec", "status"),
        "use": position(lines, "liveness  = status", "status"),
        "use2": position(lines, "readiness = status", "status"),
    }
    at = {name: lsp for name, (lsp, _) in places.items()}
    cols = {name: {"line": lsp["line"], "col": col} for name, (lsp, col) in places.items()}
    requests = [
        {"name": "hover_bytes", "method": "textDocument/hover", "position": inside(at["bytes"])},
        {"name": "hover_image", "method": "textDocument/hover", "position": inside(at["image"], 2)},
        {"name": "hover_storage", "method": "textDocument/hover", "position": inside(at["storage"], 3)},
        {"name": "definition", "method": "textDocument/definition", "position": inside(at["use"])},
        {"name": "references", "method": "textDocument/references", "position": inside(at["use"])},
        {"name": "symbols", "method": "textDocument/documentSymbol"},
        {"name": "fix", "method": "textDocument/codeAction", "position": inside(at["mistake"])},
    ]
    plan = {"file": path, "client_path": client_path, "requests": requests, "jump": cols["use"],
            "fixed_line": at["mistake"]["line"], "log_level": log_level}
    return plan, at, cols


def hover_text(answer):
    """The text of a hover result: MarkupContent, a MarkedString or a list of them."""
    contents = (answer.get("result") or {}).get("contents")
    items = contents if isinstance(contents, list) else [contents]
    return "\n".join(item if isinstance(item, str) else (item or {}).get("value", "") for item in items)


def locations(result):
    """(uri, start) of each Location or LocationLink of a definition result."""
    items = result if isinstance(result, list) else [result] if result else []
    return [(item.get("uri") or item.get("targetUri"),
             (item.get("range") or item.get("targetSelectionRange"))["start"]) for item in items]


def check_diagnostics(got, at, cols, expect):
    """The mistake's diagnostic as the server published it (UTF-16 positions)
    and as Neovim stores it (0-based line, byte column); none after the fix."""
    def ours(diagnostics):
        return [d for d in diagnostics or [] if d.get("code") == DIAGNOSTIC_CODE
                or (d.get("user_data") or {}).get("lsp", {}).get("code") == DIAGNOSTIC_CODE]

    published = got.get("published") or [{}]
    first, last = published[0].get("diagnostics"), published[-1].get("diagnostics")
    expect([d["range"]["start"] for d in ours(first)] == [at["mistake"]],
           f"the first publishDiagnostics does not have one {DIAGNOSTIC_CODE} at {at['mistake']}: {first}")
    expect(last == [], f"the last publishDiagnostics (after the quick fix) is not empty: {last}")

    stored = ours(got.get("diagnostics"))
    expect(len(stored) == 1, f"expected one {DIAGNOSTIC_CODE} diagnostic in Neovim, got {got.get('diagnostics')}")
    for d in stored:
        expect({"line": d["lnum"], "col": d["col"]} == cols["mistake"],
               f"{DIAGNOSTIC_CODE} is at line {d['lnum']} byte {d['col']}, expected line "
               f"{cols['mistake']['line']} byte {cols['mistake']['col']}")
        for word in DIAGNOSTIC_WORDS:
            expect(word in d["message"], f"{DIAGNOSTIC_CODE}'s message {d['message']!r} lacks {word!r}")


def check_answers(requests, uri, at, expect):
    """The answers to client.lua's requests (by name)."""
    # Hovers: the server's text, and Neovim's rendering of it.
    for name, words in [("hover_bytes", ["8,589,934,592 bytes"]),
                        ("hover_image", ["**`image`**", "The container image"]),
                        ("hover_storage", ["A persistent volume for each pod"])]:
        answer = requests.get(name, {})
        for word in words:
            expect(word in hover_text(answer), f"{name}: {word!r} is not in {hover_text(answer)!r}")
        expect(any(words[-1] in line for line in answer.get("rendered", [])),
               f"{name}: Neovim rendered {answer.get('rendered')}")

    # Definition of `status` in `liveness = status {...}`: the name in its `let`.
    targets = locations(requests.get("definition", {}).get("result"))
    expect(targets == [(uri, at["let"])], f"definition: got {targets}, expected [({uri!r}, {at['let']})]")

    # References of `status`, its declaration included: the `let` and both uses.
    found = sorted((start["line"], start["character"])
                   for _, start in locations(requests.get("references", {}).get("result")))
    expected = sorted((at[name]["line"], at[name]["character"]) for name in ("let", "use", "use2"))
    expect(found == expected, f"references: got (line, character) {found}, expected {expected}")

    # Document symbols: the component, with its `let` and its storage among its children.
    symbols = requests.get("symbols", {}).get("result") or []
    component = next((symbol for symbol in symbols if symbol.get("name") == "mariadb"), {})
    children = [child.get("name") for child in component.get("children", [])]
    expect(component and {"status", "data"} <= set(children),
           f"documentSymbol: no `mariadb` component holding `status` and `data` in {symbols}")

    # The quick fix of the diagnostic: an edit that writes `replicas`.
    actions = requests.get("fix", {}).get("result") or []
    edits = [edit for action in actions for changes in ((action.get("edit") or {}).get("changes") or {}).values()
             for edit in changes]
    expect(any(edit["newText"] == "replicas" and edit["range"]["start"] == at["mistake"] for edit in edits),
           f"codeAction: no edit writing `replicas` at {at['mistake']} in {actions}")


def check(got, plan, at, cols, nvim_code, server_cmd, log_problems):
    """Every failure, as a readable message."""
    failures = []

    def expect(ok, message):
        if not ok:
            failures.append(message)

    if got.get("error"):
        return [f"client.lua stopped: {got['error']}"]
    expect(nvim_code == 0, f"nvim exited {nvim_code}")
    expect(got.get("filetype") == "kstate", f"the buffer's filetype is {got.get('filetype')!r}, not 'kstate'")
    expect(got.get("started_cmd") == server_cmd, f"the server was started as {got.get('started_cmd')}")
    expect(got.get("client_name") == "kstate", f"the client is named {got.get('client_name')!r}, not 'kstate'")
    check_diagnostics(got, at, cols, expect)

    requests = got.get("requests", {})
    for name in (r["name"] for r in plan["requests"]):
        expect(name in requests and not requests[name].get("error"), f"{name}: {requests.get(name)}")
    check_answers(requests, pathlib.Path(plan["file"]).as_uri(), at, expect)

    # What Neovim itself did: jump to the definition, apply the fix, stop the server.
    expect(got.get("jump") == cols["let"], f"vim.lsp.buf.definition() moved the cursor to {got.get('jump')}, "
                                           f"expected {cols['let']}")
    expect(got.get("fixed_line") == FIXED, f"after the quick fix, the line is {got.get('fixed_line')!r}")
    expect(got.get("exits") == [{"code": 0, "signal": 0}], f"the server's exit: {got.get('exits')}")
    bad = [n for n in got.get("notifications", []) if (n.get("level") or 0) >= 3]  # WARN and ERROR
    expect(not bad, f"Neovim warned: {bad}")
    expect(not log_problems, "Neovim's LSP log has errors or warnings:\n  " + "\n  ".join(log_problems))
    return failures


def run_nvim(nvim, repo, kstatec, plan, work):
    """Runs client.lua on `plan` in headless Neovim; returns its exit code, its
    output, what it wrote (None when it wrote nothing) and its LSP log's lines."""
    plan_file, out_file = os.path.join(work, "plan.json"), os.path.join(work, "out.json")
    with open(plan_file, "w", encoding="utf-8") as f:
        json.dump(plan, f)
    # No user configuration and no state outside `work`: the LSP log lands in $XDG_CACHE_HOME.
    env = dict(os.environ, KSTATEC=kstatec, KSTATE_NVIM_PLAN=plan_file, KSTATE_NVIM_OUT=out_file, HOME=work,
               XDG_CONFIG_HOME=work, XDG_DATA_HOME=work, XDG_STATE_HOME=work, XDG_CACHE_HOME=work)
    # editors/vim (ftdetect) and editors/neovim (lua/kstate) before startup's `filetype on`.
    rtp = ",".join(os.path.join(repo, "editors", d) for d in ("vim", "neovim"))
    cmd = [nvim, "--headless", "--clean", "-i", "NONE", "-n", "--cmd", f"set rtp^={rtp}",
           "-c", f"luafile {os.path.join(HERE, 'client.lua')}"]
    print(f"client path: {plan['client_path']}; KSTATEC={kstatec} {' '.join(cmd)}")
    try:
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, env=env, cwd=work, timeout=NVIM_TIMEOUT)
    except subprocess.TimeoutExpired:
        sys.exit(f"FAILED: nvim did not finish within {NVIM_TIMEOUT} s")
    got = json.loads(pathlib.Path(out_file).read_text(encoding="utf-8")) if os.path.exists(out_file) else None
    log = pathlib.Path((got or {}).get("log_path") or "")
    log_lines = log.read_text(encoding="utf-8", errors="replace").splitlines() if log.is_file() else []
    return proc.returncode, proc.stdout, got, log_lines


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kstatec", required=True)
    parser.add_argument("--repo", required=True, help="the repository's root")
    parser.add_argument("--show", action="store_true", help="print what Neovim got and its LSP log, even on success")
    parser.add_argument("--client", choices=["auto", "plugin", "raw"], default="auto",
                        help="start the server through editors/neovim's plugin, or with the raw 0.7 API; "
                             "auto: the plugin when it exists")
    parser.add_argument("--log-level", default="WARN", help="Neovim's LSP log level (DEBUG logs every message)")
    args = parser.parse_args()
    repo, kstatec = os.path.abspath(args.repo), os.path.abspath(args.kstatec)
    nvim = shutil.which("nvim")
    if not nvim:
        print("skipped: `nvim` is not installed (Debian package neovim; bash .ci/install-deps installs it)")
        return SKIP

    # The project's plugin when it exists; the raw 0.7 API otherwise.
    plugin = os.path.join(repo, "editors", "neovim", "lua", "kstate", "init.lua")
    client_path = args.client if args.client != "auto" else "plugin" if os.path.isfile(plugin) else "raw"
    with tempfile.TemporaryDirectory() as work:
        example = os.path.join(repo, "examples", "mariadb", "mariadb.kstate")
        plan, at, cols = make_plan(example, work, client_path, args.log_level)
        code, output, got, log_lines = run_nvim(nvim, repo, kstatec, plan, work)
    if output.strip():
        print(output.rstrip())
    if got is None:
        print(f"FAILED: nvim exited {code} without writing its results")
        return 1
    # The server's stderr, among others, is logged as an error.
    log_problems = [line for line in log_lines if line.startswith(("[ERROR]", "[WARN]"))]
    failures = check(got, plan, at, cols, code, [kstatec, "lsp"], log_problems)
    if failures or args.show:
        print(json.dumps(got, indent=1))
        print("Neovim's LSP log:", *(log_lines or ["(empty)"]), sep="\n  ")
    else:
        print("diagnostic, hovers, definition, references, symbols, quick fix and shutdown as expected")
    for failure in failures:
        print(f"FAILED: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
