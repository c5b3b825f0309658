"""The objects `kstatec build` makes of a standard-library instance file
(tests/golden/stdlib/NAME.kstate), for tests that run what it emits."""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "examples"))
import validate_examples  # noqa: E402


def objects(kstatec, name):
    """The list of objects; exits with kstatec's message when the build fails."""
    path = os.path.join(HERE, "..", "golden", "stdlib", name + ".kstate")
    ok, out, message = validate_examples.build(os.path.abspath(kstatec), path)
    if not ok:
        sys.exit("%s: %s" % (path, message))
    docs = json.loads(out)
    return docs["items"] if isinstance(docs, dict) and "items" in docs else docs
