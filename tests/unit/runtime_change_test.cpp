// StatefulSet change classification (runtime/plan/change.h) and ApplySet
// ids (runtime/plan/applyset.h), without a server.
#include <catch2/catch.hpp>

#include "runtime/plan/applyset.h"
#include "runtime/plan/change.h"

using kstate::runtime::api::Json;
using namespace kstate::runtime::plan;

namespace {

Json Sts(const std::string& size, const std::string& policy = "OrderedReady", const std::string& service = "db") {
  return Json::parse(R"({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db"},
    "spec": {"replicas": 3, "serviceName": ")" + service + R"(", "podManagementPolicy": ")" + policy + R"(",
      "selector": {"matchLabels": {"app": "db"}},
      "template": {"metadata": {"labels": {"app": "db"}}, "spec": {"containers": [{"name": "db", "image": "pg:16"}]}},
      "volumeClaimTemplates": [{"metadata": {"name": "data"},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": ")" + size + R"("}}}}]}})");
}

// The live object as the API server returns it: defaults filled in.
Json Live(Json sts) {
  Json& t = sts["spec"]["volumeClaimTemplates"][0];
  t["apiVersion"] = "v1";
  t["kind"] = "PersistentVolumeClaim";
  t["spec"]["volumeMode"] = "Filesystem";
  t["status"] = {{"phase", "Pending"}};
  sts["status"] = {{"replicas", 3}};
  return sts;
}

Claim MakeClaim(int ordinal, const std::string& size, const std::string& cls = "standard") {
  Claim c;
  c.name = "data-db-" + std::to_string(ordinal);
  c.template_name = "data";
  c.ordinal = ordinal;
  c.request = c.capacity = size;
  c.storage_class = cls;
  c.access_modes = {"ReadWriteOnce"};
  return c;
}

}  // namespace

TEST_CASE("a StatefulSet that does not exist is created", "[runtime][change]") {
  StatefulSetChange c = ClassifyStatefulSet(Sts("1Gi"), Json(), {}, {});
  CHECK(c.kind == StatefulSetChange::Kind::Create);
  CHECK(c.retention == "whenDeleted=Retain, whenScaled=Retain");
}

TEST_CASE("defaults the server fills in are no change", "[runtime][change]") {
  StatefulSetChange c = ClassifyStatefulSet(Sts("1Gi"), Live(Sts("1Gi")), {MakeClaim(0, "1Gi")}, {});
  CHECK(c.kind == StatefulSetChange::Kind::InPlace);
  CHECK(c.reasons.empty());
}

TEST_CASE("immutable fields need recreation and say which", "[runtime][change]") {
  StatefulSetChange c = ClassifyStatefulSet(Sts("1Gi", "Parallel", "db-headless"), Live(Sts("1Gi")), {}, {});
  REQUIRE(c.kind == StatefulSetChange::Kind::Recreate);
  REQUIRE(c.reasons.size() == 2);
  CHECK(c.reasons[0].find("spec.serviceName: db -> db-headless") == 0);
  CHECK(c.reasons[1] == "spec.podManagementPolicy: OrderedReady -> Parallel");
  CHECK(c.restart_pods);
  CHECK_FALSE(c.relabel_pods);
}

TEST_CASE("a selector the running pods do not match means relabelling them", "[runtime][change]") {
  Json want = Sts("1Gi");
  want["spec"]["selector"]["matchLabels"]["tier"] = "db";
  want["spec"]["template"]["metadata"]["labels"]["tier"] = "db";
  StatefulSetChange c = ClassifyStatefulSet(want, Live(Sts("1Gi")), {}, {});
  CHECK(c.kind == StatefulSetChange::Kind::Recreate);
  CHECK(c.relabel_pods);
}

TEST_CASE("storage growth resizes claims when the class allows it", "[runtime][change]") {
  std::vector<Claim> claims = {MakeClaim(0, "1Gi"), MakeClaim(1, "1Gi"), MakeClaim(2, "1Gi")};
  StatefulSetChange c = ClassifyStatefulSet(Sts("2Gi"), Live(Sts("1Gi")), claims, {{"standard", true}});
  REQUIRE(c.kind == StatefulSetChange::Kind::Recreate);
  CHECK(c.grow.at("data") == "2Gi");
  CHECK(c.reasons[0] == "storage of data: 1Gi -> 2Gi (each existing claim is resized first: data-db-0, data-db-1, data-db-2)");
  c = ClassifyStatefulSet(Sts("2Gi"), Live(Sts("1Gi")), claims, {{"standard", false}});
  CHECK(c.kind == StatefulSetChange::Kind::Impossible);
  CHECK(c.reasons.back().find("StorageClass standard of claim data-db-0 does not allow volume expansion") == 0);
  // 1024Mi is 1Gi: the same size written differently is no change.
  c = ClassifyStatefulSet(Sts("1024Mi"), Live(Sts("1Gi")), claims, {});
  CHECK(c.kind == StatefulSetChange::Kind::InPlace);
}

TEST_CASE("shrinking is impossible, also below a claim grown earlier", "[runtime][change]") {
  StatefulSetChange c = ClassifyStatefulSet(Sts("1Gi"), Live(Sts("2Gi")), {}, {});
  CHECK(c.kind == StatefulSetChange::Kind::Impossible);
  CHECK(c.reasons[0] == "storage of data: 2Gi -> 1Gi: a volume cannot shrink");
  c = ClassifyStatefulSet(Sts("2Gi"), Live(Sts("2Gi")), {MakeClaim(0, "3Gi")}, {});
  CHECK(c.kind == StatefulSetChange::Kind::Impossible);
  CHECK(c.reasons[0].find("(claims data-db-0 are larger)") != std::string::npos);
}

TEST_CASE("existing claims cannot change access modes or class", "[runtime][change]") {
  Json want = Sts("1Gi");
  want["spec"]["volumeClaimTemplates"][0]["spec"]["accessModes"] = {"ReadWriteMany"};
  CHECK(ClassifyStatefulSet(want, Live(Sts("1Gi")), {MakeClaim(0, "1Gi")}, {}).kind ==
        StatefulSetChange::Kind::Impossible);
  CHECK(ClassifyStatefulSet(want, Live(Sts("1Gi")), {}, {}).kind == StatefulSetChange::Kind::Recreate);
  want = Sts("1Gi");
  want["spec"]["volumeClaimTemplates"][0]["spec"]["storageClassName"] = "fast";
  CHECK(ClassifyStatefulSet(want, Live(Sts("1Gi")), {MakeClaim(0, "1Gi")}, {}).kind ==
        StatefulSetChange::Kind::Impossible);
}

TEST_CASE("claim templates added or removed need recreation", "[runtime][change]") {
  Json want = Sts("1Gi");
  want["spec"]["volumeClaimTemplates"].push_back(want["spec"]["volumeClaimTemplates"][0]);
  want["spec"]["volumeClaimTemplates"][1]["metadata"]["name"] = "logs";
  StatefulSetChange c = ClassifyStatefulSet(want, Live(Sts("1Gi")), {}, {});
  CHECK(c.kind == StatefulSetChange::Kind::Recreate);
  CHECK(c.reasons[0] == "volumeClaimTemplates: logs is added (each pod gets a new claim)");
}

TEST_CASE("odd live objects do not crash the classification", "[runtime][change]") {
  for (const char* text : {R"({})", R"({"spec": 3})", R"({"spec": {"volumeClaimTemplates": [1, {"metadata": 2}]}})",
                           R"({"spec": {"selector": "x", "volumeClaimTemplates": {"a": 1}}})"}) {
    StatefulSetChange c = ClassifyStatefulSet(Sts("1Gi"), Json::parse(text), {}, {});
    CHECK(c.kind != StatefulSetChange::Kind::Create);
  }
}

TEST_CASE("changes are described by path", "[runtime][change]") {
  Json before = Sts("1Gi"), after = Sts("1Gi");
  after["spec"]["replicas"] = 5;
  after["spec"]["template"]["spec"]["containers"][0]["image"] = "pg:17";
  std::vector<std::string> lines = DescribeChanges(before, after);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] == "spec.replicas: 3 -> 5");
  CHECK(lines[1] == "spec.template.spec.containers[db].image: pg:16 -> pg:17");
  CHECK(DescribeChanges(before, before).empty());
}

