// Checks on user-supplied text shared by every service's validation.
#ifndef HARTSLAG_SERVICES_COMMON_TEXT_H_
#define HARTSLAG_SERVICES_COMMON_TEXT_H_

#include <optional>
#include "absl/strings/string_view.h"

namespace hartslag {

// The number of code points in `text`, or nullopt if it is not valid UTF-8
// (overlong forms, surrogates and values above U+10FFFF are invalid).
std::optional<size_t> Utf8Length(absl::string_view text);

// True for an id of lower-case letters, digits, dashes, dots and underscores,
// 1 to 64 long, not starting with a dash: how areas, categories,
// organisations and users are named ("vrieheide", "sanne.coach").
bool IsId(absl::string_view text);

// True for a canonical UUID (any case).
bool IsUuid(absl::string_view text);

// True if `text` holds a control character; `allow_newlines` permits \n, \r
// and \t (for multi-line fields such as descriptions).
bool HasControlCharacters(absl::string_view text, bool allow_newlines);

}  // namespace hartslag

#endif  // HARTSLAG_SERVICES_COMMON_TEXT_H_
