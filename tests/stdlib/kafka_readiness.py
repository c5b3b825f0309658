#!/usr/bin/env python3
"""Runs std/queue/kafka's readiness probe, as `kstatec build` emits it,
against fake brokers on a local port: it passes only when the broker answers
its ApiVersions request (a well-formed version 0 request, checked here) with
the request's correlation id, and fails when nothing listens, when the
broker accepts the connection but does not answer (as a broker does before
it serves requests), and when the answer carries another correlation id.

  kafka_readiness.py --kstatec KSTATEC
"""
import argparse
import socket
import struct
import subprocess
import sys
import threading

import built


def probe_command(kstatec):
    for o in built.objects(kstatec, "kafka"):
        if o.get("kind") == "StatefulSet":
            return o["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["exec"]["command"]
    sys.exit("no StatefulSet in the build of tests/golden/stdlib/kafka.kstate")


def read_exactly(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise EOFError("the probe closed the connection after %d of %d bytes" % (len(data), n))
        data += chunk
    return data


class Broker:
    """One connection at a time on 127.0.0.1: `behaviour` is 'answer',
    'silent' (accepts, never answers) or 'wrong-id'. Requests it could not
    parse as ApiVersions v0 are kept in `problems`."""

    def __init__(self, behaviour):
        self.behaviour, self.problems = behaviour, []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        try:
            conn, _ = self.sock.accept()
        except OSError:
            return
        with conn:
            conn.settimeout(10)
            try:
                size = struct.unpack(">i", read_exactly(conn, 4))[0]
                request = read_exactly(conn, size)
                api_key, version, correlation, client_len = struct.unpack(">hhih", request[:10])
                client = request[10:10 + client_len].decode()
                if (api_key, version, len(request)) != (18, 0, 10 + client_len) or not client:
                    self.problems.append("not an ApiVersions v0 request: %r" % request)
                    return
                if self.behaviour == "silent":
                    threading.Event().wait(10)
                    return
                if self.behaviour == "wrong-id":
                    correlation += 1
                # error 0, one api: ApiVersions 0..4
                body = struct.pack(">ihihhh", correlation, 0, 1, 18, 0, 4)
                conn.sendall(struct.pack(">i", len(body)) + body)
            except (EOFError, OSError, struct.error) as e:
                self.problems.append(str(e))

    def close(self):
        self.sock.close()


def run(command, port):
    argv = [a.replace("/127.0.0.1/9092", "/127.0.0.1/%d" % port) for a in command]
    try:
        return subprocess.run(["timeout", "5"] + argv, capture_output=True, text=True).returncode
    except OSError as e:
        sys.exit("cannot run the probe: %s" % e)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kstatec", required=True)
    args = ap.parse_args()
    command = probe_command(args.kstatec)
    if not any("/127.0.0.1/9092" in a for a in command):
        sys.exit("the readiness probe does not connect to 127.0.0.1:9092: %r" % command)
    failures = 0
    for behaviour, want_ready in (("answer", True), ("silent", False), ("wrong-id", False)):
        broker = Broker(behaviour)
        code = run(command, broker.port)
        broker.close()
        broker.thread.join(1)
        ok = (code == 0) == want_ready and not broker.problems
        print("broker that %s: probe exit %d: %s%s" % (
            {"answer": "answers", "silent": "accepts and never answers", "wrong-id": "answers another request"}[behaviour],
            code, "ok" if ok else "FAILED", "".join("\n  " + p for p in broker.problems)))
        failures += not ok
    # Nothing listening: a port just closed.
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    code = run(command, port)
    print("nothing listening: probe exit %d: %s" % (code, "ok" if code != 0 else "FAILED"))
    failures += code == 0
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
