// Shared pieces of the lowering files (not part of the emit interface). The
// lowering is written once over a builder (builder.h): each template is
// instantiated for TreeBuilder and YamlBuilder in the file that defines it.
#pragma once

#include <string_view>
#include <utility>
#include <vector>

#include "compiler/check/model.h"
#include "compiler/emit/builder.h"
#include "compiler/emit/manifest.h"

namespace kstate::emit::internal {

// Label-like pairs: keys and values are views into the component or literals.
using Pairs = std::vector<std::pair<KeyRef, std::string_view>>;

// The member `key` of the open map: a map of the pairs (Pairs, or the
// model's StringPairs; keys unique: labels come from records, whose keys the
// checker keeps unique).
template <class B, class PairList>
void WritePairs(B& b, KeyRef key, const PairList& pairs) {
  b.Map(key);
  for (const auto& [k, v] : pairs) b.Str(k, v);
  b.End();
}

// A checked value as JSON-shaped data: quantities (bytes, millicores) as
// Kubernetes quantity strings, lists and records as lists and maps; as the
// member `key` of the open map.
template <class B>
void WriteValue(B& b, KeyRef key, const check::Value& v);

// The pod template's spec, as the member "spec" of the open map, for a
// component whose selector labels are `selector`.
template <class B>
void WritePodSpec(B& b, const check::Component& c, const Pairs& selector);

// The same as a tree, for patches.
Node ValueToNode(const check::Value& v);

}  // namespace kstate::emit::internal
