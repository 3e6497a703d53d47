// Opaque page tokens for keyset paging (AIP-158). A token records where the
// previous page ended and a fingerprint of the filter that produced it, so a
// token replayed with another filter is refused instead of skipping rows.
// Tokens are not secret: they only move the caller within what it may see,
// because every page query applies the caller's scope again.
#ifndef HARTSLAG_SERVICES_COMMON_PAGE_TOKEN_H_
#define HARTSLAG_SERVICES_COMMON_PAGE_TOKEN_H_

#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/status/statusor.h"

namespace hartslag {

std::string EncodePageToken(absl::string_view filter_fingerprint,
                            const std::vector<std::string>& position);

// The position stored in `token`; INVALID_ARGUMENT naming page_token when it
// is malformed or was made for another filter.
absl::StatusOr<std::vector<std::string>> DecodePageToken(absl::string_view token,
                                                         absl::string_view filter_fingerprint);

// 0 means `default_size`; above `max_size` is capped; negative is refused.
absl::StatusOr<int> EffectivePageSize(int requested, int default_size, int max_size);

// The most an answer's items may hold, well inside the 4 MiB message limit.
inline constexpr size_t kMaxPageBytes = 2 << 20;

// How many of `items` (read one past the page size, in page order) make
// the page: at most `page_size`, and only as many as fit in `max_bytes`
// (but at least one). When fewer than items.size(), a next page follows,
// starting after the last one kept.
// `size_of(item)` is the bytes an item takes in the answer.
template <typename Item, typename SizeOf>
size_t PageLength(const std::vector<Item>& items, size_t page_size, SizeOf size_of,
                  size_t max_bytes = kMaxPageBytes) {
  size_t length = 0, bytes = 0;
  while (length < items.size() && length < page_size) {
    bytes += size_of(items[length]);
    if (length > 0 && bytes > max_bytes) break;
    ++length;
  }
  return length;
}
// For protobuf messages.
template <typename Message>
size_t PageLength(const std::vector<Message>& items, size_t page_size) {
  return PageLength(items, page_size, [](const Message& m) { return m.ByteSizeLong(); });
}

}  // namespace hartslag

#endif  // HARTSLAG_SERVICES_COMMON_PAGE_TOKEN_H_
