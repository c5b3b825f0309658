#!/usr/bin/env python3
"""Runs one language server transcript: a readable file of messages to send
to `kstatec lsp` and the messages expected back.

Syntax (one item per block; a block runs until the next marker line):
  # comment
  --> {JSON}            send a request or notification ("jsonrpc" may be left out)
  --> raw "TEXT"        send raw bytes (a JSON string literal), to test framing
  <-- {JSON}            expect a message: with "id", the response to that id;
                        with "method", the next notification of that method
                        (with "params.version", the one for that version).
                        Objects match when every expected key matches (extra
                        keys are allowed); lists match element by element and
                        must have the same length; a string starting with "~"
                        is a regular expression searched in the actual string;
                        "<any>" matches anything; {"$includes": [...]} matches a
                        list holding a match for each element given.
  <-- exit N            close the input and expect exit code N
Substitutions in JSON: ${URI:path} (a file URI for a path under the
transcript's files/ directory), ${TEXT:path} (that file's text as a JSON
string), ${ROOT} (the URI of the files/ directory).
"""
import argparse
import json
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lsp_client import Client, ServerError  # noqa: E402


def substitute(text, files_dir):
    def uri(m):
        return "file://" + os.path.join(files_dir, m.group(1))

    def body(m):
        with open(os.path.join(files_dir, m.group(1)), encoding="utf-8") as f:
            return json.dumps(f.read(), ensure_ascii=False)

    text = re.sub(r"\$\{URI:([^}]+)\}", uri, text)
    text = re.sub(r"\$\{TEXT:([^}]+)\}", body, text)
    return text.replace("${ROOT}", "file://" + files_dir)


def parse(path, files_dir):
    blocks, current = [], None
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            stripped = line.rstrip("\n")
            if stripped.startswith("-->") or stripped.startswith("<--"):
                current = [stripped[:3], stripped[3:].strip(), number]
                blocks.append(current)
            elif stripped.startswith("#") or not stripped.strip():
                current = None if not stripped.strip() else current
            elif current is not None:
                current[1] += "\n" + stripped
            else:
                raise SystemExit("%s:%d: text outside a block" % (path, number))
    return [(kind, substitute(text, files_dir), number) for kind, text, number in blocks]


def match(expected, actual, where="$"):
    """None when `actual` matches `expected`, else what differs."""
    if isinstance(expected, str) and expected == "<any>":
        return None
    if isinstance(expected, dict) and list(expected) == ["$includes"]:
        if not isinstance(actual, list):
            return "%s: expected a list, got %s" % (where, json.dumps(actual)[:200])
        for e in expected["$includes"]:
            if all(match(e, a) for a in actual):
                return "%s: no element matches %s in %s" % (where, json.dumps(e), json.dumps(actual)[:600])
        return None
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return "%s: expected an object, got %s" % (where, json.dumps(actual)[:200])
        for key, value in expected.items():
            if key not in actual:
                return "%s: missing key %r in %s" % (where, key, json.dumps(actual)[:300])
            problem = match(value, actual[key], "%s.%s" % (where, key))
            if problem:
                return problem
        return None
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return "%s: expected a list of %d, got %s" % (where, len(expected), json.dumps(actual)[:400])
        for i, (e, a) in enumerate(zip(expected, actual)):
            problem = match(e, a, "%s[%d]" % (where, i))
            if problem:
                return problem
        return None
    if isinstance(expected, str) and expected.startswith("~"):
        if isinstance(actual, str) and re.search(expected[1:], actual, re.S):
            return None
        return "%s: %r does not match /%s/" % (where, actual, expected[1:])
    if expected != actual or type(expected) is not type(actual):
        return "%s: expected %s, got %s" % (where, json.dumps(expected), json.dumps(actual)[:300])
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kstatec", required=True)
    ap.add_argument("transcript")
    args = ap.parse_args()
    files_dir = os.path.join(os.path.dirname(os.path.abspath(args.transcript)), "files")
    blocks = parse(args.transcript, files_dir)
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as cache:
        env["XDG_CACHE_HOME"] = cache  # standard library modules are written here for go-to-definition
        client = Client([args.kstatec, "lsp"], cwd=files_dir, env=env)
        where = os.path.basename(args.transcript)
        try:
            for kind, text, number in blocks:
                where = "%s:%d" % (os.path.basename(args.transcript), number)
                if kind == "-->":
                    if text.startswith("raw "):
                        client.send_raw(json.loads(text[4:]).encode("utf-8"))
                        continue
                    message = json.loads(text)
                    message.setdefault("jsonrpc", "2.0")
                    client.send(message)
                    continue
                if text.startswith("exit "):
                    code = client.close()
                    if code != int(text[5:]):
                        raise SystemExit("%s: expected exit code %s, got %s" % (where, text[5:], code))
                    continue
                expected = json.loads(text)
                if "id" in expected:
                    actual = client.wait(lambda m: m.get("id") == expected["id"] and "method" not in m)
                elif isinstance(expected.get("params"), dict) and "version" in expected["params"]:
                    # Changes sent together may be checked together: wait for this version.
                    version = expected["params"]["version"]
                    actual = client.wait(lambda m: m.get("method") == expected["method"] and
                                         m.get("params", {}).get("version") == version)
                else:
                    actual = client.wait(lambda m: m.get("method") == expected["method"])
                problem = match(expected, actual)
                if problem:
                    raise SystemExit("%s: mismatch: %s\nfull message: %s" % (where, problem,
                                                                          json.dumps(actual, indent=1)[:3000]))
        except ServerError as e:
            raise SystemExit("%s: %s" % (where, e))
        finally:
            if client.proc.poll() is None:
                client.proc.kill()
    print("ok: %d blocks" % len(blocks))


if __name__ == "__main__":
    main()
