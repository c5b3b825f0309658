#!/usr/bin/env python3
"""The language server never crashes or hangs, whatever it is sent: random
edits of real files (broken strings, brackets, emoji, ranges past the end)
with every request at random positions, malformed params of every type,
and garbage framing. After each round the server must still answer a
well-formed request, and exit 0 after shutdown and exit."""
import argparse
import glob
import json
import os
import random
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lsp_client import Client, ServerError  # noqa: E402

REQUESTS = ["textDocument/hover", "textDocument/completion", "textDocument/definition", "textDocument/references",
            "textDocument/documentSymbol", "textDocument/formatting", "textDocument/codeAction",
            "textDocument/semanticTokens/full"]
SNIPPETS = ["{", "}", "(", ")", "[", "]", "\"", "\"\"\"", "${", "/*", "//", "\n", "😀", "é", "=", ":", ".", "..",
            "component x : ", "import \"./", "import \"std/", "8Gi", "500m", "mount ", "dependsOn = [", "let a = ",
            "storage d { size = ", "patch statefulset { spec.x = 1 }", "template t(a: int = 1) { image = \"i:1\" }",
            "\t", "\r\n", "\\", "\x00", "0o7777", "-", "self.", "peers(self, port: 1)"]
JUNK = [None, True, -1, 2 ** 40, 1.5, "x", [], {}, [1, 2], {"line": "a"}]


def position(rng, lines):
    return {"line": rng.randint(0, lines + 2), "character": rng.randint(0, 120)}


def random_params(rng, uri, lines):
    params = {"textDocument": {"uri": uri}, "position": position(rng, lines)}
    params["range"] = {"start": position(rng, lines), "end": position(rng, lines)}
    params["context"] = {"diagnostics": [], "includeDeclaration": rng.random() < 0.5}
    params["options"] = {"tabSize": 2, "insertSpaces": True}
    if rng.random() < 0.2:  # break one member
        key = rng.choice(list(params))
        params[key] = rng.choice(JUNK)
    if rng.random() < 0.05:
        params = rng.choice(JUNK)
    return params


def round_trip(client, uri):
    """A well-formed request the server must still answer."""
    reply = client.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}}, timeout=60)
    if "result" not in reply:
        raise SystemExit("the server stopped answering well-formed requests: %s" % reply)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--kstatec", required=True)
    ap.add_argument("--repo", required=True)
    ap.add_argument("--seed", type=int, default=20261124)
    ap.add_argument("--rounds", type=int, default=40)
    ap.add_argument("--ops", type=int, default=40)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    sources = sorted(glob.glob(os.path.join(args.repo, "examples", "**", "*.kstate"), recursive=True))
    sources += sorted(glob.glob(os.path.join(args.repo, "stdlib", "std", "**", "*.kstate"), recursive=True))
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as cache:
        env["XDG_CACHE_HOME"] = cache
        client = Client([args.kstatec, "lsp"], env=env)
        try:
            client.request("initialize", {"rootUri": "file://" + args.repo, "capabilities": {}})
            client.notify("initialized", {})
            for round_number in range(args.rounds):
                path = rng.choice(sources)
                uri = "file://" + path
                with open(path, encoding="utf-8") as f:
                    text = f.read()
                lines = text.count("\n")
                version = 1
                client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "kstate",
                                                                        "version": version, "text": text}})
                for _ in range(args.ops):
                    r = rng.random()
                    if r < 0.45:
                        version += 1
                        change = {"range": {"start": position(rng, lines), "end": position(rng, lines)},
                                  "text": rng.choice(SNIPPETS)}
                        if rng.random() < 0.05:
                            change = {"text": rng.choice(SNIPPETS) * rng.randint(1, 50)}
                        if rng.random() < 0.05:
                            change = rng.choice(JUNK)
                        client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                                                 "contentChanges": [change]})
                    elif r < 0.9:
                        client.send({"jsonrpc": "2.0", "id": 1000 + rng.randint(0, 10 ** 6),
                                     "method": rng.choice(REQUESTS), "params": random_params(rng, uri, lines)})
                    elif r < 0.95:
                        client.send({"jsonrpc": "2.0", "method": rng.choice(REQUESTS + ["textDocument/didOpen",
                                                                                        "textDocument/didClose"]),
                                     "params": rng.choice(JUNK)})
                    else:
                        junk = rng.choice([b"Content-Length: 3\r\n\r\n[[[", b"Content-Length: 2\r\n\r\n{}",
                                           b"Content-Length: 6\r\n\r\n\xff\xfe\x00abc", b"Bad header\r\n\r\n",
                                           b"Content-Length: 4\r\n\r\nnull"])
                        client.send_raw(junk)
                # Let it catch up: every answer arrives, the server is alive.
                round_trip(client, uri)
                client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
                print("round %d: %s, %d operations: ok" % (round_number, os.path.relpath(path, args.repo), args.ops))
            # Deep input: every request on a document of long left-deep chains
            # and deeply nested interpolations (which once exhausted the stack).
            deep = {"chain": "let x = " + "1 + " * 14000 + "1\n",
                    "fields": "let x = a" + ".a" * 50000 + "\n",
                    "interpolations": "let x = " + "\"${" * 33000 + "1" + "}\"" * 33000 + "\n"}
            for name, text in deep.items():
                uri = "file://" + os.path.join(args.repo, "deep-%s.kstate" % name)
                client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "kstate",
                                                                        "version": 1, "text": text}})
                for method in REQUESTS:
                    for character in (0, len(text) // 2, len(text) - 2):
                        params = {"textDocument": {"uri": uri}, "position": {"line": 0, "character": character},
                                  "range": {"start": {"line": 0, "character": 0},
                                            "end": {"line": 0, "character": character}},
                                  "context": {"diagnostics": [], "includeDeclaration": True},
                                  "options": {"tabSize": 2, "insertSpaces": True}}
                        reply = client.request(method, params, timeout=120)
                        if "result" not in reply and "error" not in reply:
                            raise SystemExit("%s on the %s document: no answer: %s" % (method, name, reply))
                round_trip(client, uri)
                client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
                print("deep %s: every request answered" % name)
            reply = client.request("shutdown")
            if "result" not in reply:
                raise SystemExit("shutdown failed: %s" % reply)
            client.notify("exit")
            code = client.close()
            if code != 0:
                raise SystemExit("exit code %s after shutdown and exit" % code)
        except ServerError as e:
            raise SystemExit("the server failed: %s" % e)
        finally:
            if client.proc.poll() is None:
                client.proc.kill()
    print("ok")


if __name__ == "__main__":
    main()
