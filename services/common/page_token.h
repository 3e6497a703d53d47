// Opaque page tokens for keyset paging (AIP-158). A token records where the
// previous page ended and a fingerprint of the filter that produced it, so a
// token replayed with another filter is refused instead of skipping rows.
// Tokens are not secret: they only move the caller within what it may see,
// because every page query applies the caller's scope again.
#ifndef HARTSLAG_SERVICES_COMMON_PAGE_TOKEN_H_
#define HARTSLAG_SERVICES_COMMON_PAGE_TOKEN_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "services/common/proto_bytes.h"

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

// One list request's paging, checked: how many items its page holds at
// most, and where the previous page ended.
struct Paging {
  int size = 0;
  std::vector<std::string> after;  // empty on the first page
  std::string fingerprint;         // of the request's filter: the request without its paging
};

// What binds a token to its list and filter: the request's type and its
// content without the paging fields.
std::string FilterFingerprint(const google::protobuf::Message& filter);

// The paging of `request` (a message with page_size and page_token). A token
// must come from a page of the same list with the same filter and hold
// `position_fields` values; the caller checks what the values are.
template <typename Request>
absl::StatusOr<Paging> PagingOf(const Request& request, int default_size, int max_size,
                                size_t position_fields) {
  Paging paging;
  absl::StatusOr<int> size = EffectivePageSize(request.page_size(), default_size, max_size);
  if (!size.ok()) return size.status();
  paging.size = *size;
  Request filter = request;
  filter.clear_page_size();
  filter.clear_page_token();
  paging.fingerprint = FilterFingerprint(filter);
  if (!request.page_token().empty()) {
    absl::StatusOr<std::vector<std::string>> after = DecodePageToken(request.page_token(), paging.fingerprint);
    if (!after.ok()) return after.status();
    if (after->size() != position_fields) {
      return absl::InvalidArgumentError("page_token: not a token from a previous page");
    }
    paging.after = *std::move(after);
  }
  return paging;
}

// Cuts `items` (read in page order, one more than paging.size when a next
// page exists) to the page, by count and by bytes, and returns the token of
// the next page ("" on the last). `size_of(item)` is the bytes an item takes
// in the answer; `position_of(item)` is the position a next page starts after.
template <typename Item, typename SizeOf, typename PositionOf>
std::string CutPage(std::vector<Item>& items, const Paging& paging, SizeOf size_of, PositionOf position_of) {
  size_t length = PageLength(items, paging.size, size_of);
  if (length >= items.size()) return "";
  items.resize(length);
  return EncodePageToken(paging.fingerprint, position_of(items.back()));
}
// For protobuf messages, each as it will be in the answer.
template <typename Message, typename PositionOf>
std::string CutPage(std::vector<Message>& items, const Paging& paging, PositionOf position_of) {
  return CutPage(items, paging, [](const Message& m) { return m.ByteSizeLong(); }, position_of);
}

// Most lists are ordered by a time and then an id (a UUID): their position.
std::vector<std::string> TimeIdPosition(const google::protobuf::Timestamp& time, const std::string& id);
// Where the previous page of such a list ended; nullopt on the first page.
// A position outside years 1 to 9999 is refused as not from a previous page.
absl::StatusOr<std::optional<std::pair<absl::Time, std::string>>> AfterTimeId(const Paging& paging);

}  // namespace hartslag

#endif  // HARTSLAG_SERVICES_COMMON_PAGE_TOKEN_H_
