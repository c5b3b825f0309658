#!/usr/bin/env python3
"""Checks the standard library (stdlib/std/**.kstate) and its instance files
(tests/golden/stdlib/*.kstate).

  check_stdlib.py --kstatec KSTATEC --shared SHARED_DIR

- coverage: every module is imported by at least one instance file (a new
  module needs a test);
- documentation: every parameter of every template is named in the comment
  block directly above its `template` line;
- no literal passwords: no field, env variable or record key whose name says
  password, secret or token is set to a string literal, and no text in a
  string or block string sets one (`password=hunter2`);
- validation: each instance file builds (`kstatec build --format json`, in
  its directory) and every object it prints is valid under the Kubernetes
  schemas of v1.26 and v1.36 (../shared/tools/k8s-validate).

Exits 0 when all pass, 1 otherwise, and 77 (skipped) when the shared
directory is absent and everything that does not need it passed. The last
line is "N passed, M failed" (checks).
"""
import argparse
import glob
import os
import re
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
STDLIB = os.path.join(ROOT, "stdlib")
INSTANCES = os.path.join(ROOT, "tests", "golden", "stdlib")
sys.path.insert(0, os.path.join(ROOT, "tests", "examples"))
import validate_examples  # noqa: E402  (build() and validate() are shared with examples_validate)

SKIP = 77

# A name that holds a credential ends with one of these words (`DB_PASSWORD`,
# `client_secret`; not `password_encryption` or `PASSWORD_FILE`), unless it
# is the camel-case name of a Secret object (`credentialsSecret`, `secretName`).
WORDS = r"(?:password|passwd|pwd|secret|token|api_?key|private_?key)"
SENSITIVE = re.compile(WORDS + r"$", re.IGNORECASE)
SECRET_NAME = re.compile(r"(?:[a-z0-9]Secret|[sS]ecretName)$")


def rel(path):
    return os.path.relpath(path, ROOT)


# ---- a small reader of .kstate text: comments, strings, block strings ----

def lex(text):
    """Splits `text` into (kind, text, line) pieces, in order: kind is 'code',
    'string' (the content, escapes and interpolations as written) or
    'comment'; line is the line the piece starts on."""
    pieces, code, i, n = [], [], 0, len(text)

    def flush():
        if code:
            pieces.append(("code", "".join(code), 0))
            code.clear()

    def add(kind, piece, start):
        flush()
        pieces.append((kind, piece, text.count("\n", 0, start) + 1))

    while i < n:
        if text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            add("comment", text[i:end], i)
            i = end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            add("comment", text[i:end], i)
            i = end
        elif text.startswith('"""', i):
            end = text.find('"""', i + 3)
            end = n if end < 0 else end
            add("string", text[i + 3:end], i)
            i = end + 3
        elif text[i] == '"':
            j, depth = i + 1, 0
            while j < n and text[j] != "\n":
                if text[j] == "\\":
                    j += 2
                    continue
                if text.startswith("${", j):
                    depth += 1
                    j += 2
                    continue
                if text[j] == "}" and depth:
                    depth -= 1
                elif text[j] == '"' and not depth:
                    break
                j += 1
            add("string", text[i + 1:j], i)
            i = j + 1
        else:
            code.append(text[i])
            i += 1
    flush()
    return pieces


def masked(pieces):
    """The code with every string replaced by "S<index>" and comments by blanks,
    keeping the line breaks (so line numbers stay), and the string contents."""
    out, strings = [], []
    for kind, s, _ in pieces:
        if kind == "string":
            out.append(f'"S{len(strings)}"' + "\n" * s.count("\n"))
            strings.append(s)
        elif kind == "comment":
            out.append("\n" * s.count("\n"))
        else:
            out.append(s)
    return "".join(out), strings


# ---- checks ----

def modules():
    """{module path as imported ("std/db/mariadb"): file}"""
    found = {}
    for path in sorted(glob.glob(os.path.join(STDLIB, "std", "**", "*.kstate"), recursive=True)):
        found[os.path.relpath(path, STDLIB)[: -len(".kstate")].replace(os.sep, "/")] = path
    return found


