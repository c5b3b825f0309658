#!/usr/bin/env python3
"""`kstatec fmt` over the repository and on the command line.

  check_format.py --kstatec K --repo R examples
      every .kstate under examples/ and stdlib/: formatting is idempotent, the
      formatted file builds to exactly the same output as the original, and
      `kstatec fmt --check` finds nothing to change (the checked-in files are
      formatted); every golden input under tests/golden/ that parses formats
      idempotently (the goldens themselves are not reformatted: their
      expected diagnostics name lines and columns).
  check_format.py --kstatec K --repo R cli
      the command's contract: --check, --diff, --stdout, `-`, rewriting in
      place (atomically, keeping the mode, leaving formatted files alone),
      syntax errors, unreadable files and usage errors.
"""
import argparse
import glob
import os
import shutil
import stat
import subprocess
import sys
import tempfile

failures = []


def run(kstatec, args, cwd=None, stdin=None):
    p = subprocess.run([kstatec] + args, cwd=cwd, input=stdin, capture_output=True, timeout=120,
                       env=dict(os.environ, NO_COLOR="1"))
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def expect(what, cond, detail=""):
    if not cond:
        failures.append(what + (f"\n    {detail}" if detail else ""))


def kstate_files(repo, *dirs):
    files = []
    for d in dirs:
        files += glob.glob(os.path.join(repo, d, "**", "*.kstate"), recursive=True)
    return sorted(files)


def build(kstatec, path):
    """`kstatec build` run beside the file with its bare name, like the golden tests."""
    directory, name = os.path.split(path)
    code, out, _ = run(kstatec, ["build", name, "--color", "never", "--error-limit", "0"], cwd=directory)
    return code, out


def check_repository(kstatec, repo):
    files = kstate_files(repo, "examples", "stdlib")
    expect("there are examples to check", files)
    with tempfile.TemporaryDirectory() as tmp:
        copies = {}
        for path in files:
            rel = os.path.relpath(path, repo)
            code, once, err = run(kstatec, ["fmt", "--stdout", path])
            if code != 0:
                expect(f"{rel}: kstatec fmt --stdout exits 0", False, err.strip())
                continue
            code, twice, err = run(kstatec, ["fmt", "-"], stdin=once.encode())
            expect(f"{rel}: formatting twice changes nothing", code == 0 and twice == once, err.strip())
            # The formatted text, built from a copy of the file's folder (relative
            # imports keep working), gives the same objects as the original.
            directory = os.path.dirname(path)
            if directory not in copies:
                copies[directory] = os.path.join(tmp, str(len(copies)))
                shutil.copytree(directory, copies[directory])
            copy = os.path.join(copies[directory], os.path.basename(path))
            with open(copy, "w", encoding="utf-8", newline="") as f:
                f.write(once)
            original, formatted = build(kstatec, path), build(kstatec, copy)
            shutil.copyfile(path, copy)
            expect(f"{rel}: the formatted file builds to the same bytes", original == formatted,
                   f"exit {original[0]} -> {formatted[0]}; output {len(original[1])} -> {len(formatted[1])} bytes")
    if files:
        code, out, err = run(kstatec, ["fmt", "--check"] + files)
        expect("kstatec fmt --check finds examples/ and stdlib/ formatted", code == 0 and out == "",
               f"exit {code}; run `kstatec fmt` on:\n{out}{err}")

    for path in kstate_files(repo, "tests/golden"):
        rel = os.path.relpath(path, repo)
        code, once, err = run(kstatec, ["fmt", "--stdout", path])
        if code != 0:
            expect(f"{rel}: a golden input that is not fail_* formats", os.path.basename(path).startswith("fail_"),
                   err.strip())
            continue
        code, twice, _ = run(kstatec, ["fmt", "-"], stdin=once.encode())
        expect(f"{rel}: formatting twice changes nothing", code == 0 and twice == once)


MESSY = 'component db{image="postgres:16.4";port pg=5432\n  readiness=tcp(pg)\n resources{cpu=500m;memory=1Gi}}\n'
NEAT = ('component db {\n  image = "postgres:16.4"\n  port pg = 5432\n  readiness = tcp(pg)\n'
        '  resources { cpu = 500m; memory = 1Gi }\n}\n')
BROKEN = 'component db {\n  image = "postgres:16.4"\n  replicas = \n}\n'


