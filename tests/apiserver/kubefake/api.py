"""Routing of authenticated API requests: discovery, OpenAPI, resources, watch.

Resource paths are /api/v1/... and /apis/<group>/<version>/..., optionally
under namespaces/<ns>/, ending in <plural>[/<name>[/<subresource>]].
"""

from . import auth, resources, tables, watch
from . import status as st
from .patches import parse_body
from .registry import Params

JSON = "application/json"
TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io"
BODY_TYPES = ("", "application/json", "application/yaml", "*/*")
VERBS = {"GET": "get", "POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete", "HEAD": "get"}
OPTION_KINDS = {"POST": "CreateOptions", "PUT": "UpdateOptions", "PATCH": "PatchOptions", "DELETE": "DeleteOptions"}


def _acceptable(accept):
    if not accept:
        return True
    return any(t in accept for t in ("application/json", "*/*", "application/*"))


class Api:
    """Turns one request into (code, body, content type, headers)."""

    def __init__(self, server):
        self.server = server
        self.registry = server.registry

    def handle(self, h, user, path, query, multi, body):
        if not _acceptable(h.headers.get("Accept")):
            raise st.not_acceptable("only the following media types are accepted: application/json, "
                                    "application/yaml, application/vnd.kubernetes.protobuf")
        parts = path.strip("/").split("/")
        if parts[0] == "api" and len(parts) >= 2:
            return self._resource_or_discovery(h, user, path, "", parts[1], parts[2:], query, multi, body)
        if parts[0] == "apis" and len(parts) >= 3:
            return self._resource_or_discovery(h, user, path, parts[1], parts[2], parts[3:], query, multi, body)
        auth.authorize_path(user, VERBS.get(h.command, "get"), path)
        if path in ("/healthz", "/livez", "/readyz"):
            return 200, b"ok", "text/plain; charset=utf-8", {}
        if h.command not in ("GET", "HEAD"):
            raise st.method_not_allowed("the server does not allow this method on the requested resource")
        doc = self._discovery(path, parts)
        if doc is None:
            return 404, b"404 page not found\n", "text/plain; charset=utf-8", {}
        if isinstance(doc, st.ApiError):
            raise doc
        return 200, doc, JSON, {}

    def _discovery(self, path, parts):
        if path == "/api":
            return resources.api_versions(self.server.address())
        if path == "/apis":
            return resources.api_group_list()
        if parts[0] == "apis" and len(parts) == 2:
            if not any(g == parts[1] for g, _ in resources.GROUP_VERSIONS):
                return st.plain_not_found()
            return dict({"kind": "APIGroup", "apiVersion": "v1"}, **resources.api_group(parts[1]))
        if path == "/version":
            return resources.SERVER_VERSION
        if path == "/openapi/v3":
            return resources.openapi_v3_root()
        if path.startswith("/openapi/v3/"):
            gv = parts[2:]
            doc = None
            if gv[:1] == ["api"] and len(gv) == 2:
                doc = resources.openapi_v3_document("", gv[1])
            elif gv[:1] == ["apis"] and len(gv) == 3:
                doc = resources.openapi_v3_document(gv[1], gv[2])
            return doc if doc is not None else st.plain_not_found()
        return None

    def _resource_or_discovery(self, h, user, path, group, version, rest, query, multi, body):
        if not rest:
            auth.authorize_path(user, "get", path)
            doc = resources.api_resource_list(group, version)
            if doc is None:
                raise st.plain_not_found()
            return 200, doc, JSON, {}
        ns, plural, name, sub = self._split(group, version, rest)
        res = resources.lookup(group, version, plural)
        if res is None or (sub and sub not in res.subresources) or (name == "" and sub):
            raise st.plain_not_found()
        if res.namespaced and name and not ns:
            raise st.plain_not_found()
        if not res.namespaced and ns:
            raise st.plain_not_found()
        return self._resource(h, user, res, ns, name, sub, query, multi, body)

    @staticmethod
    def _split(group, version, rest):
        """(namespace, plural, name, subresource) from the path after the group-version."""
        ns = ""
        if rest[0] == "namespaces" and len(rest) >= 3:
            candidate = resources.lookup(group, version, rest[2])
            if candidate is not None and candidate.namespaced:
                ns, rest = rest[1], rest[2:]
        if len(rest) > 3:
            return ns, "", "", ""
        return ns, rest[0], (rest[1] if len(rest) > 1 else ""), (rest[2] if len(rest) > 2 else "")

    def _params(self, h, query, multi):
        dry = multi.get("dryRun", [])
        bad = [d for d in dry if d != "All"]
        if bad:
            raise st.invalid(OPTION_KINDS.get(h.command, "UpdateOptions"), "meta.k8s.io", "", [st.FieldError(
                "NotSupported", "dryRun", value=bad[0], supported=["All"])])
        validation = query.get("fieldValidation", "")
        if validation not in ("", "Ignore", "Warn", "Strict"):
            raise st.bad_request('fieldValidation: Invalid value: "%s": fieldValidation must be one of "Ignore", '
                                 '"Warn", or "Strict"' % validation)
        manager = query.get("fieldManager", "")
        explicit = bool(manager)
        if not manager:  # the apiserver names the manager after the client's User-Agent
            manager = (h.headers.get("User-Agent") or "unknown").split("/")[0][:128]
        return Params(manager, bool(dry), query.get("force") in ("true", "1"), explicit)

    def _resource(self, h, user, res, ns, name, sub, query, multi, body):
        method = h.command
        watching = query.get("watch") in ("true", "1")
        verb = VERBS.get(method, "get")
        if method == "GET" and not name:
            verb = "watch" if watching else "list"
        if method == "DELETE" and not name:
            verb = "deletecollection"
        auth.authorize(user, verb, res, ns, name, sub)
        if method in ("POST", "PUT", "PATCH", "DELETE") and verb not in res.verbs + ["deletecollection"]:
            raise st.method_not_allowed("the server does not allow this method on the requested resource")
        params = self._params(h, query, multi)
        ctype = (h.headers.get("Content-Type") or "").split(";")[0].strip()
        accept = h.headers.get("Accept", "")
        if method in ("GET", "HEAD"):
            if watching:
                h.start_chunked(TABLE if tables.wants_table(accept) else JSON)
                watch.serve(h, self.registry.store, res, ns, query, accept, self.server.config["bookmark_seconds"])
                h.end_chunked()
                return 200, None, JSON, {}
            if name:
                obj = self.registry.get(res, ns, name, sub)
                if tables.wants_table(accept) and not sub:
                    return 200, tables.to_table(res.plural, [obj], obj["metadata"]["resourceVersion"],
                                                query.get("includeObject", "Metadata")), TABLE, {}
                return 200, obj, JSON, {}
            listed = self.registry.list(res, ns, query)
            if tables.wants_table(accept):
                table = tables.to_table(res.plural, listed["items"], listed["metadata"]["resourceVersion"],
                                        query.get("includeObject", "Metadata"))
                table["metadata"] = listed["metadata"]
                return 200, table, TABLE, {}
            return 200, listed, JSON, {}
        if method == "POST":
            if name:
                raise st.method_not_allowed("the server does not allow this method on the requested resource")
            return 201, self.registry.create(res, ns, self._decode(ctype, body), params), JSON, {}
        if method == "PUT":
            if not name:
                raise st.method_not_allowed("the server does not allow this method on the requested resource")
            return 200, self.registry.update(res, ns, name, self._decode(ctype, body), params, sub), JSON, {}
        if method == "PATCH":
            if not name:
                raise st.method_not_allowed("the server does not allow this method on the requested resource")
            code, obj = self.registry.patch(res, ns, name, ctype, body, params, sub)
            return code, obj, JSON, {}
        options = parse_body(body) if body.strip() else {}
        for key in ("propagationPolicy", "gracePeriodSeconds", "orphanDependents"):
            if key in query:
                value = query[key]
                options[key] = int(value) if key == "gracePeriodSeconds" else (
                    value == "true" if key == "orphanDependents" else value)
        if not name:
            listed = self.registry.list(res, ns, query)
            for obj in listed["items"]:
                self.registry.delete(res, obj["metadata"].get("namespace", ""), obj["metadata"]["name"], options,
                                     params)
            return 200, self.registry.list(res, ns, query), JSON, {}
        code, out = self.registry.delete(res, ns, name, options, params)
        return code, out, JSON, {}

    @staticmethod
    def _decode(ctype, body):
        if ctype not in BODY_TYPES:
            raise st.unsupported_media_type("the body of the request was in an unknown format - accepted media "
                                             "types include: application/json, application/yaml, "
                                             "application/vnd.kubernetes.protobuf, application/cbor")
        return parse_body(body, yaml_ok=ctype == "application/yaml")
