#!/usr/bin/env python3
# Checks that YAML written by kstate reads back in PyYAML (YAML 1.1 resolver;
# its pure-Python and, when built, libyaml scanners) exactly as the JSON
# rendering of the same documents says, types included.
# Usage: yaml_pyyaml_roundtrip.py DOCS.yaml EXPECTED.json  (the JSON holds an
# array with one entry per YAML document). Exit status 0 when all match.
import json
import sys

import yaml


def Mismatch(path, got, want):
    """Returns a description of the first difference, or None."""
    if type(got) is not type(want):
        return f"{path}: got {type(got).__name__} {got!r}, want {type(want).__name__} {want!r}"
    if isinstance(want, dict):
        if list(got.keys()) != list(want.keys()):
            return f"{path}: keys {list(got.keys())!r} != {list(want.keys())!r}"
        for key in want:
            found = Mismatch(f"{path}.{key!r}", got[key], want[key])
            if found:
                return found
        return None
    if isinstance(want, list):
        if len(got) != len(want):
            return f"{path}: {len(got)} items, want {len(want)}"
        for i, (g, w) in enumerate(zip(got, want)):
            found = Mismatch(f"{path}[{i}]", g, w)
            if found:
                return found
        return None
    return None if got == want else f"{path}: got {got!r}, want {want!r}"


def main():
    if len(sys.argv) != 3:
        print(__doc__ or "usage: yaml_pyyaml_roundtrip.py DOCS.yaml EXPECTED.json", file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        text = f.read()
    with open(sys.argv[2], encoding="utf-8") as f:
        expected = json.load(f)
    loaders = [yaml.SafeLoader] + ([yaml.CSafeLoader] if hasattr(yaml, "CSafeLoader") else [])
    for loader in loaders:
        docs = list(yaml.load_all(text, Loader=loader))
        found = Mismatch("$", docs, expected)
        if found:
            print(f"{loader.__name__}: {found}", file=sys.stderr)
            return 1
        print(f"{loader.__name__}: {len(docs)} documents match")
    return 0


if __name__ == "__main__":
    sys.exit(main())