def check_cli(kstatec):
    with tempfile.TemporaryDirectory() as tmp:
        def write(name, text, mode=0o644):
            path = os.path.join(tmp, name)
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(text)
            os.chmod(path, mode)
            return path

        def read(path):
            with open(path, encoding="utf-8", newline="") as f:
                return f.read()

        messy, neat, broken = write("messy.kstate", MESSY, 0o640), write("neat.kstate", NEAT), write("broken.kstate", BROKEN)

        code, out, _ = run(kstatec, ["fmt", "--check", messy, neat])
        expect("--check exits 1 and lists only the file that would change", code == 1 and out == messy + "\n",
               f"exit {code}, stdout {out!r}")
        expect("--check writes nothing", read(messy) == MESSY)
        code, out, _ = run(kstatec, ["fmt", "--diff", messy])
        expect("--diff exits 1 and prints a unified diff",
               code == 1 and "--- " in out and "+++ " in out and "\n@@ -1," in out and '\n+  image = "postgres:16.4"\n' in out,
               out)
        expect("--diff writes nothing", read(messy) == MESSY)
        code, out, _ = run(kstatec, ["fmt", "--stdout", messy])
        expect("--stdout prints the formatted text and writes nothing", code == 0 and out == NEAT and read(messy) == MESSY,
               out)
        code, out, _ = run(kstatec, ["fmt", "-"], stdin=MESSY.encode())
        expect("`-` formats standard input to standard output", code == 0 and out == NEAT, out)
        code, out, _ = run(kstatec, ["fmt", "--check", "-"], stdin=MESSY.encode())
        expect("--check - names standard input", code == 1 and out == "<stdin>\n", out)

        before = os.stat(neat)
        code, out, err = run(kstatec, ["fmt", messy, neat])
        expect("fmt rewrites in place, silently", code == 0 and out == "" and err == "", err)
        expect("the rewritten file is formatted", read(messy) == NEAT)
        expect("the rewritten file keeps its mode", stat.S_IMODE(os.stat(messy).st_mode) == 0o640,
               oct(os.stat(messy).st_mode))
        after = os.stat(neat)
        expect("a formatted file is left untouched",
               (before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns))
        expect("no temporary file is left behind",
               sorted(os.listdir(tmp)) == ["broken.kstate", "messy.kstate", "neat.kstate"], os.listdir(tmp))
        code, out, _ = run(kstatec, ["fmt", "--check", messy])
        expect("after fmt, --check exits 0", code == 0 and out == "")

        crlf = write("crlf.kstate", NEAT.replace("\n", "\r\n"))
        code, _, _ = run(kstatec, ["fmt", crlf])
        expect("CRLF line breaks are rewritten as LF", code == 0 and read(crlf) == NEAT)
        target = write("target.kstate", MESSY)
        link = os.path.join(tmp, "link.kstate")
        os.symlink("target.kstate", link)
        code, _, _ = run(kstatec, ["fmt", link])
        expect("through a symbolic link the target is rewritten", code == 0 and os.path.islink(link) and read(target) == NEAT)

        first = write("first.kstate", MESSY)
        second = os.path.join(tmp, "second.kstate")
        os.link(first, second)
        code, _, err = run(kstatec, ["fmt", first])
        expect("a file with hard links is refused (KS4002) and left untouched",
               code == 1 and "[KS4002]" in err and "hard links" in err and read(first) == MESSY, err)
        os.unlink(second)
        if os.geteuid() == 0:
            owned = write("owned.kstate", MESSY)
            os.chown(owned, 65534, 65534)
            code, _, err = run(kstatec, ["fmt", owned])
            expect("the rewritten file keeps its owner and group",
                   code == 0 and read(owned) == NEAT and (os.stat(owned).st_uid, os.stat(owned).st_gid) == (65534, 65534),
                   err)
        else:
            locked = write("locked.kstate", MESSY, 0o444)
            code, _, err = run(kstatec, ["fmt", locked])
            expect("a file this user may not write is refused (KS4002) and left untouched",
                   code == 1 and "[KS4002]" in err and read(locked) == MESSY, err)

        code, out, err = run(kstatec, ["fmt", broken])
        expect("a syntax error exits 1 with a diagnostic like `kstatec check`",
               code == 1 and err.startswith(broken + ":4:1: error: ") and "[KS1001]" in err and "^" in err
               and err.endswith("1 error\n"), err)
        expect("a file with a syntax error is left untouched", read(broken) == BROKEN)
        code, out, err = run(kstatec, ["fmt", "--check", broken, neat])
        expect("--check with a syntax error exits 1", code == 1 and out == "" and "[KS1001]" in err, err)
        broken2 = write("broken2.kstate", BROKEN)
        code, _, err = run(kstatec, ["fmt", broken, neat, broken2])
        expect("several files with errors end with one summary for the run, not one per file",
               code == 1 and err.count("[KS1001]") == 2 and err.endswith("\n2 errors in 2 of 3 files\n")
               and " error\n" not in err and read(broken2) == BROKEN, err)
        code, _, err = run(kstatec, ["fmt", os.path.join(tmp, "missing.kstate")])
        expect("a missing file exits 1 with KS4001", code == 1 and "[KS4001]" in err, err)
        code, _, err = run(kstatec, ["fmt", tmp])
        expect("a directory exits 1 with KS4001", code == 1 and "[KS4001]" in err, err)

        for args in (["fmt"], ["fmt", "--check", "--stdout", neat], ["fmt", "--diff", "--stdout", neat],
                     ["fmt", "--frobnicate", neat]):
            code, _, _ = run(kstatec, args)
            expect(f"usage error {args!r} exits 2", code == 2, f"exit {code}")
        code, out, _ = run(kstatec, ["fmt", "--help"])
        expect("fmt --help exits 0 with examples", code == 0 and "Examples:" in out and "--check" in out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kstatec", required=True)
    ap.add_argument("--repo", required=True)
    ap.add_argument("part", choices=["examples", "cli"])
    a = ap.parse_args()
    kstatec = os.path.abspath(a.kstatec)
    if a.part == "examples":
        check_repository(kstatec, os.path.abspath(a.repo))
    else:
        check_cli(kstatec)
    for f in failures:
        print("FAIL:", f)
    print("ok" if not failures else f"{len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
