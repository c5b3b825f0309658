#!/usr/bin/env python3
"""Checks that a document (docs/tutorial.md, README.md) is true: its files
compile and its commands print what it shows.

  check_doc.py --kstatec KSTATEC --repo REPO [--doc PATH] [--last-file PATH]

The document (by default docs/tutorial.md in REPO) is read from top to bottom
in a temporary directory:

- A fenced block right after `<!-- file: NAME.kstate -->` is a complete file:
  it is written to NAME (relative, may contain directories, so later files can
  import it) and `kstatec check NAME` must exit 0. After
  `<!-- file: NAME.kstate fails -->` it must exit 1 with diagnostics.
- A fenced block tagged `console` is a terminal session: every line starting
  with `$ ` is a command, run with `sh` in that directory with kstatec first
  on PATH; the lines up to the next command are what it prints (standard
  output, then standard error). A line `...` in the expected text stands for
  any number of lines. Other blocks (fragments, `sh` blocks with kubectl) are
  not run.
- With --last-file (the tutorial passes examples/shop/shop.kstate), the last
  complete file that does not fail must equal that file byte for byte.

Exits 0 when all of this holds, 1 otherwise; the last line is
"N passed, M failed" (checks).
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

MARKER = re.compile(r"^<!-- file: (\S+\.kstate)( fails)? -->$")
FENCE = re.compile(r"^(```+)(\S*)\s*$")


class Block:
    def __init__(self, line, info, text, marker):
        self.line = line      # 1-based line of the opening fence
        self.info = info      # the fence's info string (`kstate`, `console`, ...)
        self.text = text      # the content, every line ending in "\n"
        self.marker = marker  # (name, fails) or None


def parse(path):
    """The fenced blocks of a markdown file, with the file marker before each."""
    doc = os.path.basename(path)
    lines = open(path, encoding="utf-8").read().split("\n")
    blocks, errors = [], []
    pending = None  # (name, fails, line) of a marker waiting for its fence
    i = 0
    while i < len(lines):
        line = lines[i]
        m = MARKER.match(line)
        if m:
            if pending:
                errors.append(f"{doc}:{pending[2]}: file marker not followed by a code block")
            pending = (m.group(1), bool(m.group(2)), i + 1)
            i += 1
            continue
        if line.startswith("<!-- file:"):
            errors.append(f"{doc}:{i + 1}: malformed file marker: {line}")
        f = FENCE.match(line)
        if not f:
            if pending and line.strip():
                errors.append(f"{doc}:{pending[2]}: file marker not directly before a code block")
                pending = None
            i += 1
            continue
        fence, info, start = f.group(1), f.group(2), i + 1
        body = []
        i += 1
        while i < len(lines) and lines[i].rstrip() != fence:
            body.append(lines[i] + "\n")
            i += 1
        if i == len(lines):
            errors.append(f"{doc}:{start}: unclosed code block")
        i += 1
        marker = pending[:2] if pending else None
        pending = None
        blocks.append(Block(start, info, "".join(body), marker))
    if pending:
        errors.append(f"{doc}:{pending[2]}: file marker at the end of the file")
    return blocks, errors


def matches(expected, actual):
    """Whether the lines `actual` match `expected`, where a line `...` matches any run of lines."""
    # reach[j]: expected[:i] can match actual[:j]
    reach = [True] + [False] * len(actual)
    for e in expected:
        if e.strip() == "...":
            for j in range(1, len(actual) + 1):
                reach[j] = reach[j] or reach[j - 1]
        else:
            reach = [False] + [reach[j - 1] and actual[j - 1] == e for j in range(1, len(actual) + 1)]
    return reach[-1]


def sessions(text):
    """(command, expected output lines) of a console block."""
    out = []
    for line in text.splitlines():
        if line.startswith("$ "):
            out.append((line[2:], []))
        elif out:
            out[-1][1].append(line.rstrip())
        elif line.strip():
            out.append((None, [line]))
    return out


def safe_name(name):
    parts = name.split("/")
    return not name.startswith("/") and ".." not in parts and "" not in parts


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kstatec", required=True)
    ap.add_argument("--repo", required=True)
    ap.add_argument("--doc", help="the markdown file, relative to REPO (default docs/tutorial.md)",
                    default=os.path.join("docs", "tutorial.md"))
    ap.add_argument("--last-file", help="a file, relative to REPO, that the last complete file must equal")
    a = ap.parse_args()
    kstatec = os.path.abspath(a.kstatec)
    path = os.path.join(a.repo, a.doc)
    doc = os.path.basename(path)
    blocks, failures = parse(path)
    passed = 0
    env = dict(os.environ, NO_COLOR="1", LC_ALL="C",
               PATH=os.path.dirname(kstatec) + os.pathsep + os.environ.get("PATH", ""))
    last_complete = None
    with tempfile.TemporaryDirectory(prefix="kstate-doc-") as tmp:
        for b in blocks:
            where = f"{doc}:{b.line}"
            if b.marker:
                name, fails = b.marker
                if not safe_name(name):
                    failures.append(f"{where}: `{name}` is not a relative path inside the document's directory")
                    continue
                path = os.path.join(tmp, name)
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w", encoding="utf-8") as f:
                    f.write(b.text)
                p = subprocess.run([kstatec, "check", name, "--color", "never"], cwd=tmp, env=env,
                                   capture_output=True, timeout=60)
                err = p.stderr.decode("utf-8", "replace")
                want = 1 if fails else 0
                if p.returncode != want or (fails and not err.strip()):
                    failures.append(f"{where}: `kstatec check {name}` exited {p.returncode}, expected {want}"
                                    + (" with diagnostics" if fails else "") + "\n" + err.rstrip())
                else:
                    passed += 1
                if not fails:
                    last_complete = (where, b.text)
            elif b.info == "console":
                for command, expected in sessions(b.text):
                    if command is None:
                        failures.append(f"{where}: console block output before any `$ ` command")
                        continue
                    p = subprocess.run(["sh", "-c", command], cwd=tmp, env=env, capture_output=True,
                                       timeout=60)
                    actual = (p.stdout + p.stderr).decode("utf-8", "replace").splitlines()
                    actual = [line.rstrip() for line in actual]
                    while expected and not expected[-1]:
                        expected.pop()
                    if matches(expected, actual):
                        passed += 1
                    else:
                        failures.append(f"{where}: `{command}` printed something else; expected\n"
                                        + "\n".join("    " + e for e in expected) + "\n  but got\n"
                                        + "\n".join("    " + l for l in actual))
    if last_complete is None:
        failures.append(f"{doc}: no complete file (no `<!-- file: NAME.kstate -->` marker)")
    elif a.last_file:
        where, text = last_complete
        last = os.path.join(a.repo, a.last_file)
        want = open(last, encoding="utf-8").read() if os.path.exists(last) else None
        if want != text:
            failures.append(f"{where}: the last complete file differs from {a.last_file}"
                            " (they must be identical)")
        else:
            passed += 1
    for f in failures:
        print("FAIL " + f)
    print(f"{passed} passed, {len(failures)} failed")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
