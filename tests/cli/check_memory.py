#!/usr/bin/env python3
"""`kstatec build` streams its output: its peak memory stays near `check`'s.

This holds for standard output and for `-o DIR` (one file per object).

`build` lowers a few components at a time and writes their text, so beyond
what `check` holds (syntax, checked components) it needs about the size of
the output. Holding every object's tree at once (as object_count() or
object() do, for the language server) costs about ten times the
output; a build that did so went from 108 MB to 414 MB for 10,000
components, past the 150 MB goal of bench/results.md.

The test compares the peak resident set size of `check` and `build` (YAML
and JSON, to standard output and to a directory) of the same generated file. Sizes, not times:
they do not depend on the machine's load. Under AddressSanitizer the
allocator's quarantine is turned off, so freed trees do not count as held.
"""
import argparse
import os
import subprocess
import sys
import tempfile

COMPONENTS = 2000


def peak_rss_bytes(argv, stdout):
    """Runs argv; returns (exit status, peak resident set size in bytes)."""
    env = dict(os.environ, NO_COLOR="1")
    env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS", ""), "quarantine_size_mb=0"]))
    proc = subprocess.Popen(argv, stdout=stdout, stderr=subprocess.PIPE, env=env)
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.stderr.write(err.decode(errors="replace"))
    return proc.returncode, usage.ru_maxrss * 1024  # ru_maxrss is in kB on Linux


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kstatec", required=True)
    ap.add_argument("--generator", required=True, help="bench/gen_components.py")
    a = ap.parse_args()
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "many.kstate")
        subprocess.run([sys.executable, a.generator, str(COMPONENTS), src], check=True)
        rc, check_rss = peak_rss_bytes([a.kstatec, "check", src], subprocess.DEVNULL)
        if rc != 0:
            print(f"FAIL: kstatec check exited {rc}")
            return 1
        for fmt in ("yaml", "json"):
            for to_dir in (False, True):
                out = os.path.join(tmp, "out-" + fmt + ("-dir" if to_dir else "." + fmt))
                argv = [a.kstatec, "build", "--format", fmt, src]
                if to_dir:
                    rc, build_rss = peak_rss_bytes(argv + ["-o", out], subprocess.DEVNULL)
                    size = sum(os.path.getsize(os.path.join(out, n)) for n in os.listdir(out)) if rc == 0 else 0
                else:
                    with open(out, "wb") as f:
                        rc, build_rss = peak_rss_bytes(argv, f)
                    size = os.path.getsize(out)
                what = fmt + (" -o DIR" if to_dir else "")
                extra = build_rss - check_rss
                line = (f"{what}: check {check_rss / 1e6:.1f} MB, build {build_rss / 1e6:.1f} MB, "
                        f"output {size / 1e6:.1f} MB: build holds {extra / 1e6:.1f} MB more than check")
                print(line)
                if rc != 0:
                    failures.append(f"{what}: kstatec build exited {rc}")
                # Streaming holds about the output (the text of every chunk
                # until it is written; with -o DIR, one object's text and the
                # names of the files); whole trees hold about ten times it.
                elif extra > 2 * size:
                    failures.append(f"{line}, over twice the output: the objects are held as trees, not streamed")
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
