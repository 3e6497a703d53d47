#include "services/common/operations_service.h"

#include "services/common/page_token.h"
#include "services/common/proto_time.h"
#include "services/common/status_macros.h"

namespace hartslag {

const AccessPolicy kOperationsPolicy({
    {"ListDeadLetters", Roles({Role::kAdmin}).Audit(audit::v1::ACTION_LIST, "outbox_event")},
});

grpc::ServerUnaryReactor* OperationsServiceImpl::ListDeadLetters(
    grpc::CallbackServerContext* call, const operations::v1::ListDeadLettersRequest* request,
    operations::v1::ListDeadLettersResponse* response) {
  return runner_.Run(call, "ListDeadLetters", *request,
                     Into(response, [this, request](const RequestContext& caller, AuditRecord& audit)
                                        -> absl::StatusOr<operations::v1::ListDeadLettersResponse> {
                       ASSIGN_OR_RETURN(int limit, EffectivePageSize(request->page_size(), 50, 500));
                       ASSIGN_OR_RETURN(auto letters, audit_->outbox().DeadLetters(*pool_, caller.tenant, limit));
                       operations::v1::ListDeadLettersResponse out;
                       for (const Outbox::DeadLetter& letter : letters.first) {
                         operations::v1::DeadLetter& d = *out.add_dead_letters();
                         d.set_seq(letter.seq);
                         d.set_target(letter.target);
                         d.set_event_id(letter.event_id);
                         d.set_payload_bytes(letter.payload_bytes);
                         *d.mutable_created_at() = TimeToProto(letter.created_at);
                         *d.mutable_set_aside_at() = TimeToProto(letter.set_aside_at);
                         d.set_reason(letter.reason);
                       }
                       out.set_total(letters.second);
                       audit.SetResultCount(out.dead_letters_size());
                       return out;
                     }));
}

}  // namespace hartslag
