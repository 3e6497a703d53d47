#include "services/audit/organisation_directory.h"

#include "hartslag/directory/v1/directory.grpc.pb.h"
#include "services/common/all_pages.h"
#include "services/common/server.h"

namespace hartslag::audit {

OrganisationsOf OrganisationsAt(std::shared_ptr<grpc::Channel> channel) {
  std::shared_ptr<directory::v1::LookupService::Stub> stub = directory::v1::LookupService::NewStub(channel);
  return [stub](const std::string& tenant, absl::Time deadline,
                const Trace& trace) -> absl::StatusOr<std::set<std::string>> {
    directory::v1::ListTenantOrganisationsRequest request;
    request.set_tenant_id(tenant);
    directory::v1::ListOrganisationsResponse response;
    absl::Status status = AllPages(request, response, [&](const auto& page_request, auto& page) {
      grpc::ClientContext call;
      PassOn(trace, call);
      call.set_deadline(absl::ToChronoTime(std::min(deadline, absl::Now() + absl::Seconds(10))));
      return FromGrpcStatus(stub->ListTenantOrganisations(&call, page_request, &page));
    });
    if (!status.ok()) return absl::UnavailableError(absl::StrCat("directory: ", status.message()));
    std::set<std::string> ids;
    for (const auto& o : response.organisations()) ids.insert(o.organisation_id());
    return ids;
  };
}

}  // namespace hartslag::audit
