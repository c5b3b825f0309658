"""Deleting a PersistentVolumeClaim deletes data, so one path alone may do it:
`kstatec delete --delete-data` -> DataDeletionConsent::FromDeleteDataFlag (in
compiler/cli/delete_command.cpp) -> DeleteClaims (runtime/plan/claims.cpp) ->
ApiClient::DeleteClaim. These tests read the sources of compiler/ and
runtime/ and fail when another call site appears; the unit test
[runtime_delete] shows that ApiClient::Delete refuses claims without sending
anything. No API server needed.
"""
import os
import re
import subprocess
import unittest

import lifecycle
from lifecycle import main


def sources():
    """path (relative to the repository) -> text without // comments, for every C++ file of compiler/ and runtime/."""
    out = {}
    for top in ("compiler", "runtime"):
        for root, _, files in os.walk(os.path.join(lifecycle.ARGS.repo, top)):
            for name in files:
                if not name.endswith((".cpp", ".h", ".hpp", ".cc")):
                    continue
                path = os.path.join(root, name)
                with open(path, encoding="utf-8", errors="replace") as f:
                    text = f.read()
                # Comments are not calls: a comment may name the function it warns about.
                out[os.path.relpath(path, lifecycle.ARGS.repo)] = re.sub(r"//[^\n]*", "", text)
    return out


class ClaimDeletionInOnePlace(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sources = sources()

    def where(self, pattern):
        regex = re.compile(pattern)
        return sorted(path for path, text in self.sources.items() if regex.search(text))

    def test_the_sources_were_found(self):
        self.assertIn("runtime/api/api_client.cpp", self.sources)
        self.assertIn("compiler/cli/delete_command.cpp", self.sources)

    def test_DeleteClaim_is_called_only_by_DeleteClaims(self):
        # Declared and defined in runtime/api; called in runtime/plan/claims.cpp alone.
        self.assertEqual(self.where(r"\bDeleteClaim\s*\("),
                         ["runtime/api/api_client.cpp", "runtime/api/api_client.h", "runtime/plan/claims.cpp"])

    def test_consent_is_made_only_by_the_delete_command(self):
        self.assertEqual(self.where(r"\bFromDeleteDataFlag\s*\("),
                         ["compiler/cli/delete_command.cpp", "runtime/api/data_deletion.h"])
        # Its constructor is private: nobody else can make one another way.
        with open(os.path.join(lifecycle.ARGS.repo, "runtime/api/data_deletion.h"), encoding="utf-8") as f:
            header = f.read()
        self.assertRegex(header, r"private:\s*explicit DataDeletionConsent\(bool")

    def test_DeleteClaims_is_called_only_by_kstatec_delete(self):
        allowed = {"compiler/cli/delete_command.cpp", "runtime/plan/delete.cpp",
                   "runtime/plan/claims.h", "runtime/plan/claims.cpp"}  # the last two: its declaration and definition
        found = set(self.where(r"\bDeleteClaims\s*\("))
        self.assertTrue(found <= allowed, "DeleteClaims( also in %s" % sorted(found - allowed))
        self.assertTrue(found & {"compiler/cli/delete_command.cpp", "runtime/plan/delete.cpp"}, found)

    def test_only_the_api_layer_sends_DELETE_requests(self):
        # A raw DELETE elsewhere would go round ApiClient::Delete's refusal of claims.
        self.assertEqual(self.where(r'"DELETE"'), ["runtime/api/api_client.cpp", "runtime/http/client.cpp"])

    def test_ApiClient_Delete_refuses_claims_without_sending_anything(self):
        unit = os.path.join(os.path.dirname(os.path.abspath(lifecycle.ARGS.kstatec)), "tests", "unit",
                            "kstate_unit_tests")
        if not os.path.exists(unit):
            self.skipTest("no %s: the Catch2 test runs as CTest's runtime_delete tests" % unit)
        p = subprocess.run([unit, "[runtime_delete]"], capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertNotIn("No test cases matched", p.stdout + p.stderr)


if __name__ == "__main__":
    main()
