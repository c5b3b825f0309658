// Drift as `kstatec diff` reports it (runtime/plan/drift): fields other field
// managers own, read from managedFields, against the file's apply configuration.
#include <catch2/catch.hpp>

#include "runtime/plan/drift.h"

using kstate::runtime::plan::AgreeWithServer;
using kstate::runtime::plan::DriftedField;
using kstate::runtime::plan::DriftPathFromServer;
using kstate::runtime::plan::DriftWording;
using kstate::runtime::plan::FindDrift;
using kstate::runtime::plan::FormatDrift;
using kstate::runtime::plan::Json;
using Outcome = DriftedField::Outcome;

namespace {

// What kstatec sends for a small StatefulSet.
Json Config() {
  return Json::parse(R"({
    "apiVersion": "apps/v1", "kind": "StatefulSet",
    "metadata": {"name": "db", "namespace": "demo", "labels": {"app": "db"}},
    "spec": {"replicas": 3, "template": {"spec": {"containers": [
      {"name": "db", "image": "postgres:16.4", "ports": [{"containerPort": 5432}]}]}}}
  })");
}

// The live object: `Config()` with `changes` merged in, and these managedFields.
Json Live(const Json& managed, const Json& changes = Json::object()) {
  Json live = Config();
  live.merge_patch(changes);
  live["metadata"]["resourceVersion"] = "42";
  live["metadata"]["managedFields"] = managed;
  return live;
}

Json Entry(const std::string& manager, const std::string& operation, const std::string& fields,
           const std::string& subresource = "") {
  Json e = {{"manager", manager},       {"operation", operation},
            {"apiVersion", "apps/v1"},  {"time", "2026-11-24T10:00:00Z"},
            {"fieldsType", "FieldsV1"}, {"fieldsV1", Json::parse(fields)}};
  if (!subresource.empty()) e["subresource"] = subresource;
  return e;
}

// Everything kstatec applies, owned by kstatec.
Json Ours() {
  return Entry("kstatec", "Apply", R"({"f:metadata": {"f:labels": {"f:app": {}}}, "f:spec": {"f:replicas": {},
    "f:template": {"f:spec": {"f:containers": {"k:{\"name\":\"db\"}": {".": {}, "f:name": {}, "f:image": {},
    "f:ports": {"k:{\"containerPort\":5432,\"protocol\":\"TCP\"}": {".": {}, "f:containerPort": {}}}}}}}}})");
}

// `entry` without the field at `path`: what the server leaves kstatec when
// another manager's update changes a field (ownership moves with the change).
Json Taken(Json entry, const std::vector<std::string>& path) {
  Json* at = &entry["fieldsV1"];
  for (size_t i = 0; i + 1 < path.size(); ++i) at = &(*at)[path[i]];
  at->erase(path.back());
  return entry;
}

std::vector<std::string> Replicas() {
  return {"f:spec", "f:replicas"};
}

std::vector<std::string> Paths(const std::vector<DriftedField>& fields) {
  std::vector<std::string> out;
  out.reserve(fields.size());
  for (const DriftedField& f : fields) out.push_back(f.path);
  return out;
}

}  // namespace

TEST_CASE("drift: fields only kstatec owns are not drift", "[runtime][drift]") {
  CHECK(FindDrift(Live(Json::array({Ours()})), Config(), "kstatec").empty());
  // kstatec's own merge patches (Update entries) and labels it adds are its own too.
  Json patch = Entry("kstatec", "Update", R"({"f:metadata": {"f:labels": {"f:applyset.kubernetes.io/part-of": {}}}})");
  Json live =
      Live(Json::array({Ours(), patch}), {{"metadata", {{"labels", {{"applyset.kubernetes.io/part-of", "x"}}}}}});
  CHECK(FindDrift(live, Config(), "kstatec").empty());
}

