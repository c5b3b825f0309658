// Document text and incremental edits, with positions in UTF-16 code units.
#include "compiler/lsp/document.h"

namespace kstate::lsp {

void Document::SetText(std::string text) {
  text_ = std::move(text);
  lines_ = std::make_unique<LineIndex>(text_);
  index_.reset();
  analysed = false;
}

void Document::ApplyChange(const Json& change) {
  std::string new_text = StringMember(change, "text");
  auto range = change.find("range");
  if (range == change.end() || range->is_null()) {
    SetText(std::move(new_text));
    return;
  }
  Range r = RangeFrom(*range);
  uint32_t begin = lines_->Offset(r.start), end = lines_->Offset(r.end);
  if (end < begin) throw RequestError{ErrorCode::InvalidParams, "a change whose range ends before it starts"};
  std::string text = text_;
  text.replace(begin, end - begin, new_text);
  SetText(std::move(text));
}

const Index& Document::CurrentIndex() {
  if (!index_) {
    index_ = std::make_shared<const Index>(path, text_);
    if (index_->ok()) good_index_ = index_;
  }
  return *index_;
}

const Index& Document::UsableIndex() {
  const Index& current = CurrentIndex();
  if (current.ok() || !good_index_) return current;
  return *good_index_;
}

}  // namespace kstate::lsp
