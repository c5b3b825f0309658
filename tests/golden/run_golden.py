#!/usr/bin/env python3
"""Runs one golden test: a .kstate input beside its expected outputs.

  name.kstate          the input
  name.yaml            expected stdout of `kstatec build` (inputs without the fail_ prefix)
  name.stderr          expected diagnostics (required for fail_ inputs; optional otherwise,
                       where its absence means "no diagnostics at all")

Inputs named fail_* must make `kstatec check` exit 1; the others must build with exit 0.
kstatec runs in the input's directory with the bare file name, so paths in
diagnostics are stable. With KSTATEC_UPDATE_GOLDEN=1 the expected files are
rewritten from what kstatec printed; nobody edits them by hand.
"""
import argparse
import difflib
import os
import subprocess
import sys


def run(kstatec, args, cwd):
    env = dict(os.environ, NO_COLOR="1")
    p = subprocess.run([kstatec] + args, cwd=cwd, capture_output=True, env=env, timeout=60)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def compare(path, actual, update):
    if update:
        if actual:
            with open(path, "w", encoding="utf-8") as f:
                f.write(actual)
        elif os.path.exists(path):
            os.remove(path)
        return True
    expected = open(path, encoding="utf-8").read() if os.path.exists(path) else ""
    if expected == actual:
        return True
    diff = difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                fromfile=path + " (expected)", tofile=path + " (actual)")
    sys.stdout.writelines(diff)
    print(f"\nmismatch in {path}; if the change is intended, rerun with KSTATEC_UPDATE_GOLDEN=1")
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kstatec", required=True)
    ap.add_argument("input")
    a = ap.parse_args()
    update = os.environ.get("KSTATEC_UPDATE_GOLDEN") == "1"
    kstatec = os.path.abspath(a.kstatec)
    directory, name = os.path.split(os.path.abspath(a.input))
    stem = name[: -len(".kstate")]
    fail = stem.startswith("fail_")
    cmd = ["check" if fail else "build", name, "--color", "never", "--error-limit", "0"]
    code, out, err = run(kstatec, cmd, directory)
    ok = True
    want = 1 if fail else 0
    if code != want:
        print(f"kstatec {' '.join(cmd)} exited {code}, expected {want}\n{err}")
        ok = False
    if fail and not err.strip():
        print("a fail_ test must print diagnostics")
        ok = False
    if not fail:
        ok &= compare(os.path.join(directory, stem + ".yaml"), out, update)
    ok &= compare(os.path.join(directory, stem + ".stderr"), err, update)
    print("1 passed, 0 failed" if ok else "0 passed, 1 failed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
