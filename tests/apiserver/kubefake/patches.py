"""Request bodies: JSON or a YAML subset, and the three non-apply patch types.

YAML: JSON is tried first (kubectl sends JSON even as apply-patch+yaml); else
a block-YAML subset is parsed: mappings, sequences (also unindented under a
key), plain/single/double-quoted scalars, `|`/`>` block scalars with `-`/`+`
chomping, flow `{}`/`[]` written as JSON, comments, and one `---` document.
No anchors, aliases, tags or multi-line plain scalars.
"""

import copy
import json
import re

from . import fieldsets
from .status import bad_request


class YamlError(ValueError):
    pass


def parse_body(raw, yaml_ok=True):
    """Decodes a request body; raises the apiserver's 400 when it cannot."""
    text = raw.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except ValueError as e:
        if not yaml_ok:
            raise bad_request("error decoding request body: " + str(e)) from None
    try:
        return parse_yaml(text)
    except YamlError as e:
        raise bad_request("error converting YAML to JSON: yaml: " + str(e)) from None


def _scalar(text):
    t = text.strip()
    if t.startswith('"'):
        try:
            return json.loads(t)
        except ValueError:
            raise YamlError("found unknown escape character in " + t) from None
    if t.startswith("'"):
        if not t.endswith("'") or len(t) < 2:
            raise YamlError("found unexpected end of stream")
        return t[1:-1].replace("''", "'")
    if t.startswith("{") or t.startswith("["):
        try:
            return json.loads(t)
        except ValueError:
            inner = t[1:-1].strip()
            if t.startswith("[") and t.endswith("]"):
                return [_scalar(x) for x in inner.split(",")] if inner else []
            raise YamlError("did not find expected node content") from None
    if t in ("", "~", "null", "Null", "NULL"):
        return None
    if t in ("true", "True", "TRUE"):
        return True
    if t in ("false", "False", "FALSE"):
        return False
    if re.fullmatch(r"[-+]?[0-9]+", t):
        return int(t)
    if re.fullmatch(r"[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?", t):
        return float(t)
    return t


def _strip_comment(line):
    if line.lstrip().startswith("#"):
        return ""
    out, quote = [], None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            break
        out.append(ch)
    return "".join(out).rstrip()


def parse_yaml(text):
    lines = text.replace("\t", "    ").split("\n")
    docs = [i for i, line in enumerate(lines) if line.strip() == "---"]
    if docs and all(not lines[j].strip() or lines[j].lstrip().startswith("#") for j in range(docs[0])):
        lines = lines[docs[0] + 1:]
    if any(line.strip() == "---" for line in lines):
        raise YamlError("only one document is accepted")
    parser = _Yaml(lines)
    return parser.node(0)


class _Yaml:
    """A recursive-descent parser over (indent, text) lines."""

    def __init__(self, lines):
        self.raw = lines
        self.pos = 0

    def _peek(self):
        while self.pos < len(self.raw):
            text = _strip_comment(self.raw[self.pos])
            if text.strip():
                return len(text) - len(text.lstrip(" ")), text.strip()
            self.pos += 1
        return None

    def node(self, indent):
        head = self._peek()
        if head is None:
            return None
        col, text = head
        if text.startswith("- ") or text == "-":
            return self._seq(col)
        return self._map(col)

    def _seq(self, col):
        out = []
        while True:
            head = self._peek()
            if head is None or head[0] != col or not (head[1].startswith("- ") or head[1] == "-"):
                return out
            rest = head[1][1:].lstrip()
            if not rest:
                self.pos += 1
                out.append(self.node(col + 1))
            elif re.match(r"^[^'\"{\[][^:]*:( |$)", rest) or re.match(r'^"[^"]*":( |$)', rest):
                # "- key: value": a mapping whose first line shares the dash's line.
                inner = col + 2 + (len(rest) - len(rest.lstrip()))
                self.raw[self.pos] = " " * inner + rest
                out.append(self._map(inner))
            else:
                self.pos += 1
                out.append(self._value(rest, col))
        return out

    def _map(self, col):
        out = {}
        while True:
            head = self._peek()
            if head is None or head[0] != col or head[1].startswith("- "):
                return out
            m = re.match(r'^("(?:[^"\\]|\\.)*"|\'[^\']*\'|[^:]+?)\s*:(?: (.*))?$', head[1])
            if not m:
                raise YamlError("line %d: could not find expected ':'" % (self.pos + 1))
            key = _scalar(m.group(1)) if m.group(1)[0] in "\"'" else m.group(1)
            value = (m.group(2) or "").strip()
            self.pos += 1
            if value:
                out[str(key)] = self._value(value, col)
                continue
            nxt = self._peek()
            if nxt is None or nxt[0] < col or (nxt[0] == col and not nxt[1].startswith("- ")):
                out[str(key)] = None
            else:
                out[str(key)] = self.node(nxt[0])
        return out

    def _value(self, text, col):
        if text[0] in "|>":
            return self._block(text, col)
        return _scalar(text)

    def _block(self, header, col):
        folded, chomp = header[0] == ">", header[1:2]
        body, indent = [], None
        while self.pos < len(self.raw):
            line = self.raw[self.pos]
            if line.strip():
                here = len(line) - len(line.lstrip(" "))
                if indent is None:
                    indent = here
                if here < indent or here <= col:
                    break
                body.append(line[indent:])
            else:
                body.append("")
            self.pos += 1
        while body and body[-1] == "" and chomp != "+":
            body.pop()
        text = (" " if folded else "\n").join(body)
        return text if chomp == "-" else text + "\n"


