"""`kstatec diff` reports drift (fields other field managers changed on the
cluster) apart from the changes the file makes, against the fake API server,
with the real kubectl 1.32 as the other manager."""
import json
import subprocess

from lifecycle import LifecycleTest, main

HEADER = "drift in StatefulSet {ns}/db (changed on the cluster, not by this file):"


class DriftTest(LifecycleTest):
    def kubectl(self, *args, stdin=None):
        cmd = ["kubectl", "--kubeconfig", self.server.kubeconfig, "--context", "admin-cert", "-n", self.ns, *args]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=60, input=stdin)
        self.assertEqual(p.returncode, 0, "kubectl %s:\n%s%s" % (" ".join(args), p.stdout, p.stderr))
        return p

    def applied(self, **db):
        path = self.db(**db)
        self.assertOk(self.kstatec("apply", path))
        return path

    def new_image(self):
        """The DB file with another image: a change the file makes."""
        with open(self.db(), encoding="utf-8") as f:
            return self.write("db.kstate", f.read().replace("postgres:16.4", "postgres:17.0"))

    def diff(self, path, *flags, code=1):
        p = self.kstatec("diff", path, *flags)
        self.assertOk(p, code)
        self.assertEqual(p.stderr, "")
        return p.stdout

    def drift_lines(self, out):
        """The lines of the StatefulSet's drift section."""
        lines = out.splitlines()
        start = lines.index(HEADER.format(ns=self.ns))
        section = []
        for line in lines[start + 1:]:
            if not line.startswith("  "):
                break
            section.append(line.strip())
        return section

    def test_no_drift_after_apply(self):
        path = self.applied()
        self.assertEqual(self.diff(path, code=0), "")

    def test_scale_is_drift_that_conflicts(self):
        path = self.applied()
        self.kubectl("scale", "statefulset", "db", "--replicas=5")
        out = self.diff(path)
        lines = self.drift_lines(out)
        self.assertEqual(len(lines), 1, out)
        self.assertRegex(lines[0], r"^spec\.replicas: 5, set by kubectl \(subresource scale, [0-9T:-]+Z\); "
                                   r"the file says 3 \(file: .*db\.kstate:5:\d+\): apply stops with a conflict "
                                   r"unless --force-conflicts, which sets it back$")
        # The diff that follows is what --force-conflicts would apply, and says so.
        self.assertIn("--- live StatefulSet %s/db\n+++ applied with --force-conflicts StatefulSet %s/db\n"
                      % (self.ns, self.ns), out)
        self.assertIn("\n-  replicas: 5\n+  replicas: 3\n", out)
        self.assertLess(out.index("drift in"), out.index("--- live StatefulSet"))
        self.assertEqual(self.sts()["spec"]["replicas"], 5)  # a dry run changed nothing

        forced = self.diff(path, "--force-conflicts")
        self.assertTrue(self.drift_lines(forced)[0].endswith("): --force-conflicts sets it back"), forced)
        # Which is what apply does: afterwards there is neither drift nor change.
        self.assertOk(self.kstatec("apply", path, "--force-conflicts"))
        self.assertEqual(self.diff(path, code=0), "")

    def test_annotation_by_another_manager_is_kept(self):
        path = self.applied()
        self.kubectl("annotate", "statefulset", "db", "note=x")
        out = self.diff(path)
        lines = self.drift_lines(out)
        self.assertEqual(len(lines), 1, out)
        self.assertRegex(lines[0], r'^metadata\.annotations\.note: "x", set by kubectl-annotate '
                                                   r'\([0-9T:-]+Z\); not in the file: apply keeps it$')
        self.assertNotIn("--- live", out)  # apply keeps it: no change to show
        self.assertOk(self.kstatec("apply", path))
        self.assertEqual(self.sts()["metadata"]["annotations"]["note"], "x")

    def test_a_change_the_file_makes_is_not_drift(self):
        self.applied()
        path = self.new_image()
        out = self.diff(path)
        self.assertNotIn("drift in", out)
        self.assertIn("--- live StatefulSet %s/db\n+++ applied StatefulSet %s/db\n" % (self.ns, self.ns), out)
        self.assertIn("-      - image: docker.io/library/postgres:16.4\n+      - image: docker.io/library/postgres:17.0\n",
                      out)

    def test_drift_and_changes_are_kept_apart(self):
        self.applied()
        self.kubectl("scale", "statefulset", "db", "--replicas=5")
        self.kubectl("annotate", "statefulset", "db", "note=x")
        path = self.new_image()
        out = self.diff(path)
        lines = self.drift_lines(out)
        self.assertEqual([l.split(":")[0] for l in lines], ["spec.replicas", "metadata.annotations.note"], out)
        self.assertNotIn("image", "\n".join(lines))
        diff = out[out.index("--- live StatefulSet"):]
        self.assertIn("+  replicas: 3\n", diff)
        self.assertIn("+      - image: docker.io/library/postgres:17.0\n", diff)
        self.assertNotIn("note", diff)

    def test_another_applier_with_the_same_value_is_not_drift(self):
        path = self.applied()
        manifest = {"apiVersion": "apps/v1", "kind": "StatefulSet",
                    "metadata": {"name": "db", "namespace": self.ns}, "spec": {"replicas": 3}}
        self.kubectl("apply", "--server-side", "--field-manager=autoscaler", "-f", "-", stdin=json.dumps(manifest))
        self.assertEqual(self.diff(path, code=0), "")
        # Both appliers own replicas now; a file that changes it conflicts all the same.
        path = self.db(replicas=4)
        lines = self.drift_lines(self.diff(path))
        self.assertEqual(len(lines), 1)
        self.assertRegex(lines[0], r"^spec\.replicas: 3, applied by autoscaler \([0-9T:-]+Z\) as well as by this file; "
                                   r"the file now says 4 \(file: .*\): apply stops with a conflict unless "
                                   r"--force-conflicts, which takes it over$")

    def test_kstatecs_own_fields_are_not_drift(self):
        path = self.applied()
        # kstatec also writes by merge patch (ApplySet records): an Update entry of its own, not drift.
        r = self.client.patch("/apis/apps/v1/namespaces/%s/statefulsets/db" % self.ns,
                              {"metadata": {"labels": {"kstate.dev/own": "yes"}}}, query={"fieldManager": "kstatec"})
        self.assertEqual(r.status, 200, r.raw)
        managers = {e["manager"] for e in self.sts()["metadata"]["managedFields"]}
        self.assertEqual(managers - {"kube-controller-manager"}, {"kstatec"})
        self.assertEqual(self.diff(path, code=0), "")

if __name__ == "__main__":
    main()
