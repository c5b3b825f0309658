#!/usr/bin/env python3
"""Runs std/db/cassandra's superuser.sh, as `kstatec build` emits it, against
fake `cqlsh`, `nodetool` and `sleep`, for cqlsh before 4.1 (credentials in
cqlshrc) and from 4.1 (a credentials file). Checks that the script creates
the superuser with the Secret's password, disables `cassandra`, stops, and
that no password ever appears in cqlsh's arguments (anyone on the node can
read those in /proc) or in a file other users could read.

  cassandra_superuser.py --kstatec KSTATEC
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import built

# A fake cqlsh: roles in $STATE/roles.json, every argument list logged.
CQLSH = r'''#!/usr/bin/env python3
import configparser, json, os, re, sys
state = os.environ["STATE"]
if sys.argv[1:] == ["--help"]:
    print("  --cqlshrc=CQLSHRC")
    if os.environ["NEW_CQLSH"] == "1":
        print("  --credentials=CREDENTIALS")
    sys.exit(0)
args = sys.argv[1:]
with open(os.path.join(state, "argv.log"), "a") as log:
    log.write(json.dumps(args) + "\n")
user = args[args.index("-u") + 1]
option = "--credentials=" if os.environ["NEW_CQLSH"] == "1" else "--cqlshrc="
path = [a for a in args if a.startswith(option)][0][len(option):]
if os.stat(path).st_mode & 0o077:
    sys.exit("credentials file readable by others: %o" % os.stat(path).st_mode)
parser = configparser.RawConfigParser()
parser.read(path)
password = parser.get("PlainTextAuthProvider" if option == "--credentials=" else "authentication", "password")
with open(os.path.join(state, "roles.json")) as f:
    roles = json.load(f)
role = roles.get(user)
if not role or role["password"] != password or not role["login"]:
    sys.exit("Connection error: bad credentials for %s" % user)
with open(args[args.index("-f") + 1]) as f:
    cql = f.read()
created = re.search(r"CREATE ROLE IF NOT EXISTS \"([^\"]+)\"\s+WITH SUPERUSER = true AND LOGIN = true "
                    r"AND PASSWORD = '((?:[^']|'')*)';", cql)
if created:
    roles.setdefault(created.group(1), {"password": created.group(2).replace("''", "'"), "login": True})
if re.search(r"ALTER ROLE cassandra WITH SUPERUSER = false AND LOGIN = false\s+AND PASSWORD = '[^']+';", cql):
    roles["cassandra"]["login"] = False
with open(os.path.join(state, "roles.json"), "w") as f:
    json.dump(roles, f)
'''


def script(kstatec):
    for o in built.objects(kstatec, "cassandra"):
        if o.get("kind") == "ConfigMap" and "superuser.sh" in o.get("data", {}):
            return o["data"]["superuser.sh"]
    sys.exit("no ConfigMap with superuser.sh in the build of tests/golden/stdlib/cassandra.kstate")


def run(text, new_cqlsh, password):
    with tempfile.TemporaryDirectory() as tmp:
        bin_dir, state = os.path.join(tmp, "bin"), os.path.join(tmp, "state")
        os.mkdir(bin_dir)
        os.mkdir(state)
        tools = {"cqlsh": CQLSH, "nodetool": "#!/bin/sh\nprintf 'UN a\\nUN b\\nUN c\\n'\n", "sleep": "#!/bin/sh\n"}
        for name, body in tools.items():
            path = os.path.join(bin_dir, name)
            with open(path, "w") as f:
                f.write(body)
            os.chmod(path, 0o755)
        with open(os.path.join(state, "roles.json"), "w") as f:
            json.dump({"cassandra": {"password": "cassandra", "login": True}}, f)
        path = os.path.join(tmp, "superuser.sh")
        with open(path, "w") as f:
            f.write(text)
        env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ["PATH"], STATE=state, TMPDIR=tmp,
                   NEW_CQLSH="1" if new_cqlsh else "0", SUPERUSER="admin", SUPERUSER_PASSWORD=password,
                   CASSANDRA_DC="dc1")
        try:
            p = subprocess.run(["bash", path], env=env, capture_output=True, text=True, timeout=30)
        except subprocess.TimeoutExpired as e:  # the script retries until it succeeds
            out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
            p = subprocess.CompletedProcess(e.cmd, -1, out, "did not finish in 30 s")
        with open(os.path.join(state, "roles.json")) as f:
            roles = json.load(f)
        argv = []
        if os.path.exists(os.path.join(state, "argv.log")):
            with open(os.path.join(state, "argv.log")) as f:
                argv = [json.loads(line) for line in f]
        left = sorted(set(os.listdir(tmp)) - {"bin", "state", "superuser.sh"})
        return p, roles, argv, left


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kstatec", required=True)
    args = ap.parse_args()
    text = script(args.kstatec)
    password = "it's 100% s3cret"
    failures = 0
    for new_cqlsh in (False, True):
        what = "cqlsh %s 4.1" % ("from" if new_cqlsh else "before")
        p, roles, argv, left = run(text, new_cqlsh, password)
        problems = []
        if p.returncode != 0:
            problems.append("exit %d: %s" % (p.returncode, p.stderr.strip()))
        if 'created the superuser "admin" and disabled "cassandra"' not in p.stdout:
            problems.append("no success line in: " + p.stdout.strip())
        if roles.get("admin") != {"password": password, "login": True}:
            problems.append("admin role: %r" % roles.get("admin"))
        if roles["cassandra"]["login"]:
            problems.append("`cassandra` can still log in")
        exposed = [a for a in argv
                   if password in " ".join(a) or "-p" in a or any(x.startswith("--password") for x in a)]
        if exposed:
            problems.append("a password in the arguments of %d of %d cqlsh runs, the first: %r"
                            % (len(exposed), len(argv), exposed[0]))
        if left:
            problems.append("files left behind: %r" % left)
        print("%s: %s" % (what, "ok" if not problems else "FAILED"))
        for problem in problems:
            print("  " + problem)
        failures += bool(problems)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