TEST_CASE("storage quantities are exact", "[runtime][change]") {
  CHECK(StorageBytes("1Gi") == int64_t{1} << 30);
  CHECK(StorageBytes("1G") == 1000000000);
  CHECK(StorageBytes("1073741824") == int64_t{1} << 30);
  CHECK_FALSE(StorageBytes("lots").has_value());
  CHECK_FALSE(StorageBytes("").has_value());
}

TEST_CASE("ApplySet ids are kubectl's", "[runtime][applyset]") {
  // kubectl: base64url(sha256("<name>.<namespace>.<kind>.<group>")), unpadded, in "applyset-...-v1".
  CHECK(ApplySetId("kstate.two", "t2", "Secret", "") == "applyset-5HtqsvMq7RdmQ-ab_dFy2MMTxzPImbjuFcDeX63wGPo-v1");
  ApplySet set = MakeApplySet("db", "prod");
  CHECK(set.parent == "kstate.db");
  CHECK(set.id == ApplySetId("kstate.db", "prod", "Secret", ""));
  CHECK(DefaultSetName({"dir/My_DB.kstate"}) == "my-db");
  CHECK(DefaultSetName({"___.kstate"}) == "kstate");
  CHECK(CheckSetName("db").empty());
  CHECK_FALSE(CheckSetName("Db").empty());
  CHECK_FALSE(CheckSetName("-db").empty());
  CHECK_FALSE(CheckSetName(std::string(57, 'a')).empty());
}
