"""Who is asking, and may they: x509 client certificates and bearer tokens.

Authentication tries the client certificate first (verified against the CA;
user from CN, groups from O), then `Authorization: Bearer`. Without either the
request gets 401, as with --anonymous-auth=false. Authorization is a stand-in
for RBAC: members of system:masters may do anything; everyone else may only
read discovery, /version and /openapi (the system:discovery role) and gets the
real 403 wording for everything else.
"""

from . import status as st

DISCOVERY_PREFIXES = ("/api", "/apis", "/version", "/openapi", "/healthz", "/livez", "/readyz")


class User:
    def __init__(self, name, groups):
        self.name, self.groups = name, list(groups)

    @property
    def admin(self):
        return "system:masters" in self.groups


def _cert_user(cert):
    if not cert:
        return None
    fields = [pair for rdn in cert.get("subject", ()) for pair in rdn]
    cn = next((v for k, v in fields if k == "commonName"), None)
    orgs = [v for k, v in fields if k == "organizationName"]
    return User(cn, orgs + ["system:authenticated"]) if cn else None


def authenticate(cert, authorization, tokens):
    """The User, or raises the 401 Status."""
    user = _cert_user(cert)
    if user:
        return user
    if authorization and authorization.lower().startswith("bearer "):
        found = tokens.get(authorization[7:].strip())
        if found:
            return User(found[0], list(found[1]) + ["system:authenticated"])
    raise st.unauthorized()


def authorize_path(user, verb, path):
    """Non-resource requests: discovery is open to every authenticated user."""
    if user.admin or (verb == "get" and path.startswith(DISCOVERY_PREFIXES)):
        return
    raise st.forbidden_path(user.name, verb, path)


def authorize(user, verb, res, ns, name, sub):
    """Resource requests: only system:masters."""
    if not user.admin:
        raise st.forbidden_rbac(user.name, verb, res.plural, res.group, name, ns if res.namespaced else "", sub)
