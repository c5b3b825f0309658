"""HTTPS transport and routing for the fake apiserver.

One thread accepts; each connection gets a thread that speaks HTTP/1.1 with
keep-alive (no HTTP/2: ALPN offers only http/1.1). A simulated restart closes
the listening socket and every connection and watch, refuses connections for a
while, then listens again on the same port.
"""

import json
import socket
import ssl
import threading
import time
import traceback
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler

from . import auth, certs
from . import status as st
from .api import Api


class Handler(BaseHTTPRequestHandler):
    """Hands every request to the server's dispatcher."""

    protocol_version = "HTTP/1.1"

    def do_GET(self):
        self.server.dispatch(self)

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_GET

    def send_response(self, code, message=None):
        # No Server header: the real apiserver does not send one.
        self.log_request(code)
        self.send_response_only(code, message)
        self.send_header("Date", self.date_time_string())

    def log_message(self, fmt, *args):
        pass

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().strip().split(b";")[0] or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def send_body(self, code, body, content_type="application/json", headers=None):
        data = body if isinstance(body, bytes) else (json.dumps(body, separators=(",", ":")) + "\n").encode()
        self.send_response(code)
        self.send_header("Audit-Id", str(uuid.uuid4()))
        self.send_header("Cache-Control", "no-cache, private")
        self.send_header("Content-Type", content_type)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def start_chunked(self, content_type):
        self.send_response(200)
        self.send_header("Audit-Id", str(uuid.uuid4()))
        self.send_header("Cache-Control", "no-cache, private")
        self.send_header("Content-Type", content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.flush()

    def write_chunk(self, data):
        try:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()
            return True
        except OSError:
            self.close_connection = True
            return False

    def end_chunked(self):
        self.write_chunk(b"")


class ApiServer:
    """The listening socket, the connections and the request log."""

    def __init__(self, material, registry, script, config, port=0):
        self.material, self.registry, self.script, self.config = material, registry, script, config
        self.api = Api(self)
        self.tokens = {material.admin_token: (certs.ADMIN_USER, ["system:masters"]),
                       material.forbidden_token: (certs.FORBIDDEN_USER, [])}
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        self.ctx.load_cert_chain(material.server_crt, material.server_key)
        self.ctx.load_verify_locations(material.ca_crt)
        self.ctx.verify_mode = ssl.CERT_OPTIONAL
        self.ctx.set_alpn_protocols(["http/1.1"])
        self.lock = threading.Lock()
        self.connections = set()
        self.log = []
        self.errors = []  # tracebacks of requests the fixture itself failed on
        self.controller = None  # set by the owner, for /__fixture/state
        self.listener = self._bind(port)
        self.port = self.listener.getsockname()[1]
        self.down_until = 0.0
        self.stopping = False
        self.thread = None

    @staticmethod
    def _bind(port):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        sock.listen(64)
        sock.settimeout(0.1)
        return sock

    def start(self):
        self.thread = threading.Thread(target=self._accept_loop, name="kubefake-accept", daemon=True)
        self.thread.start()

    def stop(self):
        self.stopping = True
        self._drop()
        if self.thread:
            self.thread.join(timeout=5)

    def restart(self, down_seconds):
        """Drops every connection and watch; refuses connections for `down_seconds`."""
        self.down_until = time.monotonic() + down_seconds
        self._drop()

    def _drop(self):
        with self.lock:
            listener, self.listener = self.listener, None
            conns = list(self.connections)
        if listener:
            listener.close()
        self.registry.store.close_watches()
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _accept_loop(self):
        while not self.stopping:
            with self.lock:
                sock = self.listener
            if sock is None:
                if time.monotonic() < self.down_until:
                    time.sleep(0.02)
                    continue
                try:
                    sock = self._bind(self.port)
                except OSError:
                    time.sleep(0.05)
                    continue
                with self.lock:
                    self.listener = sock
            try:
                conn, addr = sock.accept()
            except (socket.timeout, OSError):
                continue
            threading.Thread(target=self._serve, args=(conn, addr), daemon=True).start()

    def _serve(self, conn, addr):
        with self.lock:
            self.connections.add(conn)
        try:
            conn.settimeout(10)
            tls = self.ctx.wrap_socket(conn, server_side=True)
            tls.settimeout(300)
            with self.lock:
                self.connections.add(tls)
            try:
                Handler(tls, addr, self)
            finally:
                with self.lock:
                    self.connections.discard(tls)
                tls.close()
        except (OSError, ssl.SSLError):
            pass
        finally:
            with self.lock:
                self.connections.discard(conn)
            conn.close()

    # ---- requests
    def dispatch(self, h):
        url = urllib.parse.urlsplit(h.path)
        path = urllib.parse.unquote(url.path).rstrip("/") or "/"
        multi = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        query = {k: v[-1] for k, v in multi.items()}
        entry = {"method": h.command, "path": path, "query": {k: (v if len(v) > 1 else v[0]) for k, v in multi.items()},
                 "content_type": h.headers.get("Content-Type", ""), "accept": h.headers.get("Accept", ""),
                 "user_agent": h.headers.get("User-Agent", ""), "user": None, "status": None}
        try:
            body = h.read_body()
        except (OSError, ValueError):
            h.close_connection = True
            return
        if path.startswith("/__fixture"):
            return self._fixture(h, path, body)
        entry["body"] = body.decode("utf-8", "replace")[:100000]
        with self.lock:
            self.log.append(entry)
        try:
            user = auth.authenticate(h.connection.getpeercert(), h.headers.get("Authorization"), self.tokens)
            entry["user"] = user.name
            delay, fault = self.script.before_request(h.command, path)
            if delay:
                time.sleep(delay)
            if fault and "answer" in fault:
                code, out, ctype, headers = 200, fault["answer"], "application/json", {}
            elif fault:
                raise self._fault(fault)
            else:
                code, out, ctype, headers = self.api.handle(h, user, path, query, multi, body)
        except st.ApiError as e:
            code, out, ctype, headers = e.code, e.status, "application/json", e.headers
        except Exception as e:  # a fixture bug: answer like the apiserver's panic handler, and keep it for tests
            self.errors.append(traceback.format_exc())
            code, out, ctype, headers = 500, st.internal_error(repr(e)).status, "application/json", {}
        entry["status"] = code
        if out is not None:
            h.send_body(code, out, ctype, headers)
        down = self.script.after_request(h.command, path, code)
        if down is not None:
            self.restart(down)  # the response is out; then the server goes away, as in a crash

    @staticmethod
    def _fault(rule):
        if rule["status"] == 429:
            return st.too_many_requests(rule["retry_after"])
        if rule["status"] == 503:
            return st.ApiError(st.status_body(503, "ServiceUnavailable", rule.get("message") or
                                              "the server is currently unable to handle the request"),
                               {"Retry-After": str(rule["retry_after"])})
        return st.internal_error(rule.get("message") or "etcdserver: request timed out")

    def _fixture(self, h, path, body):
        """The test-only control endpoints (no authentication)."""
        if path == "/__fixture/log" and h.command == "GET":
            with self.lock:
                return h.send_body(200, list(self.log))
        if path == "/__fixture/log" and h.command == "DELETE":
            self.clear_log()
            return h.send_body(200, {"ok": True})
        if path == "/__fixture/state" and h.command == "GET":
            return h.send_body(200, {"config": self.config, "resourceVersion": str(self.registry.store.current_rv()),
                                     "controllerErrors": self.controller_errors(), "serverErrors": self.errors})
        if path == "/__fixture/script" and h.command == "POST":
            try:
                return h.send_body(200, {"results": self.script.run(json.loads(body or b"null"))})
            except (ValueError, KeyError, TypeError) as e:
                return h.send_body(400, {"error": str(e)})
        return h.send_body(404, {"error": "no such fixture endpoint"})

    def clear_log(self):
        with self.lock:
            self.log.clear()

    def controller_errors(self):
        return list(self.controller.errors) if self.controller else []

    def address(self):
        return "127.0.0.1:%d" % self.port
