"""A minimal LSP client over a subprocess's stdio, for the transcript tests
and the language server benchmark."""
import json
import os
import select
import subprocess
import time


class ServerError(Exception):
    pass


class Client:
    def __init__(self, command, cwd=None, env=None):
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, cwd=cwd, env=env)
        self.buffer = b""
        self.pending = []  # messages read but not consumed yet
        self.next_id = 1

    def send_raw(self, data: bytes):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, message: dict):
        body = json.dumps(message, ensure_ascii=False).encode("utf-8")
        self.send_raw(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def request(self, method, params=None, timeout=30):
        msg_id = self.next_id
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params or {}})
        return self.wait(lambda m: m.get("id") == msg_id and "method" not in m, timeout)

    def notify(self, method, params=None):
        self.send({"jsonrpc": "2.0", "method": method, "params": params or {}})

    def _read_message(self, deadline):
        while True:
            header_end = self.buffer.find(b"\r\n\r\n")
            if header_end >= 0:
                length = None
                for line in self.buffer[:header_end].split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value.strip())
                if length is None:
                    raise ServerError("server sent a message without Content-Length: %r" % self.buffer[:200])
                start = header_end + 4
                if len(self.buffer) - start >= length:
                    body = self.buffer[start:start + length]
                    self.buffer = self.buffer[start + length:]
                    return json.loads(body.decode("utf-8"))
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ServerError("timed out waiting for the server")
            ready, _, _ = select.select([self.proc.stdout], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(self.proc.stdout.fileno(), 1 << 20)
            if not chunk:
                raise ServerError("the server closed its output (exit code %s); stderr:\n%s" %
                                  (self.proc.poll(), self.proc.stderr.read().decode("utf-8", "replace")))
            self.buffer += chunk

    def wait(self, predicate, timeout=30):
        """The first message (read earlier or now) for which predicate holds."""
        for i, m in enumerate(self.pending):
            if predicate(m):
                return self.pending.pop(i)
        deadline = time.monotonic() + timeout
        while True:
            m = self._read_message(deadline)
            if predicate(m):
                return m
            self.pending.append(m)

    def close(self, timeout=10):
        try:
            self.proc.stdin.close()
        except BrokenPipeError:
            pass
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise ServerError("the server did not exit")
