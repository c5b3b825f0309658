#!/usr/bin/env python3
"""`kstatec fmt` keeps what a file means and is stable, on layouts nobody wrote by hand.

fmt_examples checks the repository's files as they are. This test changes
their layout first, at random (seeded), and checks the same promises on the
results: comments (`/* */`, `//`) and line breaks, blanks, tabs and `;` put
between tokens, and white space removed or replaced. For every changed file
that `kstatec fmt` accepts:

  - formatting the formatted text changes nothing;
  - `kstatec build` of the changed file and of its formatted text exit alike,
    print the same objects and report the same diagnostic codes.

A change may break the syntax (`fmt` then refuses the file, which is not a
failure here) or move a comment into a string (which changes what the file
means, the same way for both builds). Failing inputs are kept in the
directory given by --keep, named after the file and the round.
"""
import argparse
import glob
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

INSERTS = ["/* c */", "// c\n", "\n", " ", "\n\n\n", "/* a\n b */", ";", "\t", " // c\n  "]
TREES = ("examples", "stdlib", "tests/golden")


def mutate(text, rng):
    """One to three layout changes, most of them next to existing white space."""
    for _ in range(rng.randint(1, 3)):
        pos = rng.randrange(len(text) + 1)
        near = [i for i in range(max(0, pos - 40), min(len(text), pos + 40)) if text[i] in " \n"]
        if near and rng.random() < 0.8:
            pos = rng.choice(near)
        if rng.random() < 0.7:
            text = text[:pos] + rng.choice(INSERTS) + text[pos:]
        else:
            m = re.compile(r"[ \t\n]+").search(text, pos)
            if m:
                text = text[:m.start()] + rng.choice(["", " ", "\n"]) + text[m.end():]
    return text


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kstatec", required=True)
    ap.add_argument("--repo", required=True)
    ap.add_argument("--rounds", type=int, default=300)
    ap.add_argument("--seed", type=int, default=20261124)
    ap.add_argument("--keep", default=os.path.join(tempfile.gettempdir(), "kstate-fmt-mutations"))
    a = ap.parse_args()
    rng = random.Random(a.seed)
    env = dict(os.environ, NO_COLOR="1")

    def run(args, stdin=None):
        try:
            p = subprocess.run([a.kstatec, *args], input=stdin, capture_output=True, timeout=60, env=env)
            return p.returncode, p.stdout, p.stderr
        except subprocess.TimeoutExpired:
            return "timeout", b"", b""

    def codes(err):
        return sorted(set(re.findall(rb"KS\d{4}", err)))

    failures, formatted = [], 0
    with tempfile.TemporaryDirectory() as root:
        # Copies, so that the changed file sits beside what it imports.
        for tree in TREES:
            shutil.copytree(os.path.join(a.repo, tree), os.path.join(root, tree))
        files = sorted(glob.glob(os.path.join(root, "**", "*.kstate"), recursive=True))
        for n in range(a.rounds):
            source = rng.choice(files)
            # Latin-1 maps bytes to characters one to one: files that are not
            # UTF-8 (the KS1008 goldens) are changed and written back byte for byte.
            with open(source, encoding="latin-1", newline="") as f:
                text = f.read()
            changed = mutate(text, rng)
            rel = os.path.relpath(source, root)
            where = os.path.dirname(source)
            changed_path = os.path.join(where, "zz-changed.kstate")
            formatted_path = os.path.join(where, "zz-formatted.kstate")
            with open(changed_path, "w", encoding="latin-1", newline="") as f:
                f.write(changed)

            def fail(what):
                os.makedirs(a.keep, exist_ok=True)
                kept = os.path.join(a.keep, "%s.round%d.kstate" % (rel.replace(os.sep, "_"), n))
                shutil.copy(changed_path, kept)
                failures.append("%s (round %d, kept as %s): %s" % (rel, n, kept, what))

            code, out, err = run(["fmt", "--stdout", changed_path])
            if code not in (0, 1) or b"Sanitizer" in err or b"runtime error" in err:
                fail("fmt exited %s: %s" % (code, err.decode(errors="replace")[-400:]))
                continue
            if code != 0:
                continue  # the change broke the syntax, and fmt refused the file
            formatted += 1
            again = run(["fmt", "--stdout", "-"], stdin=out)
            if again[0] != 0 or again[1] != out:
                fail("formatting the formatted text changed it again")
                continue
            with open(formatted_path, "wb") as f:
                f.write(out)
            before = run(["build", "--root", root, changed_path])
            after = run(["build", "--root", root, formatted_path])
            if before[0] != after[0] or before[1] != after[1] or codes(before[2]) != codes(after[2]):
                fail("the formatted file builds differently: exit %s -> %s, codes %s -> %s, same objects: %s" % (
                    before[0], after[0], codes(before[2]), codes(after[2]), before[1] == after[1]))
            os.unlink(formatted_path)
    print("%d changed files, %d of them formatted by kstatec fmt and checked" % (a.rounds, formatted))
    for f in failures:
        print("FAIL:", f)
    # A test that formats nothing checks nothing.
    if formatted < a.rounds // 4:
        print("FAIL: only %d of %d changed files could be formatted" % (formatted, a.rounds))
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
