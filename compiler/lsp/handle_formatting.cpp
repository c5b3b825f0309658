// textDocument/formatting: `kstatec fmt`'s canonical layout, sent as one edit
// covering only the part of the text that changes. A file with syntax errors
// is left alone (its diagnostics say why).
#include "compiler/format/format.h"
#include "compiler/lsp/handlers.h"

namespace kstate::lsp {

Json HandleFormatting(Server& server, const Json& params) {
  Document& doc = server.DocumentFor(params);
  const std::string& text = doc.text();
  std::string formatted = format::Format(text);
  if (formatted == text) return Json::array();
  size_t prefix = 0;
  while (prefix < text.size() && prefix < formatted.size() && text[prefix] == formatted[prefix]) ++prefix;
  size_t suffix = 0;
  while (suffix < text.size() - prefix && suffix < formatted.size() - prefix &&
         text[text.size() - 1 - suffix] == formatted[formatted.size() - 1 - suffix]) {
    ++suffix;
  }
  // Whole characters only: never split a UTF-8 sequence.
  while (prefix > 0 && (static_cast<unsigned char>(text[prefix]) & 0xC0) == 0x80) --prefix;
  while (suffix > 0 && (static_cast<unsigned char>(text[text.size() - suffix]) & 0xC0) == 0x80) --suffix;
  Range range{doc.lines().At(static_cast<uint32_t>(prefix)), doc.lines().At(static_cast<uint32_t>(text.size() - suffix))};
  return Json::array({{{"range", ToJson(range)}, {"newText", formatted.substr(prefix, formatted.size() - suffix - prefix)}}});
}

}  // namespace kstate::lsp
