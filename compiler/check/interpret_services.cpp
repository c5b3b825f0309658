// Identity and access: the service account with the RBAC rules granted to it,
// and the client Services (one unnamed, or several named sections).
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "compiler/base/text.h"
#include "compiler/check/interpret.h"
#include "compiler/check/schema.h"

namespace kstate::check {

using K = diag::Kind;

void ComponentBuilder::ReadServiceAccount(const Value& v) {
  c_.service_account.range = v.range;
  if (v.kind == ValueKind::String) {
    c_.service_account.name = v.text;
    return;
  }
  if (v.kind != ValueKind::Record) {
    r_.Mismatch(v, "`serviceAccount`", "a name, or a section `serviceAccount { create = true }`");
    return;
  }
  static const std::vector<std::string_view>& kKeys = schema::ComponentKeys("serviceAccount");
  r_.CheckKeys(v, "`serviceAccount`", kKeys);
  if (const Value* cr = v.Get("create")) r_.Bool(*cr, "`create`", c_.service_account.create);
  // A created account is named after the component; without `create` and
  // `name`, the pods keep the namespace's `default` account.
  if (c_.service_account.create) c_.service_account.name = c_.name;
  if (const Value* n = v.Get("name")) r_.String(*n, "the service account name", c_.service_account.name);
  bool b = false;
  if (const Value* a = v.Get("automount"); a && r_.Bool(*a, "`automount`", b)) c_.service_account.automount = b;
  for (bool cluster : {false, true}) {
    std::string_view field = cluster ? "clusterRules" : "rules";
    const Value* rules = v.Get(field);
    if (!rules) continue;
    if (!c_.service_account.create) {
      r_.diags().Report(K::RulesWithoutAccount, v.KeyRange(field), field).help =
          "add `create = true`; roles of an account created elsewhere are bound outside kstate";
      continue;
    }
    if (cluster && c_.namespace_.empty()) {
      r_.diags()
          .Report(K::BadRbacRule, v.KeyRange(field),
                  fmt::format("`clusterRules` are bound to the service account in its namespace, and component "
                              "`{}` has no `namespace` declaration",
                              c_.name))
          .help = "declare the namespace before the component, as in `namespace \"monitoring\"`";
      continue;
    }
    ReadRules(*rules, field, cluster, cluster ? c_.service_account.cluster_rules : c_.service_account.rules);
  }
}

// `[{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] }, ...]`
void ComponentBuilder::ReadRules(const Value& v, std::string_view field, bool cluster, std::vector<RbacRule>& out) {
  std::string what = base::Cat({"`", field, "`"});
  if (v.kind != ValueKind::List) {
    r_.Mismatch(v, what, "a list of rules such as `[{ apiGroups: [\"\"], resources: [\"pods\"], verbs: [\"get\"] }]`");
    return;
  }
  for (const Value& item : v.items) {
    if (item.kind != ValueKind::Record || !item.text.empty()) {
      r_.Mismatch(item, fmt::format("each rule of {}", what),
                  "a record such as `{ apiGroups: [\"\"], resources: [\"pods\"], verbs: [\"get\"] }`");
      continue;
    }
    std::string where = base::Cat({"a rule of ", what});
    static const std::vector<std::string_view>& kKeys = schema::ComponentKeys("serviceAccount.rules");
    r_.CheckKeys(item, where, kKeys);
    RbacRule rule;
    rule.range = item.range;
    std::pair<std::string_view, std::vector<std::string>*> lists[] = {{"apiGroups", &rule.api_groups},
                                                                      {"resources", &rule.resources},
                                                                      {"verbs", &rule.verbs},
                                                                      {"resourceNames", &rule.resource_names},
                                                                      {"nonResourceURLs", &rule.non_resource_urls}};
    size_t known = 0;
    bool ok = true;
    for (auto [key, list] : lists) {
      const Value* x = item.Get(key);
      if (!x) continue;
      ++known;
      ok = r_.StringList(*x, base::Cat({"`", key, "`"}), *list) && ok;
    }
    if (!ok) continue;
    if (const Value* verbs = item.Get("verbs")) {
      for (const Value& verb : verbs->items) {
        std::string ignored;
        static const std::span<const EnumWord> kVerbs = schema::ComponentWords("serviceAccount.rules.verbs");
        r_.Enum(verb, "verb", kVerbs, ignored);
      }
    }
    if (known != item.keys.size()) continue;  // a misspelt key, reported, would also read as missing
    if (rule.verbs.empty()) {
      r_.diags().Report(K::MissingField, item.range, where, "verbs").help = "add `verbs: [\"get\", \"list\"]`";
      continue;
    }
    if (!rule.non_resource_urls.empty()) {
      SourceRange at = item.KeyRange("nonResourceURLs");
      if (!cluster) {
        r_.diags().Report(K::BadRbacRule, at, "`nonResourceURLs` are not namespaced; a Role cannot grant them").help =
            "move the rule to `clusterRules`";
        continue;
      }
      if (!rule.resources.empty() || !rule.api_groups.empty()) {
        r_.diags().Report(K::BadRbacRule, at, "a rule grants resources or `nonResourceURLs`, not both").help =
            "split it into two rules";
        continue;
      }
    } else if (rule.resources.empty()) {
      r_.diags().Report(K::MissingField, item.range, where, "resources").help =
          cluster ? "name the resources, as in `resources: [\"pods\"]`, or the `nonResourceURLs`"
                  : "name the resources, as in `resources: [\"pods\"]`";
      continue;
    } else if (rule.api_groups.empty()) {
      r_.diags().Report(K::MissingField, item.range, where, "apiGroups").help =
          "write `apiGroups: [\"\"]` for the core group (pods, services, endpoints, ...)";
      continue;
    }
    out.push_back(std::move(rule));
  }
}

// `client = true`, `client { ... }`, or several `client NAME { ... }`.
void ComponentBuilder::ReadClients(const Value& v) {
  if (v.kind == ValueKind::Bool) {
    if (v.boolean) {
      ClientService cs;
      cs.name = c_.name + "-client";
      cs.range = v.range;
      c_.clients.push_back(std::move(cs));
    }
    return;
  }
  if (v.kind == ValueKind::Record && (v.text.empty() || v.text == "client")) {
    ReadClient(v, c_.name + "-client", false);
    return;
  }
  bool sections = v.kind == ValueKind::List && std::all_of(v.items.begin(), v.items.end(), [](const Value& s) {
                    return s.kind == ValueKind::Record && s.section && s.text == "client";
                  });
  if (!sections) {
    r_.Mismatch(v, "`client`", "`true`, a section `client { ... }` or named sections `client NAME { ... }`");
    return;
  }
  for (const Value& s : v.items) {
    // Named like the ConfigMaps of `config` sections: `<component>-NAME`.
    const std::string& name = s.Get("name")->text;
    ReadClient(s, name == c_.name ? name : base::Cat({c_.name, "-", name}), true);
  }
}

void ComponentBuilder::ReadClient(const Value& v, std::string name, bool named) {
  ClientService cs;
  cs.name = std::move(name);
  cs.range = named ? v.KeyRange("name") : v.range;
  // A named section's `name` is its section name, which the evaluator keeps from being set again.
  static const std::vector<std::string_view>& kKeys = schema::ComponentKeys("client");
  static const std::span<const EnumWord> kTypes = schema::ComponentWords("client.type");
  r_.CheckKeys(v, named ? base::Cat({"client `", v.Get("name")->text, "`"}) : std::string("`client`"), kKeys);
  if (const Value* n = v.Get("name"); n && !named && r_.String(*n, "the client service name", cs.name))
    cs.range = n->range;
  if (const Value* t = v.Get("type")) {
    r_.Enum(*t, "service type", kTypes, cs.type);
  }
  if (const Value* p = v.Get("ports")) {
    std::span<const Value> names = OneOrMany(*p);
    for (const Value& port : names) {
      if (port.kind == ValueKind::Symbol || port.kind == ValueKind::String) {
        cs.ports.push_back(port.text);
        cs.port_ranges.push_back(port.range);
      } else {
        r_.Mismatch(port, "each client port", "a port name");
      }
    }
  }
  if (const Value* l = v.Get("labels")) r_.Labels(*l, "client labels", cs.labels);
  if (const Value* a = v.Get("annotations")) r_.Annotations(*a, "client annotations", cs.annotations);
  if (const Value* s = v.Get("selector"); s && r_.Labels(*s, "client selector", cs.selector)) {
    // The labels narrow the component's selector; one of its own keys would
    // point the Service at other pods, or at none.
    std::vector<std::string_view> own = SelectorKeys();
    for (const auto& [key, value] : cs.selector) {
      if (std::find(own.begin(), own.end(), key) == own.end()) continue;
      r_.diags()
          .Report(K::InvalidLabel, s->KeyRange(key), "client selector key", key,
                  "the component's selector already sets it")
          .help = "a client selector adds labels that pick a subset of the component's pods";
    }
  }
  c_.clients.push_back(std::move(cs));
}

}  // namespace kstate::check
