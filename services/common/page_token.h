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

}  // namespace hartslag

#endif  // HARTSLAG_SERVICES_COMMON_PAGE_TOKEN_H_
