#!/usr/bin/env python3
"""The kstatec command line keeps its contract: exit codes, --werror, -o DIR.

`build -o DIR` also removes the files of its last build into DIR that it does
not write again (listed in DIR/.kstatec-files), and nothing else.

  0  ok (warnings allowed), with the manifests on stdout
  1  errors in the input (or warnings under --werror), nothing on stdout
  2  wrong usage
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

CLEAN = """component db {
  image = "postgres:16.4"
  port pg = 5432
  readiness = tcp(pg)
  resources { cpu = 500m; memory = 1Gi }
  storage data { size = 1Gi; mount = "/var/lib/postgresql" }
}
"""
WARNS = CLEAN.replace('  readiness = tcp(pg)\n', '')
BROKEN = CLEAN.replace('image', 'imag')


def read(path):
    with open(path) as f:
        return f.read()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kstatec", required=True)
    a = ap.parse_args()
    failures = []
    checks = 0

    def run(*args):
        try:
            return subprocess.run([a.kstatec, *args], capture_output=True, timeout=60,
                                  env=dict(os.environ, NO_COLOR="1"))
        except subprocess.TimeoutExpired:  # a hang is a failure of that check, not of the script
            return subprocess.CompletedProcess(args, -1, b"", b"timed out after 60 s")

    def expect(what, cond, p=None):
        nonlocal checks
        checks += 1
        if not cond:
            failures.append(what + ("" if p is None else f"\n  exit {p.returncode}\n  stderr: {p.stderr.decode()[:400]}"))

    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for name, text in (("clean", CLEAN), ("warns", WARNS), ("broken", BROKEN)):
            files[name] = os.path.join(tmp, name + ".kstate")
            with open(files[name], "w") as f:
                f.write(text)

        p = run("build", files["clean"])
        expect("a clean build exits 0 and prints YAML", p.returncode == 0 and b"kind: StatefulSet" in p.stdout, p)
        once = p.stdout
        same = os.path.join(os.path.dirname(files["clean"]), ".", "clean.kstate")
        p = run("build", files["clean"], same)
        expect("a file named twice is compiled once", p.returncode == 0 and p.stdout == once, p)
        p = run("build", files["clean"], "--format", "json")
        expect("--format json prints a JSON List", p.returncode == 0 and json.loads(p.stdout)["kind"] == "List", p)
        templates = os.path.join(tmp, "templates.kstate")
        with open(templates, "w") as f:
            f.write("// only a template\ntemplate db(replicas: int = 1) {\n  replicas = replicas\n}\n")
        p = run("build", templates)
        expect("a build without components exits 0 and says there is nothing to write",
               p.returncode == 0 and not p.stdout and b"declare no components" in p.stderr, p)
        p = run("check", templates)
        expect("check of a file of templates says nothing", p.returncode == 0 and not p.stderr, p)
        p = run("build", files["warns"])
        expect("warnings alone exit 0, with output", p.returncode == 0 and p.stdout and b"KS3102" in p.stderr, p)
        p = run("build", files["warns"], "--werror")
        expect("--werror exits 1 and writes nothing", p.returncode == 1 and not p.stdout, p)
        p = run("build", files["broken"])
        expect("an error exits 1 and writes nothing", p.returncode == 1 and not p.stdout and b"KS2001" in p.stderr, p)
        p = run("check", files["broken"], "--diagnostics", "json")
        diags = json.loads(p.stderr) if p.returncode == 1 else []
        expect("--diagnostics json gives one array with the code", any(d["code"] == "KS2001" for d in diags), p)
        p = run("build", os.path.join(tmp, "missing.kstate"))
        expect("a missing file exits 1 with KS4001", p.returncode == 1 and b"KS4001" in p.stderr, p)
        for args in (("build",), ("frobnicate",), ("build", files["clean"], "--format", "xml"), ()):
            p = run(*args)
            expect(f"usage error {args!r} exits 2", p.returncode == 2, p)
        p = run("--version")
        expect("--version exits 0", p.returncode == 0 and p.stdout.startswith(b"kstatec "), p)
        p = run("--help")
        expect("--help exits 0 with examples", p.returncode == 0 and b"Examples:" in p.stdout, p)

        out = os.path.join(tmp, "out")
        p = run("build", files["clean"], "-o", out)
        names = sorted(os.listdir(out)) if os.path.isdir(out) else []
        expect("-o DIR writes one file per object in apply order, and the list of them",
               p.returncode == 0 and names == [".kstatec-files", "01-service-db.yaml", "02-statefulset-db.yaml"]
               and read(os.path.join(out, ".kstatec-files")) == "01-service-db.yaml\n02-statefulset-db.yaml\n", p)
        # A second component moves the first's StatefulSet from 02 to 03; the
        # old 02 must go, or `kubectl apply -f DIR` applies the old StatefulSet
        # before the new one. Files the list does not name stay.
        two = os.path.join(tmp, "two.kstate")
        with open(two, "w") as f:
            f.write(CLEAN + CLEAN.replace("component db", "component cache"))
        for name in ("notes.txt", "99-mine.yaml"):
            with open(os.path.join(out, name), "w") as f:
                f.write("mine")
        p = run("build", two, "-o", out)
        expect("-o DIR removes the files of its last build it does not write again, and only those",
               p.returncode == 0 and sorted(os.listdir(out)) == [
                   ".kstatec-files", "01-service-db.yaml", "02-service-cache.yaml", "03-statefulset-db.yaml",
                   "04-statefulset-cache.yaml", "99-mine.yaml", "notes.txt"], p)
        # A list edited by hand: names outside DIR, directories, links and
        # names kstatec does not write are never removed; a FIFO in the list's
        # place is not read (no hang).
        victim = os.path.join(tmp, "victim")
        with open(victim, "w") as f:
            f.write("keep")
        os.mkdir(os.path.join(out, "05-dir.yaml"))
        os.symlink(victim, os.path.join(out, "06-link.yaml"))
        with open(os.path.join(out, ".kstatec-files"), "w") as f:
            f.write("../victim\n01-x/../../victim.yaml\n05-dir.yaml\n06-link.yaml\nnotes.txt\n\n" + "9" * 5000 + "\n")
        p = run("build", files["clean"], "-o", out)
        expect("-o DIR removes nothing a hand-edited list names outside what it writes",
               p.returncode == 0 and read(victim) == "keep" and sorted(os.listdir(out)) == [
                   ".kstatec-files", "01-service-db.yaml", "02-service-cache.yaml", "02-statefulset-db.yaml",
                   "03-statefulset-db.yaml", "04-statefulset-cache.yaml", "05-dir.yaml", "06-link.yaml", "99-mine.yaml",
                   "notes.txt"]
               and os.path.isdir(os.path.join(out, "05-dir.yaml")) and os.path.islink(os.path.join(out, "06-link.yaml")),
               p)
        os.remove(os.path.join(out, ".kstatec-files"))
        os.mkfifo(os.path.join(out, ".kstatec-files"))
        p = run("build", two, "-o", out)
        expect("-o DIR does not read a FIFO in place of its list",
               p.returncode == 0 and os.path.isfile(os.path.join(out, ".kstatec-files")), p)
        blocked = os.path.join(tmp, "file")
        open(blocked, "w").close()
        p = run("build", files["clean"], "-o", os.path.join(blocked, "sub"))
        expect("-o into a path below a file exits 1 with KS4002", p.returncode == 1 and b"KS4002" in p.stderr, p)
        p = run("build", files["warns"], "-o", os.path.join(tmp, "out2"), "--werror")
        expect("-o with --werror and warnings writes nothing",
               p.returncode == 1 and not os.path.exists(os.path.join(tmp, "out2")), p)
        # Temporary files are new files of unpredictable names: a symbolic link
        # planted where an old, predictable name would be is not written through.
        planted = os.path.join(tmp, "out3")
        os.mkdir(planted)
        victim = os.path.join(tmp, "victim")
        with open(victim, "w") as f:
            f.write("keep")
        os.symlink(victim, os.path.join(planted, ".01-service-db.yaml.tmp"))
        p = run("build", files["clean"], "-o", planted)
        expect("-o writes through no planted symbolic link",
               p.returncode == 0 and open(victim).read() == "keep"
               and sorted(os.listdir(planted)) == [".01-service-db.yaml.tmp", ".kstatec-files", "01-service-db.yaml",
                                                    "02-statefulset-db.yaml"], p)
        for args in (("build", files["clean"], "-o", ""), ("check", files["clean"], "--error-limit", "-1"),
                     ("status", files["clean"], "-n", "../namespaces/other")):
            p = run(*args)
            expect(f"usage error {args!r} exits 2", p.returncode == 2, p)

        # Standard output that cannot be written is KS4002, for fmt too.
        if os.path.exists("/dev/full"):
            with open("/dev/full", "wb") as full:
                for args in (("build", files["clean"]), ("fmt", "--stdout", files["clean"])):
                    q = subprocess.run([a.kstatec, *args], stdout=full, stderr=subprocess.PIPE, timeout=60)
                    expect(f"{args[0]} to a full standard output exits 1 with KS4002",
                           q.returncode == 1 and b"KS4002" in q.stderr, q)
        # An import of a named pipe is refused at once, not waited on.
        fifo = os.path.join(tmp, "pipe.kstate")
        os.mkfifo(fifo)
        importer = os.path.join(tmp, "imports_pipe.kstate")
        with open(importer, "w") as f:
            f.write('import "./pipe.kstate"\n')
        p = run("check", importer)
        expect("an import of a named pipe is KS2027, without waiting",
               p.returncode == 1 and b"KS2027" in p.stderr and b"not a regular file" in p.stderr, p)
        # Inputs are refused above 256 MiB before they are read (a sparse file).
        huge = os.path.join(tmp, "huge.kstate")
        with open(huge, "wb") as f:
            f.truncate(257 << 20)
        for command in ("check", "fmt"):
            p = run(command, huge)
            expect(f"{command} refuses a file over 256 MiB with KS4001",
                   p.returncode == 1 and b"larger than 256 MiB" in p.stderr and b"KS4001" in p.stderr, p)

    for f in failures:
        print("FAILED:", f)
    print(f"{checks - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
