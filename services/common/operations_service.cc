#include "services/common/operations_service.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
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
                       ASSIGN_OR_RETURN(Paging paging, PagingOf(*request, 50, 500, 1));
                       std::optional<int64_t> before_seq;
                       if (!paging.after.empty()) {
                         int64_t seq = 0;
                         if (!absl::SimpleAtoi(paging.after[0], &seq)) {
                           return absl::InvalidArgumentError("page_token: not a token from a previous page");
                         }
                         before_seq = seq;
                       }
                       ASSIGN_OR_RETURN(auto letters, audit_->outbox().DeadLetters(*pool_, caller.tenant, before_seq,
                                                                                   paging.size + 1));
                       std::vector<operations::v1::DeadLetter> page;
                       for (const Outbox::DeadLetter& letter : letters.first) {
                         operations::v1::DeadLetter& d = page.emplace_back();
                         d.set_seq(letter.seq);
                         d.set_target(letter.target);
                         d.set_event_id(letter.event_id);
                         d.set_payload_bytes(letter.payload_bytes);
                         *d.mutable_created_at() = TimeToProto(letter.created_at);
                         *d.mutable_set_aside_at() = TimeToProto(letter.set_aside_at);
                         d.set_reason(letter.reason);
                       }
                       operations::v1::ListDeadLettersResponse out;
                       out.set_next_page_token(CutPage(page, paging, [](const operations::v1::DeadLetter& last) {
                         return std::vector<std::string>{absl::StrCat(last.seq())};
                       }));
                       for (operations::v1::DeadLetter& d : page) *out.add_dead_letters() = std::move(d);
                       out.set_total(letters.second);
                       audit.SetResultCount(out.dead_letters_size());
                       return out;
                     }));
}

}  // namespace hartslag
