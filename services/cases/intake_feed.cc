#include "services/cases/intake_feed.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/server.h"
#include "services/common/status_macros.h"

namespace hartslag::cases {

absl::StatusOr<UntriagedPage> IntakeFeed::Untriaged(const std::string& tenant,
                                                    const std::vector<std::string>& areas, int page_size,
                                                    const std::string& page_token, absl::Time deadline,
                                                    const Trace& trace) {
  intake::v1::ListUntriagedSignalsRequest request;
  request.set_tenant_id(tenant);
  for (const std::string& area : areas) request.add_area_ids(area);
  request.set_page_size(page_size);
  request.set_page_token(page_token);
  grpc::ClientContext call;
  PassOn(trace, call);
  call.set_deadline(absl::ToChronoTime(std::min(deadline, absl::Now() + absl::Seconds(10))));
  intake::v1::ListSignalsResponse page;
  absl::Status status = FromGrpcStatus(stub_->ListUntriagedSignals(&call, request, &page));
  // Intake's token comes inside the caller's, who may have made it up: that
  // is the caller's mistake. Intake being away is the caller's retry, not an
  // internal error.
  if (status.code() == absl::StatusCode::kInvalidArgument && absl::StartsWith(status.message(), "page_token: ")) {
    return absl::InvalidArgumentError("page_token: not a token from a previous page (intake does not know its position)");
  }
  if (!status.ok()) return absl::UnavailableError(absl::StrCat("intake: ", status.message()));
  UntriagedPage out;
  out.signals.assign(std::make_move_iterator(page.mutable_signals()->begin()),
                     std::make_move_iterator(page.mutable_signals()->end()));
  out.next_page_token = page.next_page_token();
  return out;
}

absl::StatusOr<std::vector<OutboxRelay::Refusal>> IntakeFeed::Deliver(const std::vector<std::string>& payloads) {
  intake::v1::RecordTriageOutcomesRequest request;
  for (const std::string& payload : payloads) request.add_outcomes(payload);
  grpc::ClientContext call;
  call.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  intake::v1::RecordTriageOutcomesResponse response;
  RETURN_IF_ERROR(FromGrpcStatus(stub_->RecordTriageOutcomes(&call, request, &response)));
  return OutboxRelay::Refusals(response.refused());
}

absl::StatusOr<std::vector<OutboxRelay::Refusal>> IntakeFeed::DeliverCaseStates(
    const std::vector<std::string>& payloads) {
  intake::v1::RecordCaseStatesRequest request;
  for (const std::string& payload : payloads) request.add_states(payload);
  grpc::ClientContext call;
  call.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  intake::v1::RecordCaseStatesResponse response;
  RETURN_IF_ERROR(FromGrpcStatus(stub_->RecordCaseStates(&call, request, &response)));
  return OutboxRelay::Refusals(response.refused());
}

}  // namespace hartslag::cases
