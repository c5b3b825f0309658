// Hover texts that need no document: schema fields, unit literals, enum
// words, keywords (Markdown).
#pragma once

#include <string>
#include <string_view>

#include "compiler/check/schema.h"

namespace kstate::lsp {

// `**replicas**: whole ...`, its documentation, the Kubernetes field, the values.
std::string FieldText(const check::schema::Field& field);
// The exact meaning of a number literal: `8Gi = 8,589,934,592 bytes`. `field`
// (may be null) decides whether `500m` is millicores or minutes.
std::string NumberText(std::string_view literal, const check::schema::Field* field);
// An unresolved name: an enum word of `field`, or `self`; empty otherwise.
std::string NameText(std::string_view name, const check::schema::Field* field);
// A keyword's documentation; empty when `word` is not a keyword.
std::string KeywordText(std::string_view word);
// 8589934592 -> "8,589,934,592".
std::string Grouped(int64_t n);

}  // namespace kstate::lsp
