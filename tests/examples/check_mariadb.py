#!/usr/bin/env python3
"""The article's MariaDB component compiles to what the design expects.

Runs `kstatec build examples/mariadb/mariadb.kstate`, checks the output with
SHARED/tools/k8s-contains against SHARED/design/mariadb-expected.yaml, and
validates every object strictly against the v1.26 and v1.36 schemas, in YAML
and in JSON. Exit 77 (skipped) when ../shared is absent.
"""
import argparse
import os
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kstatec", required=True)
    ap.add_argument("--shared", required=True)
    a = ap.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    tools = os.path.join(a.shared, "tools")
    if not os.path.isdir(tools):
        print(f"skipped: {a.shared} not found (the shared test data)")
        return 77
    source = os.path.join(root, "examples", "mariadb", "mariadb.kstate")
    failed = 0
    outputs = {}
    for fmt in ("yaml", "json"):
        p = subprocess.run([a.kstatec, "build", source, "--format", fmt], capture_output=True, timeout=60)
        if p.returncode != 0:
            print(f"kstatec build --format {fmt} exited {p.returncode}:\n{p.stderr.decode()}")
            return 1
        outputs[fmt] = p.stdout
    checks = [([os.path.join(tools, "k8s-contains"), os.path.join(a.shared, "design", "mariadb-expected.yaml"), "-"], "yaml")]
    for version in ("v1.26", "v1.36"):
        schema = os.path.join(a.shared, "k8s-openapi", version, "swagger.json")
        for fmt in ("yaml", "json"):
            checks.append(([os.path.join(tools, "k8s-validate"), "--schema", schema, "-"], fmt))
    for cmd, fmt in checks:
        p = subprocess.run([sys.executable] + cmd, input=outputs[fmt], capture_output=True, timeout=120)
        name = f"{os.path.basename(cmd[0])} ({fmt}{', ' + cmd[2].split(os.sep)[-2] if 'validate' in cmd[0] else ''})"
        if p.returncode == 0:
            print(f"ok: {name}")
        else:
            failed += 1
            print(f"FAILED: {name}\n{p.stdout.decode()}{p.stderr.decode()}")
    print(f"{len(checks) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
