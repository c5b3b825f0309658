// What `kstatec diff` and `kstatec status` need: a file's objects with their
// resources and namespaces, objects stripped of what the server manages, and
// the live state of each component.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "compiler/emit/manifest.h"
#include "kstate/compiler.h"
#include "runtime/api/api_client.h"

namespace kstate::runtime::plan {

struct PlannedObject {
  std::string component;  // empty for a Namespace declaration
  emit::Object object;
  api::Resource resource;
  std::string ns;  // the namespace it goes to; empty when cluster-scoped
};

// Every object of `compilation` in apply order, with its resource found by
// discovery; false (and `error` set) when a kind is not served.
bool PlanObjects(const Compilation& compilation, api::ApiClient& api, const std::string& default_namespace,
                 std::vector<PlannedObject>& out, std::string& error);

// `object` without what the server manages (status, managedFields,
// resourceVersion, uid, generation, creationTimestamp, ...), for diffs.
api::Json WithoutServerFields(api::Json object);
// Masks the values of a Secret's `data` and `stringData` in both versions:
// `***` where they agree, `*** (before)` / `*** (after)` where they differ.
void MaskSecrets(api::Json& before, api::Json& after);
// A JSON value as block YAML, keys in the order given.
std::string ToYaml(const api::Json& value);

// Prints the live state of every component of `compilation`: the rollout in
// one sentence, each pod ordinal with revision, phase and readiness, and each
// claim with its phase and size. Returns false when the API could not be read.
bool PrintStatus(const Compilation& compilation, api::ApiClient& api, const std::string& default_namespace,
                 std::FILE* out);

}  // namespace kstate::runtime::plan
