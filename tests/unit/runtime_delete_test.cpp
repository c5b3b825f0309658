// `kstatec delete` below the command line, with http::FakeClient: claims are
// never deleted by ApiClient::Delete (no request leaves), and the plan and
// its carrying out keep claims and Namespaces, refuse data loss, and stop on
// an object someone replaced.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "runtime/api/api_client.h"
#include "runtime/http/fake_client.h"
#include "runtime/plan/delete.h"

namespace {

using kstate::runtime::api::ApiClient;
using kstate::runtime::api::Json;
using kstate::runtime::api::Resource;
using kstate::runtime::http::FakeClient;
using kstate::runtime::http::Request;
using kstate::runtime::http::Response;
namespace plan = kstate::runtime::plan;

Resource StatefulSets() {
  return {"apps", "v1", "statefulsets", "StatefulSet", true};
}
Resource Services() {
  return {"", "v1", "services", "Service", true};
}
Resource Namespaces() {
  return {"", "v1", "namespaces", "Namespace", false};
}

Response Answer(long status, const Json& body) {
  Response r;
  r.status = status;
  r.body = body.dump();
  return r;
}

Response NotFound() {
  return Answer(404, {{"kind", "Status"}, {"status", "Failure"}, {"reason", "NotFound"}, {"message", "not found"}});
}

plan::DeleteStep Step(const Resource& r, const std::string& ns, const std::string& name, const std::string& uid) {
  plan::DeleteStep step;
  step.planned.component = r.kind == "Namespace" ? "" : "db";
  step.planned.object.kind = r.kind;
  step.planned.object.name = name;
  step.planned.resource = r;
  step.planned.ns = ns;
  step.uid = uid;
  return step;
}

plan::StatefulSetData Set(const std::string& uid, const std::string& when_deleted) {
  plan::StatefulSetData s;
  s.resource = StatefulSets();
  s.ns = "ns";
  s.name = "db";
  s.uid = uid;
  s.when_deleted = when_deleted;
  s.templates = {"data"};
  plan::Claim claim;
  claim.name = "data-db-0";
  claim.ns = "ns";
  claim.uid = "claim-uid";
  claim.request = "1Gi";
  s.claims.push_back(claim);
  return s;
}

std::string Contents(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string out;
  for (int c = std::fgetc(f); c != EOF; c = std::fgetc(f)) out += static_cast<char>(c);
  return out;
}

Json ClaimList() {
  return {{"items",
           {{{"metadata", {{"name", "data-db-0"}, {"uid", "claim-uid"}}},
             {"spec", {{"resources", {{"requests", {{"storage", "1Gi"}}}}}}},
             {"status", {{"phase", "Bound"}, {"capacity", {{"storage", "1Gi"}}}}}}}}};
}

}  // namespace

TEST_CASE("runtime_delete: ApiClient::Delete refuses a PersistentVolumeClaim and sends nothing", "[runtime_delete]") {
  auto fake = std::make_shared<FakeClient>();  // nothing scripted: a request would fail differently
  ApiClient api(fake, "https://fake");
  for (bool dry_run : {false, true}) {
    ApiClient::DeleteOptions options;
    options.dry_run = dry_run;
    options.uid = "claim-uid";
    auto result = api.Delete(kstate::runtime::api::kClaims, "ns", "data-db-0", options);
    CHECK_FALSE(result.ok());
    CHECK_THAT(result.error.message, Catch::Contains("refusing to delete PersistentVolumeClaim ns/data-db-0"));
    CHECK_THAT(result.error.message, Catch::Contains("--delete-data"));
  }
  CHECK(fake->requests().empty());
}

TEST_CASE("runtime_delete: Delete sends Background propagation and the UID precondition", "[runtime_delete]") {
  auto fake = std::make_shared<FakeClient>([](const Request&) { return Answer(200, {{"kind", "Status"}}); });
  ApiClient api(fake, "https://fake");
  ApiClient::DeleteOptions options;
  options.uid = "u-1";
  options.dry_run = true;
  REQUIRE(api.Delete(StatefulSets(), "ns", "db", options).ok());
  std::vector<Request> requests = fake->requests();
  REQUIRE(requests.size() == 1);
  const Request& sent = requests[0];
  CHECK(sent.method == "DELETE");
  CHECK(sent.url == "https://fake/apis/apps/v1/namespaces/ns/statefulsets/db?dryRun=All");
  Json body = Json::parse(sent.body);
  CHECK(body["propagationPolicy"] == "Background");
  CHECK(body["preconditions"]["uid"] == "u-1");
  CHECK(body["dryRun"] == Json::array({"All"}));
}