def instance_files():
    return sorted(p for p in glob.glob(os.path.join(INSTANCES, "*.kstate"))
                  if not os.path.basename(p).startswith("fail_"))


IMPORT = re.compile(r'^\s*import\s+"S(\d+)"', re.MULTILINE)


def check_coverage(mods, instances):
    imported = {}
    for path in instances:
        code, strings = masked(lex(open(path, encoding="utf-8").read()))
        for m in IMPORT.finditer(code):
            target = strings[int(m.group(1))]
            if target.startswith("std/"):
                target = target[: -len(".kstate")] if target.endswith(".kstate") else target
                imported.setdefault(target, []).append(rel(path))
    problems = []
    for name, path in mods.items():
        if name not in imported:
            example = f"{rel(INSTANCES)}/{name.split('/')[-1]}.kstate"
            problems.append(f"{rel(path)}: module {name} is imported by no instance file under "
                            f"{rel(INSTANCES)}/ (add one, e.g. {example})")
    for name, users in sorted(imported.items()):
        if name not in mods:
            problems.append(f"{', '.join(users)}: imports {name}, which is not a module under stdlib/")
    return problems


TEMPLATE = re.compile(r"^template\s+([A-Za-z_][\w-]*)\s*\(", re.MULTILINE)


def split_top_level(text):
    """Splits a parameter list at commas outside brackets."""
    parts, depth, start = [], 0, 0
    for i, c in enumerate(text):
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p for p in parts if p.strip()]


def templates(path):
    """[(template name, line, [parameter names], comment block above it)]"""
    text = open(path, encoding="utf-8").read()
    code, _ = masked(lex(text))  # as many lines as `text`
    lines = text.splitlines()
    found = []
    for m in TEMPLATE.finditer(code):
        line = code.count("\n", 0, m.start())
        # The parameter list: from "(" to its matching ")".
        depth, i = 0, m.end() - 1
        while i < len(code):
            if code[i] in "([{":
                depth += 1
            elif code[i] in ")]}":
                depth -= 1
                if depth == 0:
                    break
            i += 1
        params = []
        for part in split_top_level(code[m.end():i]):
            pm = re.match(r"\s*([A-Za-z_][\w-]*)\s*:", part)
            if pm:
                params.append(pm.group(1))
        # The comment block: the `//` lines right above the template line.
        block, j = [], line - 1
        while j >= 0 and lines[j].lstrip().startswith("//"):
            block.insert(0, lines[j].lstrip()[2:])
            j -= 1
        found.append((m.group(1), line + 1, params, "\n".join(block)))
    return found


def check_documentation(mods):
    problems = []
    for name, path in mods.items():
        found = templates(path)
        if not found:
            problems.append(f"{rel(path)}: declares no template")
        for tname, line, params, block in found:
            if not block.strip():
                problems.append(f"{rel(path)}:{line}: template `{tname}` has no comment block above it")
                continue
            for p in params:
                if not re.search(r"(?<![\w-])" + re.escape(p) + r"(?![\w-])", block):
                    problems.append(f"{rel(path)}:{line}: parameter `{p}` of template `{tname}` is not "
                                    f"described in the comment block above it")
    return problems


ASSIGNED_STRING = re.compile(
    r'(?:"S(?P<qkey>\d+)"|(?P<key>[A-Za-z_][\w.-]*))'      # a quoted or bare name
    r"\s*(?::\s*[a-z]+(?:\[[a-z]+\])?\s*)?"                 # a parameter's type
    r'[=:]\s*"S(?P<value>\d+)"')                             # a string literal
SET_IN_TEXT = re.compile(r"(?P<key>[\w.-]*" + WORDS + r")\s*=\s*['\"]?(?P<value>[^\s'\"]*)", re.IGNORECASE)
YAML_IN_TEXT = re.compile(r"^\s*(?P<key>[\w.-]*" + WORDS + r")\s*:\s+['\"]?(?P<value>[^\s'\"]*)",
                          re.IGNORECASE | re.MULTILINE)