TEST_CASE("drift: a field the file sets, changed by another manager, is a conflict", "[runtime][drift]") {
  Json scale = Entry("kubectl", "Update", R"({"f:spec": {"f:replicas": {}}})", "scale");
  std::vector<DriftedField> drift =
      FindDrift(Live({Taken(Ours(), Replicas()), scale}, {{"spec", {{"replicas", 5}}}}), Config(), "kstatec");
  REQUIRE(drift.size() == 1);
  CHECK(drift[0].path == "spec.replicas");
  CHECK(drift[0].live == 5);
  CHECK(drift[0].file == 3);
  CHECK(drift[0].outcome == Outcome::Conflict);
  REQUIRE(drift[0].owners.size() == 1);
  CHECK(drift[0].owners[0].manager == "kubectl");
  CHECK(drift[0].owners[0].subresource == "scale");

  DriftWording wording;
  wording.source = [](const std::string& path) { return path == "spec.replicas" ? "db.kstate:4:3" : ""; };
  CHECK(FormatDrift("StatefulSet demo/db", drift, wording) ==
        "drift in StatefulSet demo/db (changed on the cluster, not by this file):\n"
        "  spec.replicas: 5, set by kubectl (subresource scale, 2026-11-24T10:00:00Z); the file says 3 "
        "(file: db.kstate:4:3): apply stops with a conflict unless --force-conflicts, which sets it back\n");
  wording.force_conflicts = true;
  CHECK(FormatDrift("StatefulSet demo/db", drift, wording)
            .find("3 (file: db.kstate:4:3): --force-conflicts sets it back\n") != std::string::npos);
}

TEST_CASE("drift: a field the file does not set is kept", "[runtime][drift]") {
  Json annotate = Entry("kubectl-annotate", "Update", R"({"f:metadata": {"f:annotations": {".": {}, "f:note": {}}}})");
  Json live = Live({Ours(), annotate}, {{"metadata", {{"annotations", {{"note", "x"}}}}}});
  std::vector<DriftedField> drift = FindDrift(live, Config(), "kstatec");
  REQUIRE(drift.size() == 1);
  CHECK(drift[0].path == "metadata.annotations.note");
  CHECK(drift[0].outcome == Outcome::Kept);
  CHECK(drift[0].file.is_null());
  CHECK(FormatDrift("StatefulSet demo/db", drift, {}) ==
        "drift in StatefulSet demo/db (changed on the cluster, not by this file):\n"
        "  metadata.annotations.note: \"x\", set by kubectl-annotate (2026-11-24T10:00:00Z); not in the file: "
        "apply keeps it\n");
}

TEST_CASE("drift: keyed list items are named by their key, and a whole added item is one field", "[runtime][drift]") {
  Json edit = Entry("kubectl-edit", "Update", R"({"f:spec": {"f:template": {"f:spec": {"f:containers": {
    "k:{\"name\":\"db\"}": {"f:image": {}, "f:ports": {"k:{\"containerPort\":5432,\"protocol\":\"TCP\"}": {"f:name": {}}}},
    "k:{\"name\":\"sidecar\"}": {".": {}, "f:name": {}, "f:image": {}}}}}}})");
  Json live = Config();
  Json& containers = live["spec"]["template"]["spec"]["containers"];
  containers[0]["image"] = "postgres:17";
  containers[0]["ports"][0]["name"] = "pg";
  containers.push_back({{"name", "sidecar"}, {"image", "busybox"}});
  Json ours = Taken(Ours(), {"f:spec", "f:template", "f:spec", "f:containers", "k:{\"name\":\"db\"}", "f:image"});
  live["metadata"]["managedFields"] = {ours, edit};
  std::vector<DriftedField> drift = FindDrift(live, Config(), "kstatec");
  CHECK(Paths(drift) ==
        std::vector<std::string>{"spec.template.spec.containers[db].image",
                                 "spec.template.spec.containers[db].ports[containerPort=5432,protocol=\"TCP\"].name",
                                 "spec.template.spec.containers[sidecar]"});
  CHECK(drift[0].outcome == Outcome::Conflict);
  CHECK(drift[0].file == "postgres:16.4");
  CHECK(drift[2].outcome == Outcome::Kept);
  CHECK(drift[2].live == Json{{"name", "sidecar"}, {"image", "busybox"}});
}

