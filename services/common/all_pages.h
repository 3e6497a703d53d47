// Reads a paged list (AIP-158) to its end, for a caller that needs all of
// it: a service copying another's data, or the CLI printing a list.
//
//   v1::ListTenantAreasRequest request;
//   request.set_tenant_id("heerlen");
//   v1::ListAreasResponse all;
//   absl::Status status = AllPages(request, all, [&](const auto& page_request, auto& page) {
//     grpc::ClientContext call;  // one per page
//     return FromGrpcStatus(stub->ListTenantAreas(&call, page_request, &page));
//   });
//
// Each page is a call of its own, with its own deadline; the list is not a
// snapshot: what changes between two pages may be seen in either state.
#ifndef HARTSLAG_SERVICES_COMMON_ALL_PAGES_H_
#define HARTSLAG_SERVICES_COMMON_ALL_PAGES_H_

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "services/common/status_macros.h"

namespace hartslag {

// Fetches every page of `request` with `fetch(request, page)` (an
// absl::Status) and merges them into `all` in order: repeated fields are
// appended, the others are the last page's, next_page_token stays empty.
template <typename Request, typename Response, typename Fetch>
absl::Status AllPages(Request request, Response& all, Fetch fetch) {
  for (;;) {
    Response page;
    RETURN_IF_ERROR(fetch(request, page));
    std::string next = std::move(*page.mutable_next_page_token());
    page.clear_next_page_token();
    all.MergeFrom(page);
    if (next.empty()) return absl::OkStatus();
    // A server that hands back the token it was given would keep us here.
    if (next == request.page_token()) return absl::InternalError("next_page_token: the same page again");
    request.set_page_token(std::move(next));
  }
}

}  // namespace hartslag

#endif  // HARTSLAG_SERVICES_COMMON_ALL_PAGES_H_
