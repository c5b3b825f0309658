"""TLS material for the fake apiserver, made with the `openssl` command line.

Creates a CA, a server certificate for 127.0.0.1/localhost, an admin client
certificate (CN=admin, O=system:masters) and a client certificate for a user
who is denied everything (CN=jane), plus the two bearer tokens.
"""

import os
import secrets
import subprocess

ADMIN_USER = "admin"
FORBIDDEN_USER = "jane"


class Material:
    """Paths of the generated files and the token values."""

    def __init__(self, directory):
        self.dir = directory
        self.ca_crt = os.path.join(directory, "ca.crt")
        self.ca_key = os.path.join(directory, "ca.key")
        self.server_crt = os.path.join(directory, "server.crt")
        self.server_key = os.path.join(directory, "server.key")
        self.admin_crt = os.path.join(directory, "admin.crt")
        self.admin_key = os.path.join(directory, "admin.key")
        self.forbidden_crt = os.path.join(directory, "forbidden.crt")
        self.forbidden_key = os.path.join(directory, "forbidden.key")
        self.admin_token_file = os.path.join(directory, "admin.token")
        self.admin_token = ""
        self.forbidden_token = ""


def _openssl(args, cwd):
    subprocess.run(["openssl"] + args, cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _key(path, cwd):
    # EC keys are fast to make and every TLS stack the runtime may use takes them.
    _openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", path], cwd)


def _signed(material, key, crt, subject, extensions, cwd):
    """Makes a key and a certificate for it signed by the CA."""
    csr = crt + ".csr"
    ext = crt + ".ext"
    _key(key, cwd)
    _openssl(["req", "-new", "-key", key, "-subj", subject, "-out", csr], cwd)
    with open(ext, "w", encoding="utf-8") as f:
        f.write(extensions)
    _openssl(["x509", "-req", "-in", csr, "-CA", material.ca_crt, "-CAkey", material.ca_key,
              "-CAcreateserial", "-days", "3650", "-sha256", "-extfile", ext, "-out", crt], cwd)
    os.remove(csr)
    os.remove(ext)


def make_material(directory):
    """Creates every certificate, key and token in `directory` (reusing none)."""
    os.makedirs(directory, exist_ok=True)
    m = Material(directory)
    _key(m.ca_key, directory)
    _openssl(["req", "-x509", "-new", "-key", m.ca_key, "-subj", "/CN=kubefake-ca", "-days", "3650",
              "-sha256", "-addext", "basicConstraints=critical,CA:TRUE",
              "-addext", "keyUsage=critical,keyCertSign,cRLSign,digitalSignature",
              "-out", m.ca_crt], directory)
    _signed(m, m.server_key, m.server_crt, "/CN=kube-apiserver",
            "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
            "extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost,"
            "DNS:kubernetes.default.svc\n", directory)
    client_ext = ("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
                  "extendedKeyUsage=clientAuth\n")
    _signed(m, m.admin_key, m.admin_crt, "/O=system:masters/CN=" + ADMIN_USER, client_ext, directory)
    _signed(m, m.forbidden_key, m.forbidden_crt, "/CN=" + FORBIDDEN_USER, client_ext, directory)
    m.admin_token = "admin-" + secrets.token_hex(16)
    m.forbidden_token = "jane-" + secrets.token_hex(16)
    with open(m.admin_token_file, "w", encoding="utf-8") as f:
        f.write(m.admin_token + "\n")
    return m