def is_reference(value):
    """A value that refers to a credential instead of holding one: an
    interpolation, a shell variable, a printf format or a path."""
    return value != "" and value[0] in "$%{<(/"


def check_passwords(paths):
    problems = []
    for path in paths:
        pieces = lex(open(path, encoding="utf-8").read())
        code, strings = masked(pieces)
        for m in ASSIGNED_STRING.finditer(code):
            key = strings[int(m.group("qkey"))] if m.group("qkey") else m.group("key")
            value = strings[int(m.group("value"))]
            if SENSITIVE.search(key) and not SECRET_NAME.search(key) and not is_reference(value):
                line = code.count("\n", 0, m.start()) + 1
                problems.append(f"{rel(path)}:{line}: `{key}` is set to a string literal; take it from a "
                                f"Secret (secret(NAME, KEY)) instead")
        starts = [line for kind, _, line in pieces if kind == "string"]
        for s, start in zip(strings, starts):
            for pattern in (SET_IN_TEXT, YAML_IN_TEXT):
                for m in pattern.finditer(s):
                    value = m.group("value")
                    if SECRET_NAME.search(m.group("key")) or is_reference(value):
                        continue
                    line = start + s.count("\n", 0, m.start())
                    problems.append(f"{rel(path)}:{line}: a string sets `{m.group('key')}` to the literal "
                                    f"`{value}`; read it from an environment variable filled from a Secret")
    return problems


def check_validation(kstatec, validator, schemas, instances):
    problems = []
    with tempfile.TemporaryDirectory(prefix="kstate-stdlib-") as tmp:
        built = {}
        for path in instances:
            ok, out, message = validate_examples.build(kstatec, path)
            if not ok:
                problems.append(f"{rel(path)}: {message.rstrip()}")
                continue
            target = os.path.join(tmp, os.path.basename(path) + ".json")
            with open(target, "w", encoding="utf-8") as f:
                f.write(out)
            built[rel(path)] = target
        for version, schema in schemas.items():
            if not built:
                break
            results = validate_examples.validate(validator, schema, list(built.values()))
            for name, target in built.items():
                ok_docs, errors = results[target]
                problems += [f"{name}: {version}: {e}" for e in errors]
                if not errors and ok_docs == 0:
                    problems.append(f"{name}: {version}: no objects were validated")
    return problems


def report(title, problems):
    print(("ok   " if not problems else "FAIL ") + title)
    for p in problems:
        for line in p.splitlines():
            print(f"    {line}")
    return not problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kstatec", required=True)
    ap.add_argument("--shared", required=True)
    a = ap.parse_args()
    mods, instances = modules(), instance_files()
    files = list(mods.values()) + instances

    results = [
        report(f"coverage: {len(mods)} modules, {len(instances)} instance files",
               check_coverage(mods, instances) if mods else ["no modules under stdlib/std/"]),
        report("documentation: every template parameter is described", check_documentation(mods)),
        report("no literal passwords in stdlib/ and the instance files", check_passwords(files)),
    ]

    shared = os.path.abspath(a.shared)
    validator = os.path.join(shared, "tools", "k8s-validate")
    schemas = {v: os.path.join(shared, "k8s-openapi", v, "swagger.json") for v in validate_examples.SCHEMAS}
    missing = [p for p in [validator] + list(schemas.values()) if not os.path.isfile(p)]
    if missing:
        passed = sum(results)
        print(f"{passed} passed, {len(results) - passed} failed")
        if passed < len(results):
            return 1
        print(f"skipped: schema validation needs the shared directory (looked for {missing[0]})")
        return SKIP
    results.append(report(f"validation: instance files valid under {', '.join(validate_examples.SCHEMAS)}",
                          check_validation(os.path.abspath(a.kstatec), validator, schemas, instances)))
    passed = sum(results)
    print(f"{passed} passed, {len(results) - passed} failed")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
