#!/usr/bin/env python3
"""A small HTTPS server for the runtime's HTTP client tests.

`https_server.py certs DIR` makes test certificates with the openssl CLI;
`https_server.py serve --cert C --key K [--client-ca CA] --port-file F` serves
until killed and writes its port to F once listening. Endpoints:
  /ok                          200 "ok"
  /echo                        200, JSON of method, path, headers and body length
  /flaky?key=K&fail=N&status=S S for the first N requests with key K, then 200
          [&retry_after=SECONDS]
  /status?code=C               C
  /slow?ms=M                   waits M ms, then 200
  /stream?n=N&delay_ms=D       a chunked body of N lines, D ms apart
  /connections                 how many TCP connections were accepted so far
  /whoami                      the client certificate's common name, or "anonymous"
  /huge                        200 announcing a 10 GB body (sends 1 MiB of it)
  /bomb                        200 with a gzip body of 1 MiB that inflates to 300 MiB
"""
import argparse
import json
import os
import socketserver
import ssl
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

LOCK = threading.Lock()
COUNTS = {}
CONNECTIONS = [0]


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def make_ca(directory, name):
    key, pem = os.path.join(directory, name + ".key"), os.path.join(directory, name + ".pem")
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", key, "-out", pem, "-days", "2", "-subj", "/CN=" + name)
    return key, pem


def make_leaf(directory, name, ca, subject, san, usage):
    key, csr, pem = (os.path.join(directory, name + suffix) for suffix in (".key", ".csr", ".pem"))
    ext = os.path.join(directory, name + ".ext")
    with open(ext, "w") as f:
        f.write("basicConstraints=CA:FALSE\nextendedKeyUsage=%s\n" % usage)
        if san:
            f.write("subjectAltName=%s\n" % san)
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", key, "-out", csr, "-subj", "/CN=" + subject)
    openssl("x509", "-req", "-in", csr, "-CA", ca[1], "-CAkey", ca[0], "-CAcreateserial",
            "-out", pem, "-days", "2", "-extfile", ext)


def make_certs(directory):
    os.makedirs(directory, exist_ok=True)
    ca = make_ca(directory, "ca")
    make_ca(directory, "other-ca")
    make_leaf(directory, "server", ca, "localhost", "DNS:localhost,IP:127.0.0.1", "serverAuth")
    make_leaf(directory, "kube-test", ca, "kube.test", "DNS:kube.test", "serverAuth")
    make_leaf(directory, "client", ca, "kstate-test-user", "", "clientAuth")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body, headers=()):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self):
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if url.path == "/ok":
            return self.reply(200, "ok")
        if url.path == "/huge":
            self.send_response(200)
            self.send_header("Content-Length", str(10 << 30))
            self.end_headers()
            try:
                self.wfile.write(b"a" * (1 << 20))
            except OSError:
                pass
            self.close_connection = True
            return None
        if url.path == "/bomb":
            import zlib
            packer = zlib.compressobj(9, zlib.DEFLATED, 31)
            chunk = b"a" * (1 << 20)
            data = b"".join(packer.compress(chunk) for _ in range(300)) + packer.flush()
            return self.reply(200, data, [("Content-Encoding", "gzip")])
        if url.path == "/echo":
            echo = {"method": self.command, "path": self.path, "body_length": len(body),
                    "headers": {k.lower(): v for k, v in self.headers.items()}}
            return self.reply(200, json.dumps(echo), [("Content-Type", "application/json")])
        if url.path == "/flaky":
            with LOCK:
                seen = COUNTS.get(query["key"], 0)
                COUNTS[query["key"]] = seen + 1
            if seen < int(query.get("fail", "1")):
                extra = [("Retry-After", query["retry_after"])] if "retry_after" in query else []
                return self.reply(int(query.get("status", "503")), "try again", extra)
            return self.reply(200, "ok after %d" % seen)
        if url.path == "/status":
            return self.reply(int(query["code"]), "status %s" % query["code"])
        if url.path == "/slow":
            time.sleep(int(query.get("ms", "1000")) / 1000)
            return self.reply(200, "slow")
        if url.path == "/stream":
            return self.stream(int(query.get("n", "5")), int(query.get("delay_ms", "100")))
        if url.path == "/connections":
            with LOCK:
                return self.reply(200, str(CONNECTIONS[0]))
        if url.path == "/whoami":
            cert = self.connection.getpeercert()
            names = [value for rdn in (cert or {}).get("subject", ()) for key, value in rdn if key == "commonName"]
            return self.reply(200, names[0] if names else "anonymous")
        return self.reply(404, "not found")

    def stream(self, count, delay_ms):
        self.send_response(200)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            for i in range(count):
                line = ("line %d\n" % i).encode()
                self.wfile.write(b"%x\r\n%s\r\n" % (len(line), line))
                self.wfile.flush()
                time.sleep(delay_ms / 1000)
            self.wfile.write(b"0\r\n\r\n")
        except OSError:
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, context):
        super().__init__(("127.0.0.1", 0), Handler)
        self.context = context

    def get_request(self):
        sock, address = super().get_request()
        with LOCK:
            CONNECTIONS[0] += 1
        # The handshake happens in the handler's thread, so one bad client cannot block the rest.
        return self.context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), address

    def finish_request(self, request, client_address):
        try:
            request.do_handshake()
        except (ssl.SSLError, OSError):
            return
        super().finish_request(request, client_address)

    def handle_error(self, request, client_address):
        pass  # clients that hang up mid-request are part of the tests


def serve(args):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    if args.client_ca:
        context.load_verify_locations(args.client_ca)
        context.verify_mode = ssl.CERT_REQUIRED
    server = Server(context)
    temporary = args.port_file + ".tmp"
    with open(temporary, "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(temporary, args.port_file)
    server.serve_forever()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    certs = sub.add_parser("certs")
    certs.add_argument("dir")
    run = sub.add_parser("serve")
    run.add_argument("--cert", required=True)
    run.add_argument("--key", required=True)
    run.add_argument("--client-ca")
    run.add_argument("--port-file", required=True)
    args = parser.parse_args()
    if args.command == "certs":
        make_certs(args.dir)
    else:
        serve(args)


if __name__ == "__main__":
    sys.exit(main())