def merge_patch(target, patch):
    """RFC 7386 JSON merge patch."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge_patch(out.get(k), v)
    return out


def strategic_merge_patch(target, patch, parents=()):
    """Strategic merge patch with the merge keys of fieldsets (first key of each keyed list)."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    if patch.get("$patch") == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items() if k != "$patch"}
    out = dict(target) if isinstance(target, dict) else {}
    retain = patch.get("$retainKeys")
    for k, v in patch.items():
        if k.startswith("$setElementOrder/") or k in ("$retainKeys", "$patch"):
            continue
        if k.startswith("$deleteFromPrimitiveList/"):
            name = k.split("/", 1)[1]
            out[name] = [x for x in out.get(name) or [] if x not in v]
            continue
        if v is None:
            out.pop(k, None)
        elif isinstance(v, dict):
            if v.get("$patch") == "delete":
                out.pop(k, None)
            else:
                out[k] = strategic_merge_patch(out.get(k), v, parents + (k,))
        elif isinstance(v, list):
            out[k] = _merge_list(out.get(k), v, parents + (k,))
        else:
            out[k] = v
    if retain is not None:
        out = {k: v for k, v in out.items() if k in retain}
    return out


def _merge_list(current, patch, parents):
    kind, keys = fieldsets.list_kind(parents)
    if kind == "set":
        return list(current or []) + [x for x in patch if x not in (current or [])]
    if kind != "map" or not isinstance(current, list):
        return [x for x in copy.deepcopy(patch) if not (isinstance(x, dict) and x.get("$patch"))]
    key = keys[0]
    out = [copy.deepcopy(x) for x in current]
    for item in patch:
        if not isinstance(item, dict):
            continue
        at = next((i for i, x in enumerate(out) if isinstance(x, dict) and x.get(key) == item.get(key)), None)
        if item.get("$patch") == "delete":
            if at is not None:
                del out[at]
        elif at is not None:
            out[at] = strategic_merge_patch(out[at], item, parents)
        else:
            out.append(strategic_merge_patch({}, item, parents))
    return out


def _pointer(path):
    if path == "":
        return []
    if not path.startswith("/"):
        raise bad_request('the server rejected our request due to an error in our request')
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _parent(doc, parts):
    node = doc
    for p in parts[:-1]:
        node = node[int(p)] if isinstance(node, list) else node[p]
    return node


def json_patch(doc, ops):
    """RFC 6902 JSON patch (add, remove, replace, move, copy, test)."""
    doc = copy.deepcopy(doc)
    for op in ops if isinstance(ops, list) else []:
        try:
            parts = _pointer(op.get("path", ""))
            node = _parent(doc, parts)
            last = parts[-1] if parts else None
            kind = op.get("op")
            if kind in ("move", "copy"):
                src = _pointer(op.get("from", ""))
                sp = _parent(doc, src)
                value = sp[int(src[-1])] if isinstance(sp, list) else sp[src[-1]]
                if kind == "move":
                    del sp[int(src[-1]) if isinstance(sp, list) else src[-1]]
                kind, op = "add", {"value": copy.deepcopy(value)}
            if kind == "test":
                current = node[int(last)] if isinstance(node, list) else node[last]
                if current != op.get("value"):
                    raise bad_request("the server rejected our request due to an error in our request")
            elif kind == "remove":
                del node[int(last) if isinstance(node, list) else last]
            elif kind == "add":
                if isinstance(node, list):
                    node.insert(len(node) if last == "-" else int(last), op.get("value"))
                else:
                    node[last] = op.get("value")
            elif kind == "replace":
                if isinstance(node, list):
                    node[int(last)] = op.get("value")
                elif last not in node:
                    raise KeyError(last)
                else:
                    node[last] = op.get("value")
            else:
                raise bad_request('Unexpected kind: %s' % kind)
        except (KeyError, IndexError, ValueError, TypeError):
            raise ApiPatchError(op) from None
    return doc


class ApiPatchError(Exception):
    """A JSON patch operation that does not apply; the registry turns it into a 422/500."""

    def __init__(self, op):
        super().__init__("jsonpatch %s operation does not apply: doc is missing path: \"%s\""
                         % (op.get("op"), op.get("path")))