TEST_CASE("runtime_delete: a StatefulSet whose claims would go with it is refused without --delete-data",
          "[runtime_delete]") {
  plan::DeletePlan p;
  p.statefulsets.push_back(Set("sts-uid", "Retain"));
  CHECK(plan::DataLossWithoutConsent(p).empty());
  p.statefulsets[0].collected = {"data-db-0"};  // an owner reference left from a Delete policy
  CHECK_THAT(plan::DataLossWithoutConsent(p), Catch::Contains("owned by it or its pods"));
  p.statefulsets[0] = Set("sts-uid", "Delete");
  std::string why = plan::DataLossWithoutConsent(p);
  CHECK_THAT(why, Catch::Contains("StatefulSet ns/db has persistentVolumeClaimRetentionPolicy whenDeleted=Delete"));
  CHECK_THAT(why, Catch::Contains("data-db-0 (1Gi)"));
  CHECK_THAT(why, Catch::Contains("--delete-data"));
  CHECK_THAT(why, Catch::Contains("retention { whenDeleted = retain }"));
  p.statefulsets[0].uid.clear();  // gone already: nothing left that would take the claims
  CHECK(plan::DataLossWithoutConsent(p).empty());
  CHECK(plan::ClaimsToDelete(p).size() == 1);
}

TEST_CASE("runtime_delete: without consent, claims and Namespaces are kept and objects go in plan order",
          "[runtime_delete]") {
  auto fake = std::make_shared<FakeClient>([](const Request& r) {
    if (r.method == "DELETE") return Answer(200, {{"kind", "Status"}, {"status", "Success"}});
    if (r.url.find("/pods") != std::string::npos) return Answer(200, {{"items", Json::array()}});
    if (r.url.find("/persistentvolumeclaims") != std::string::npos) return Answer(200, ClaimList());
    return NotFound();  // each deleted object, and the ApplySet parent
  });
  ApiClient api(fake, "https://fake");
  plan::DeletePlan p;
  p.steps = {Step(StatefulSets(), "ns", "db", "sts-uid"), Step(Services(), "ns", "db", "svc-uid"),
             Step(Namespaces(), "", "ns", "ns-uid")};
  p.statefulsets.push_back(Set("sts-uid", "Retain"));
  p.namespaces = {"ns"};
  plan::DeleteSettings settings;
  settings.applyset = "db";
  settings.poll = std::chrono::milliseconds(1);
  std::FILE* out = std::tmpfile();
  std::FILE* err = std::tmpfile();
  REQUIRE(plan::CarryOutDelete(p, api, settings, nullptr, out, err));
  std::vector<std::string> deletes;
  for (const Request& r : fake->requests()) {
    if (r.method == "DELETE") deletes.push_back(r.url);
  }
  CHECK(deletes == std::vector<std::string>{"https://fake/apis/apps/v1/namespaces/ns/statefulsets/db",
                                            "https://fake/api/v1/namespaces/ns/services/db"});
  std::string printed = Contents(out);
  CHECK_THAT(printed, Catch::Contains("deleted StatefulSet ns/db\n"));
  CHECK_THAT(printed, Catch::Contains("kept Namespace ns: deleting a namespace deletes everything in it"));
  CHECK_THAT(printed, Catch::Contains("kept PersistentVolumeClaim ns/data-db-0 (1Gi)"));
  CHECK(Contents(err).empty());
  std::fclose(out);
  std::fclose(err);
}

TEST_CASE("runtime_delete: an object replaced since the plan is not deleted, and nothing after it",
          "[runtime_delete]") {
  auto fake = std::make_shared<FakeClient>([](const Request&) {
    return Answer(409, {{"kind", "Status"},
                        {"reason", "Conflict"},
                        {"message", "Precondition failed: UID in precondition: svc-uid, UID in object meta: new"}});
  });
  ApiClient api(fake, "https://fake");
  plan::DeletePlan p;
  p.steps = {Step(Services(), "ns", "db", "svc-uid"), Step(Services(), "ns", "db-client", "client-uid")};
  plan::DeleteSettings settings;
  settings.applyset = "db";
  std::FILE* out = std::tmpfile();
  std::FILE* err = std::tmpfile();
  CHECK_FALSE(plan::CarryOutDelete(p, api, settings, nullptr, out, err));
  CHECK(fake->requests().size() == 1);
  std::string errors = Contents(err);
  CHECK_THAT(errors, Catch::Contains("kstatec delete: Service ns/db was replaced by another object"));
  CHECK_THAT(errors, Catch::Contains("kstatec delete: stopped; not deleted: Service ns/db-client\n"));
  std::fclose(out);
  std::fclose(err);
}

TEST_CASE("runtime_delete: waiting is bounded by the timeout, which names what is still there", "[runtime_delete]") {
  auto fake = std::make_shared<FakeClient>([](const Request& r) {
    if (r.method == "DELETE") return Answer(200, {{"kind", "Status"}});
    return Answer(200, {{"metadata", {{"name", "db"}, {"uid", "svc-uid"}, {"finalizers", {"example.com/hold"}}}}});
  });
  ApiClient api(fake, "https://fake");
  plan::DeletePlan p;
  p.steps = {Step(Services(), "ns", "db", "svc-uid")};
  plan::DeleteSettings settings;
  settings.applyset = "db";
  settings.timeout = std::chrono::milliseconds(20);
  settings.poll = std::chrono::milliseconds(5);
  std::FILE* out = std::tmpfile();
  std::FILE* err = std::tmpfile();
  CHECK_FALSE(plan::CarryOutDelete(p, api, settings, nullptr, out, err));
  CHECK_THAT(Contents(err), Catch::Contains("timed out after 20ms waiting for Service ns/db to go; it has the "
                                            "finalizers example.com/hold"));
  std::fclose(out);
  std::fclose(err);
}
