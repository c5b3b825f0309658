// Drift for `kstatec diff`: the fields of a live object that field managers
// other than kstatec set (read from `metadata.managedFields`), and what the
// next apply does with each of them. Pure functions over JSON.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/api/api_client.h"

namespace kstate::runtime::plan {

using Json = api::Json;

// One managedFields entry that owns a drifted field.
struct FieldOwner {
  std::string manager;      // kubectl, kubectl-annotate, helm, ...
  std::string operation;    // Apply or Update
  std::string subresource;  // "scale", or empty
  std::string time;         // as the server wrote it; may be empty
};

// A field another manager owns whose value differs from what the file says,
// or that the file does not set at all.
struct DriftedField {
  enum class Outcome {
    Conflict,  // the file sets another value: apply stops with a 409 unless forced, which sets it back
    Shared,    // this file applied the value too, and now changes it: a 409 as well, though nothing drifted
    Kept,      // the file does not set it: apply leaves it as it is
  };
  std::string path;  // spec.template.spec.containers[db].image
  Json live;         // the value on the cluster (a whole list item when the item is what drifted)
  Json file;         // the value the file sets; null for Kept
  Outcome outcome = Outcome::Kept;
  std::vector<FieldOwner> owners;  // in managedFields order
  std::string server_says;         // a conflict only the server's 409 named: its cause's message
};

// The drift of `live` against `applied_config` (the object exactly as kstatec
// sends it): every field owned by a manager other than `our_manager`, outside
// the status subresource and bookkeeping metadata, except fields the file
// sets to the value they already have. Controllers that write their own
// fields (kControllerManagers in drift.cpp) count only where they own a field
// the file sets. Conflicts first, then by path; a Secret's values masked.
// Odd managedFields (missing, wrong types, unknown elements) are skipped.
std::vector<DriftedField> FindDrift(const Json& live, const Json& applied_config, std::string_view our_manager);

// Makes the conflicts agree with the server, which compares values after
// defaulting and normalizing (`0.5` and `500m`). `accepted`: the unforced dry
// run was accepted, so nothing conflicts; otherwise `causes` are those of its
// 409 Conflict. Conflict and Shared fields the server did not name are
// dropped; conflicts only the server named are added with its message.
void AgreeWithServer(std::vector<DriftedField>& fields, bool accepted, const std::vector<api::ApiError::Cause>& causes);

// How the drift section reads.
struct DriftWording {
  bool force_conflicts = false;  // the diff was asked for with --force-conflicts
  // Where the file sets `path` ("db.kstate:7:3"), or empty when unknown.
  std::function<std::string(const std::string& path)> source;
};

// "drift in StatefulSet demo/db (...):" and one indented line per field, each
// ending in a newline; empty when `fields` is.
std::string FormatDrift(const std::string& label, const std::vector<DriftedField>& fields, const DriftWording& wording);

// A conflict cause's field (`.spec.template.spec.containers[name="db"].image`)
// in DriftedField's path syntax (`spec.template.spec.containers[db].image`).
std::string DriftPathFromServer(std::string_view field);

}  // namespace kstate::runtime::plan
