#!/usr/bin/env python3
"""Writes docs/stdlib.md from the comment block that opens every standard
library module (stdlib/std/**/*.kstate), or checks that it is up to date.

  stdlib_doc.py --repo REPO           rewrite docs/stdlib.md
  stdlib_doc.py --repo REPO --check   exit 1 (with a diff) when docs/stdlib.md is stale

The module's opening comment is its documentation: the first line
`// std/PATH: title`, then free text, ending with the parameter list. The
page lists the modules, then gives each one's comment as written.
"""
import argparse
import difflib
import glob
import os
import sys

HEADER = """# The standard library

Generated from the comments of `stdlib/std/**/*.kstate` by
`tests/docs/stdlib_doc.py`; do not edit by hand (`ctest -R docs_stdlib` fails
when this page is stale; rerun the script to update it).

The standard library is written in `.kstate` and embedded in `kstatec`, so it
needs no files at run time and always matches the compiler's version. Import a
module under a name and instantiate its `server` template:

```kstate
import "std/db/postgres" as postgres

component accounts : postgres.server(replicas: 3) {
  storage data { size = 100Gi }
}
```

Every template pins its image version (a `version` parameter), probes the
service itself, sets resource requests, spreads its pods (preferred
anti-affinity, `requiredAntiAffinity: true` to insist), keeps a disruption
budget that protects quorum, and reads credentials only from Secrets that you
create (the keys are listed per module). Overrides in the instance's block
merge into the template's result (see [Templates](language.md#templates)).

Parameters carry bounds where a value outside them would build manifests
that cannot work: `replicas: int(1..)`, `memory: bytes(512Mi..)`, a JVM
`heap: bytes(64Mi .. memory - 256Mi)`, names pasted into configuration files
typed `identifier`. An argument outside them is an error at the argument
(KS2008, KS2004), before any manifest is written.

| module | what it runs |
| --- | --- |
"""


def module_doc(path):
    """(import path, title, comment text) of one module."""
    lines = []
    for line in open(path, encoding="utf-8"):
        if not line.startswith("//"):
            break
        lines.append(line[3:].rstrip("\n") if line.startswith("// ") else line[2:].rstrip("\n"))
    if not lines or ":" not in lines[0]:
        raise SystemExit(f"{path}: the file must open with `// std/PATH: title`")
    name, title = lines[0].split(":", 1)
    title = title.strip()
    rest = lines[1:]
    # A title continued on the next comment line (until an empty line).
    while rest and rest[0].strip():
        title += " " + rest[0].strip()
        rest = rest[1:]
    return name.strip(), title, "\n".join(rest).strip("\n")


def render(repo):
    files = sorted(glob.glob(os.path.join(repo, "stdlib", "std", "**", "*.kstate"), recursive=True))
    modules = [module_doc(f) for f in files]
    out = [HEADER]
    for name, title, _ in modules:
        out.append(f"| [`{name}`](#{name.replace('/', '')}) | {title} |\n")
    for (name, title, text), path in zip(modules, files):
        rel = os.path.relpath(path, repo)
        out.append(f"\n## {name}\n\n{title} ([source](../{rel}))\n\n```\n{text}\n```\n")
    return "".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repo", required=True)
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()
    target = os.path.join(a.repo, "docs", "stdlib.md")
    text = render(a.repo)
    if not a.check:
        with open(target, "w", encoding="utf-8") as f:
            f.write(text)
        return 0
    old = open(target, encoding="utf-8").read() if os.path.exists(target) else ""
    if old == text:
        print("docs/stdlib.md is up to date")
        return 0
    sys.stdout.writelines(difflib.unified_diff(old.splitlines(True), text.splitlines(True), "docs/stdlib.md",
                                               "docs/stdlib.md (from stdlib/)"))
    print("\ndocs/stdlib.md is stale: run tests/docs/stdlib_doc.py --repo .")
    return 1


if __name__ == "__main__":
    sys.exit(main())
