// check::ObjectNames (duplicate detection, object counts) must name exactly
// the objects emit::LowerComponent makes, in the same order, and the apply
// order must put the RBAC objects between the ServiceAccount and what uses it.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "compiler/check/model.h"
#include "compiler/check/rules.h"
#include "compiler/emit/lower.h"

namespace {

using kstate::check::Component;

Component Sample(std::string namespace_name) {
  Component c;
  c.name = "db";
  c.namespace_ = std::move(namespace_name);
  c.main.name = "db";
  c.main.image = "postgres:16.4";
  c.main.ports.push_back({"pg", 5432, "TCP", true, {}});
  c.replicas = 3;
  c.service_account.name = "db-agent";
  c.service_account.create = true;
  c.service_account.rules.push_back({{""}, {"pods"}, {"get"}, {}, {}, {}});
  c.service_account.cluster_rules.push_back({{}, {}, {"get"}, {}, {"/metrics"}, {}});
  c.configs.push_back({"settings", "db-settings", {}, {}, {}});
  for (const char* name : {"db-primary", "db-replica"}) {
    kstate::check::ClientService client;
    client.name = name;
    client.selector = {{"role", name}};
    c.clients.push_back(client);
  }
  return c;
}

}  // namespace

TEST_CASE("ObjectNames lists the objects LowerComponent makes, in order", "[emit][rbac]") {
  for (const std::string ns : {"shop", ""}) {
    Component c = Sample(ns);
    std::vector<kstate::emit::Object> objects;
    kstate::emit::LowerComponent(c, objects);
    std::vector<kstate::check::ObjectName> names = kstate::check::ObjectNames(c);
    REQUIRE(names.size() == objects.size());
    for (size_t i = 0; i < names.size(); ++i) {
      INFO("object " << i << " in namespace `" << ns << "`");
      CHECK(names[i].kind == objects[i].kind);
      CHECK(names[i].name == objects[i].name);
      // Cluster-scoped objects carry no namespace, in the tree or beside it.
      bool has_namespace = objects[i].root.Find("metadata")->Find("namespace") != nullptr;
      CHECK(has_namespace == (!ns.empty() && !names[i].cluster_scoped));
      CHECK(objects[i].namespace_.empty() == (ns.empty() || names[i].cluster_scoped));
    }
  }
}

TEST_CASE("cluster-wide roles are named after the namespace and the account", "[emit][rbac]") {
  CHECK(kstate::check::ClusterRoleName(Sample("shop")) == "shop-db-agent");
  CHECK(kstate::check::ClusterRoleName(Sample("")) == "db-agent");
}

TEST_CASE("RBAC objects are applied after the ServiceAccount and before what runs", "[emit][rbac]") {
  using kstate::emit::ApplyRank;
  CHECK(ApplyRank("ServiceAccount") < ApplyRank("Role"));
  CHECK(ApplyRank("Role") < ApplyRank("RoleBinding"));
  CHECK(ApplyRank("RoleBinding") < ApplyRank("ClusterRole"));
  CHECK(ApplyRank("ClusterRole") < ApplyRank("ClusterRoleBinding"));
  CHECK(ApplyRank("ClusterRoleBinding") < ApplyRank("ConfigMap"));
  CHECK(ApplyRank("ClusterRoleBinding") < ApplyRank("StatefulSet"));
}
