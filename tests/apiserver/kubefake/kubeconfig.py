"""Writes DIR/kubeconfig with one context per way of connecting.

Contexts: admin-cert (cert/key files), admin-cert-data (every file inlined as
base64 *-data), admin-token (bearer token), admin-token-file (tokenFile),
forbidden (a user denied everything), insecure (insecure-skip-tls-verify).
"""

import base64
import os


def _b64(path):
    with open(path, "rb") as f:
        return base64.b64encode(f.read()).decode("ascii")


def _q(text):
    # Double-quoted YAML scalar; paths and tokens never hold quotes or backslashes.
    return '"' + text + '"'


def write_kubeconfig(material, url):
    """Writes the kubeconfig for `url` next to the material; returns its path."""
    m = material
    clusters = [
        ("kubefake", ["server: " + _q(url), "certificate-authority: " + _q(m.ca_crt)]),
        ("kubefake-data", ["server: " + _q(url), "certificate-authority-data: " + _b64(m.ca_crt)]),
        ("kubefake-insecure", ["server: " + _q(url), "insecure-skip-tls-verify: true"]),
    ]
    users = [
        ("admin-cert", ["client-certificate: " + _q(m.admin_crt), "client-key: " + _q(m.admin_key)]),
        ("admin-cert-data", ["client-certificate-data: " + _b64(m.admin_crt),
                             "client-key-data: " + _b64(m.admin_key)]),
        ("admin-token", ["token: " + _q(m.admin_token)]),
        ("admin-token-file", ["tokenFile: " + _q(m.admin_token_file)]),
        ("forbidden", ["client-certificate: " + _q(m.forbidden_crt),
                       "client-key: " + _q(m.forbidden_key)]),
    ]
    contexts = [
        ("admin-cert", "kubefake", "admin-cert"),
        ("admin-cert-data", "kubefake-data", "admin-cert-data"),
        ("admin-token", "kubefake", "admin-token"),
        ("admin-token-file", "kubefake", "admin-token-file"),
        ("forbidden", "kubefake", "forbidden"),
        ("insecure", "kubefake-insecure", "admin-token"),
    ]
    lines = ["apiVersion: v1", "kind: Config", "preferences: {}", "current-context: admin-cert",
             "clusters:"]
    for name, fields in clusters:
        lines += ["- name: " + name, "  cluster:"] + ["    " + f for f in fields]
    lines.append("users:")
    for name, fields in users:
        lines += ["- name: " + name, "  user:"] + ["    " + f for f in fields]
    lines.append("contexts:")
    for name, cluster, user in contexts:
        lines += ["- name: " + name, "  context:", "    cluster: " + cluster, "    user: " + user]
    path = os.path.join(m.dir, "kubeconfig")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    os.chmod(path, 0o600)
    return path