TEST_CASE("drift: a value the file agrees with, bookkeeping and status are not drift", "[runtime][drift]") {
  Json same = Entry("helm", "Apply", R"({"f:spec": {"f:replicas": {}}, "f:metadata": {"f:labels": {"f:app": {}}}})");
  Json status = Entry("someone", "Update", R"({"f:status": {"f:replicas": {}}, "f:spec": {"f:paused": {}}})", "status");
  Json meta = Entry("kubectl-client-side-apply", "Update", R"({"f:metadata": {"f:resourceVersion": {},
    "f:annotations": {"f:kubectl.kubernetes.io/last-applied-configuration": {}}}})");
  Json live = Live({Ours(), same, status, meta},
                   {{"status", {{"replicas", 3}}},
                    {"spec", {{"paused", true}}},
                    {"metadata", {{"annotations", {{"kubectl.kubernetes.io/last-applied-configuration", "{}"}}}}}});
  CHECK(FindDrift(live, Config(), "kstatec").empty());
}

TEST_CASE("drift: controllers count only where they own a field the file sets", "[runtime][drift]") {
  Json kcm = Entry("kube-controller-manager", "Update",
                   R"({"f:metadata": {"f:annotations": {".": {}, "f:revision": {}}}, "f:spec": {"f:replicas": {}}})");
  Json live = Live({Taken(Ours(), Replicas()), kcm},
                   {{"metadata", {{"annotations", {{"revision", "2"}}}}}, {"spec", {{"replicas", 1}}}});
  std::vector<DriftedField> drift = FindDrift(live, Config(), "kstatec");
  CHECK(Paths(drift) == std::vector<std::string>{"spec.replicas"});
  CHECK(drift[0].outcome == Outcome::Conflict);
}

TEST_CASE("drift: a value this file applied too, and now changes, is shared", "[runtime][drift]") {
  Json helm = Entry("helm", "Apply", R"({"f:spec": {"f:replicas": {}}})");
  Json config = Config();
  config["spec"]["replicas"] = 4;
  std::vector<DriftedField> drift = FindDrift(Live({Ours(), helm}), config, "kstatec");
  REQUIRE(drift.size() == 1);
  CHECK(drift[0].outcome == Outcome::Shared);
  CHECK(FormatDrift("X", drift, {})
            .find("3, applied by helm (2026-11-24T10:00:00Z) as well as by this file; the file now "
                  "says 4: apply stops with a conflict unless --force-conflicts, which takes it "
                  "over") != std::string::npos);
}

TEST_CASE("drift: a Secret's values are masked", "[runtime][drift]") {
  Json live = {
      {"kind", "Secret"},
      {"data", {{"password", "c2VjcmV0"}}},
      {"metadata", {{"managedFields", {Entry("kubectl-edit", "Update", R"({"f:data": {"f:password": {}}})")}}}}};
  Json config = {{"kind", "Secret"}, {"data", {{"password", "b3RoZXI="}}}};
  std::vector<DriftedField> drift = FindDrift(live, config, "kstatec");
  REQUIRE(drift.size() == 1);
  CHECK(drift[0].outcome == Outcome::Conflict);
  CHECK(drift[0].live == "***");
  CHECK(drift[0].file == "***");
}

