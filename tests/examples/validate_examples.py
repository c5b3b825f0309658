#!/usr/bin/env python3
"""Builds every examples/*/*.kstate and validates the objects strictly against
the Kubernetes OpenAPI schemas of v1.26 and v1.36 (../shared/tools/k8s-validate).

  validate_examples.py --kstatec KSTATEC --shared SHARED_DIR

An example passes when `kstatec build` exits 0 and every object it prints is
valid under both schemas. Exits 0 when all pass, 1 otherwise, 77 (skipped)
when the shared directory with the validator and the schemas is absent. The
last line is "N passed, M failed" (examples).
"""
import argparse
import glob
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SCHEMAS = ("v1.26", "v1.36")
SKIP = 77


def build(kstatec, path):
    """Runs `kstatec build` in the file's directory; returns (ok, json_text, message)."""
    directory, name = os.path.split(path)
    env = dict(os.environ, NO_COLOR="1")
    p = subprocess.run([kstatec, "build", name, "--format", "json"], cwd=directory, env=env,
                       capture_output=True, timeout=60)
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    if p.returncode != 0:
        return False, out, f"kstatec build exited {p.returncode}\n{err}"
    return True, out, ""


def validate(validator, schema, files):
    """Validates all files in one run (the schema loads once); returns {file: (ok_docs, [errors])}."""
    p = subprocess.run([sys.executable, validator, "--schema", schema] + files, capture_output=True, timeout=600)
    text = p.stdout.decode("utf-8", "replace") + p.stderr.decode("utf-8", "replace")
    results = {f: [0, []] for f in files}
    for line in text.splitlines():
        for f in files:
            if line.startswith(f + ": "):
                rest = line[len(f) + 2:]
                if re.match(r"doc \d+ \(.*\): ok$", rest):
                    results[f][0] += 1
                else:
                    results[f][1].append(rest)
                break
    if p.returncode not in (0, 1):
        for f in files:
            results[f][1].append(f"k8s-validate exited {p.returncode}: {text.strip()}")
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kstatec", required=True)
    ap.add_argument("--shared", required=True)
    a = ap.parse_args()
    shared = os.path.abspath(a.shared)
    validator = os.path.join(shared, "tools", "k8s-validate")
    schemas = {v: os.path.join(shared, "k8s-openapi", v, "swagger.json") for v in SCHEMAS}
    missing = [p for p in [validator] + list(schemas.values()) if not os.path.isfile(p)]
    if missing:
        print(f"skipped: ../shared not found (looked for {missing[0]})")
        return SKIP
    kstatec = os.path.abspath(a.kstatec)
    inputs = sorted(glob.glob(os.path.join(ROOT, "examples", "*", "*.kstate")))
    if not inputs:
        print("no examples found under", os.path.join(ROOT, "examples"))
        print("0 passed, 1 failed")
        return 1

    failures = {}  # example -> list of messages
    with tempfile.TemporaryDirectory(prefix="kstate-validate-") as tmp:
        built = {}  # example -> json file
        for path in inputs:
            rel = os.path.relpath(path, ROOT)
            ok, out, message = build(kstatec, path)
            if not ok:
                failures[rel] = [message.rstrip()]
                continue
            target = os.path.join(tmp, rel.replace(os.sep, "__") + ".json")
            with open(target, "w", encoding="utf-8") as f:
                f.write(out)
            built[rel] = target
        for version, schema in schemas.items():
            if not built:
                break
            results = validate(validator, schema, list(built.values()))
            for rel, target in built.items():
                ok_docs, errors = results[target]
                if errors:
                    failures.setdefault(rel, []).extend(f"{version}: {e}" for e in errors)
                elif ok_docs == 0:
                    failures.setdefault(rel, []).append(f"{version}: no objects were validated")

    passed = 0
    for path in inputs:
        rel = os.path.relpath(path, ROOT)
        if rel in failures:
            print(f"FAIL {rel}")
            for m in failures[rel]:
                for line in m.splitlines():
                    print(f"    {line}")
        else:
            passed += 1
            print(f"ok   {rel} (valid under {', '.join(SCHEMAS)})")
    failed = len(inputs) - passed
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
