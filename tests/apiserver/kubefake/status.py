"""`Status` bodies with the real apiserver's wording, raised as ApiError.

Messages follow k8s.io/apimachinery/pkg/api/errors and the registry code:
`statefulsets.apps "db" not found`, `StatefulSet.apps "db" is invalid: ...`,
`Apply failed with 1 conflict: ...`, and so on.
"""

import json


class ApiError(Exception):
    """A failed request: the HTTP code, the Status body and extra headers."""

    def __init__(self, status, headers=None):
        super().__init__(status.get("message", ""))
        self.status = status
        self.code = status["code"]
        self.headers = headers or {}


def status_body(code, reason, message, details=None):
    """A failure Status as the apiserver encodes it (empty fields omitted)."""
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason}
    if details:
        body["details"] = details
    body["code"] = code
    return body


def success_status(name, group, resource, uid):
    """What an immediate DELETE returns when the registry does not return the object."""
    details = {"name": name}
    if group:
        details["group"] = group
    details["kind"] = resource
    details["uid"] = uid
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
            "details": details}


def _details(name, group, kind):
    d = {}
    if name:
        d["name"] = name
    if group:
        d["group"] = group
    d["kind"] = kind
    return d


def qualified(resource, group):
    """`statefulsets.apps`, or `configmaps` for the core group."""
    return resource + "." + group if group else resource


def not_found(resource, group, name):
    return ApiError(status_body(404, "NotFound", '%s "%s" not found' % (qualified(resource, group), name),
                                _details(name, group, resource)))


def already_exists(resource, group, name):
    return ApiError(status_body(409, "AlreadyExists",
                                '%s "%s" already exists' % (qualified(resource, group), name),
                                _details(name, group, resource)))


def conflict(resource, group, name, why):
    """The optimistic-concurrency 409 (`the object has been modified; ...`)."""
    return ApiError(status_body(409, "Conflict", 'Operation cannot be fulfilled on %s "%s": %s'
                                % (qualified(resource, group), name, why),
                                _details(name, group, resource)))


def modified_conflict(resource, group, name):
    return conflict(resource, group, name, "the object has been modified; please apply your "
                    "changes to the latest version and try again")


def bad_request(message):
    return ApiError(status_body(400, "BadRequest", message))


def unauthorized():
    return ApiError(status_body(401, "Unauthorized", "Unauthorized"))


def forbidden_rbac(user, verb, resource, group, name, namespace, subresource=""):
    """The RBAC denial, worded exactly as the apiserver's authorization filter does."""
    full = resource + ("/" + subresource if subresource else "")
    subject = '%s "%s"' % (qualified(resource, group), name) if name else qualified(resource, group)
    where = 'in the namespace "%s"' % namespace if namespace else "at the cluster scope"
    message = '%s is forbidden: User "%s" cannot %s resource "%s" in API group "%s" %s' % (
        subject, user, verb, full, group, where)
    return ApiError(status_body(403, "Forbidden", message, _details(name, group, resource)))


def forbidden_path(user, verb, path):
    message = 'forbidden: User "%s" cannot %s path "%s"' % (user, verb, path)
    return ApiError(status_body(403, "Forbidden", message))


def forbidden(resource, group, name, why):
    """An admission denial: `<resource> "<name>" is forbidden: <why>`."""
    return ApiError(status_body(403, "Forbidden", '%s "%s" is forbidden: %s'
                                % (qualified(resource, group), name, why),
                                _details(name, group, resource)))


# FieldError types as serialized in StatusCause.reason, and their message prefix.
CAUSES = {
    "Required": ("FieldValueRequired", "Required value"),
    "Forbidden": ("FieldValueForbidden", "Forbidden"),
    "Invalid": ("FieldValueInvalid", "Invalid value"),
    "NotSupported": ("FieldValueNotSupported", "Unsupported value"),
    "Duplicate": ("FieldValueDuplicate", "Duplicate value"),
    "NotFound": ("FieldValueNotFound", "Not found"),
    "TooLong": ("FieldValueTooLong", "Too long"),
}


class FieldError:
    """One field.Error: its type, field path, detail and (for Invalid) the bad value."""

    def __init__(self, kind, field, detail="", value=None, supported=None):
        self.kind, self.field, self.detail, self.value = kind, field, detail, value
        self.supported = supported

    def body(self):
        """field.Error.ErrorBody(): the message without the field path."""
        prefix = CAUSES[self.kind][1]
        if self.kind in ("Invalid", "Duplicate", "NotSupported", "NotFound"):
            prefix += ": " + json.dumps(self.value)
        if self.kind == "NotSupported" and self.supported:
            return prefix + ": supported values: " + ", ".join(json.dumps(s) for s in self.supported)
        return prefix + (": " + self.detail if self.detail else "")


def invalid(kind, group, name, errors):
    """The 422 for a list of FieldErrors (`Kind.group "name" is invalid: ...`)."""
    texts = ["%s: %s" % (e.field, e.body()) for e in errors]
    summary = texts[0] if len(texts) == 1 else "[" + ", ".join(texts) + "]"
    qualified_kind = kind + "." + group if group else kind
    details = _details(name, group, kind)
    details["causes"] = [{"reason": CAUSES[e.kind][0], "message": e.body(), "field": e.field}
                         for e in errors]
    return ApiError(status_body(422, "Invalid", '%s "%s" is invalid: %s' % (qualified_kind, name, summary),
                                details))


def too_many_requests(retry_after):
    return ApiError(status_body(429, "TooManyRequests", "Too many requests, please try again later.",
                                {"retryAfterSeconds": retry_after}),
                    {"Retry-After": str(retry_after)})


def internal_error(message):
    return ApiError(status_body(500, "InternalError", "Internal error occurred: " + message,
                                {"causes": [{"message": message}]}))


def gone(message):
    """The 410 used for too-old resource versions (reason Expired)."""
    return ApiError(status_body(410, "Expired", message))


def method_not_allowed(message):
    return ApiError(status_body(405, "MethodNotAllowed", message))


def unsupported_media_type(message):
    return ApiError(status_body(415, "UnsupportedMediaType", message))


def not_acceptable(message):
    return ApiError(status_body(406, "NotAcceptable", message))


def plain_not_found():
    """What the apiserver answers for a path it does not serve at all."""
    body = status_body(404, "NotFound", "the server could not find the requested resource")
    body["details"] = {}
    body["code"] = body.pop("code")
    return ApiError(body)