TEST_CASE("drift: odd managedFields are skipped, never fatal", "[runtime][drift]") {
  Json config = Config();
  for (const Json& managed :
       {Json(), Json("x"), Json(7), Json::array({1, "a", nullptr}), Json::object(),
        Json::array({{{"manager", 3}, {"fieldsV1", "nope"}}}),
        Json::array({{{"manager", "m"}, {"operation", "Teleport"}, {"fieldsV1", {{"x:what", {}}}}}}),
        Json::array({{{"manager", "m"}, {"fieldsType", "FieldsV2"}, {"fieldsV1", {{"f:spec", {{"f:replicas", {}}}}}}}}),
        Json::array(
            {{{"manager", "m"},
              {"fieldsV1", {{"f:spec", {{"k:not json", {}}, {"i:99", {}}, {"i:-1", {}}, {"f:replicas", 5}}}}}}})}) {
    Json live = Config();
    live["spec"]["replicas"] = 5;
    live["metadata"]["managedFields"] = managed;
    std::vector<DriftedField> drift = FindDrift(live, config, "kstatec");
    CHECK(drift.size() <= 1);  // only the last one names a real field (spec.replicas, a malformed leaf)
  }
  CHECK(FindDrift(Json(), Json(), "kstatec").empty());
  CHECK(FindDrift(Json::array(), Json("x"), "kstatec").empty());
  Json unnamed =
      Live(Json::array({Entry("", "Update", R"({"f:spec": {"f:replicas": {}}})")}), {{"spec", {{"replicas", 5}}}});
  CHECK(FormatDrift("X", FindDrift(unnamed, Config(), "kstatec"), {}).find("set by an unnamed manager") !=
        std::string::npos);
}

TEST_CASE("drift: the server's conflicts are the truth", "[runtime][drift]") {
  CHECK(DriftPathFromServer(".spec.replicas") == "spec.replicas");
  CHECK(DriftPathFromServer(R"(.spec.template.spec.containers[name="db"].image)") ==
        "spec.template.spec.containers[db].image");
  CHECK(DriftPathFromServer(R"(.spec.ports[port=5432,protocol="TCP"].name)") ==
        R"(spec.ports[port=5432,protocol="TCP"].name)");
  CHECK(DriftPathFromServer(R"(.x[name="a]b"].y)") == "x[a]b].y");
  CHECK(DriftPathFromServer(".metadata.finalizers[=\"f\"]") == "metadata.finalizers[=\"f\"]");

  Json scale =
      Entry("kubectl", "Update", R"({"f:spec": {"f:replicas": {}}, "f:metadata": {"f:annotations": {"f:n": {}}}})");
  Json live = Live({Taken(Ours(), Replicas()), scale},
                   {{"spec", {{"replicas", 5}}}, {"metadata", {{"annotations", {{"n", "1"}}}}}});
  std::vector<DriftedField> drift = FindDrift(live, Config(), "kstatec");
  REQUIRE(drift.size() == 2);

  std::vector<DriftedField> accepted = drift;  // the dry run went through: the values only looked different
  AgreeWithServer(accepted, true, {});
  CHECK(Paths(accepted) == std::vector<std::string>{"metadata.annotations.n"});

  std::vector<DriftedField> no_causes = drift;  // a 409 that names nothing changes nothing
  AgreeWithServer(no_causes, false, {});
  CHECK(Paths(no_causes) == Paths(drift));

  std::vector<DriftedField> conflicted = drift;
  AgreeWithServer(
      conflicted, false,
      {{"FieldManagerConflict", "conflict with \"kubectl\" with subresource \"scale\" using apps/v1", ".spec.replicas"},
       {"FieldManagerConflict", "conflict with \"x\" using apps/v1", ".spec.minReadySeconds"}});
  CHECK(Paths(conflicted) ==
        std::vector<std::string>{"spec.minReadySeconds", "spec.replicas", "metadata.annotations.n"});
  CHECK(
      FormatDrift("X", {conflicted[0]}, {})
          .find(
              "spec.minReadySeconds: the server reports conflict with \"x\" using apps/v1: apply stops with a conflict "
              "unless --force-conflicts, which sets it to the file's value") != std::string::npos);
}

TEST_CASE("drift: long values are cut on one line", "[runtime][drift]") {
  Json annotate = Entry("m", "Update", R"({"f:metadata": {"f:annotations": {"f:long": {}}}})");
  Json live = Live(Json::array({annotate}), {{"metadata", {{"annotations", {{"long", std::string(100, 'a')}}}}}});
  std::string text = FormatDrift("X", FindDrift(live, Config(), "kstatec"), {});
  CHECK(text.find("\"" + std::string(56, 'a') + "..., set by m") != std::string::npos);
}
