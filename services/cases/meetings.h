// Meetings: the Leefbaarheidsoverleg and the Casuïstiekoverleg. Scheduling,
// the agenda (generated with the reason of each item, or edited), decisions
// with new actions applied to the case in the same transaction, closing,
// corrections of closed minutes, and the meeting documents. Coordinators of
// the meeting's area steer it; partners of its organisations see it, with
// only the items of cases they may see (case_access.h). No gRPC and no SQL
// here. Thread-safe.
#ifndef HARTSLAG_SERVICES_CASES_MEETINGS_H_
#define HARTSLAG_SERVICES_CASES_MEETINGS_H_

#include <functional>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "hartslag/cases/v1/cases.pb.h"
#include "services/cases/case_domain.h"
#include "services/cases/meeting_names.h"
#include "services/common/audit_trail.h"
#include "services/common/auth.h"
#include "services/common/feed.h"

namespace hartslag::cases {

class Meetings {
 public:
  // `doorbell`, if given, is rung after a decision gave new actions.
  Meetings(const CasesData* data, Doorbell* doorbell) : data_(data), doorbell_(doorbell) {}

  absl::StatusOr<v1::ScheduleMeetingsResponse> Schedule(const RequestContext& caller,
                                                        v1::ScheduleMeetingsRequest request, AuditRecord& audit);
  absl::StatusOr<v1::Meeting> Get(const RequestContext& caller, const v1::GetMeetingRequest& request,
                                  AuditRecord& audit);
  absl::StatusOr<v1::ListMeetingsResponse> List(const RequestContext& caller, const v1::ListMeetingsRequest& request,
                                                AuditRecord& audit);
  absl::StatusOr<v1::Meeting> EditAgenda(const RequestContext& caller, const v1::EditAgendaRequest& request,
                                         AuditRecord& audit);
  absl::StatusOr<v1::Meeting> Decide(const RequestContext& caller, v1::DecideItemRequest request, AuditRecord& audit);
  absl::StatusOr<v1::MeetingDocument> Export(const RequestContext& caller, const v1::ExportMeetingRequest& request,
                                             AuditRecord& audit);
  absl::StatusOr<v1::Meeting> Close(const RequestContext& caller, const v1::CloseMeetingRequest& request,
                                    AuditRecord& audit);
  absl::StatusOr<v1::Meeting> CorrectMinutes(const RequestContext& caller, v1::CorrectMinutesRequest request,
                                             AuditRecord& audit);
  absl::StatusOr<v1::Meeting> SetAttendance(const RequestContext& caller, v1::SetAttendanceRequest request,
                                            AuditRecord& audit);
  absl::StatusOr<v1::Meeting> ApproveMinutes(const RequestContext& caller, const v1::ApproveMinutesRequest& request,
                                             AuditRecord& audit);

 private:
  // The meeting with only the items the caller may see (their cases into
  // `cases` if given); NOT_FOUND, audited as a refusal, for a meeting the
  // caller neither steers nor takes part in. With `view_as` (an
  // organisation id), the items a partner of that organisation would see,
  // for a coordinator who steers the meeting (the partner view).
  absl::StatusOr<v1::Meeting> Visible(const RequestContext& caller, const std::string& meeting_id,
                                      const std::string& view_as, AuditRecord& audit,
                                      std::map<std::string, v1::Case>* cases);
  // `meeting` as the caller may see it: the items of cases it may see
  // (those cases into `cases` if given), and the corrections on those items
  // or on the whole meeting. Every answer that holds a meeting goes through
  // this, also after a change the caller steered: the chair of a meeting
  // does not thereby see a GEHEIM case another coordinator put on it.
  absl::StatusOr<v1::Meeting> AsSeenBy(const RequestContext& caller, const CoordinatorScope& scope,
                                       v1::Meeting meeting, std::map<std::string, v1::Case>* cases);
  // In the transaction `tx`: locks a meeting the caller steers, open (or,
  // with `closed_minutes`, closed), and lets `change` edit it; then stores
  // it. NOT_FOUND (audited as a refusal) for a meeting outside the caller's
  // areas, FAILED_PRECONDITION in the other state.
  using Change = std::function<absl::Status(v1::Meeting&)>;
  absl::StatusOr<v1::Meeting> ChangeIn(db::Transaction& tx, const RequestContext& caller,
                                       const CoordinatorScope& scope, const std::string& meeting_id,
                                       const Change& change, AuditRecord& audit, bool closed_minutes = false);
  // ChangeIn in a transaction of its own.
  absl::StatusOr<v1::Meeting> ChangeMeeting(const RequestContext& caller, const std::string& meeting_id,
                                            const Change& change, AuditRecord& audit);

  const CasesData* data_;
  Doorbell* doorbell_;
  MeetingNames names_;
};

}  // namespace hartslag::cases

#endif  // HARTSLAG_SERVICES_CASES_MEETINGS_H_
