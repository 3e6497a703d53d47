// CaseCoordination: the cases domain. Takes requests from the gRPC surface,
// validates them, applies need-to-know (case_rules.h) and the lifecycle, and
// calls the store. Every call fills its audit record with the case and the
// persons and address it is about. No gRPC and no SQL here. Thread-safe.
#ifndef HARTSLAG_SERVICES_CASES_CASE_COORDINATION_H_
#define HARTSLAG_SERVICES_CASES_CASE_COORDINATION_H_

#include <functional>
#include <map>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "hartslag/cases/v1/cases.pb.h"
#include "services/cases/case_store.h"
#include "services/common/audit_trail.h"
#include "services/common/auth.h"
#include "services/common/feed.h"

namespace hartslag::cases {

inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 200;
// A partner system follows its actions on one stream, perhaps a few during
// a redeploy; more is a runaway client.
inline constexpr int kDefaultMaxStreamsPerOrganisation = 10;

// One page of intake's untriaged signals of a tenant's areas, oldest first,
// and the token of the next page (empty on the last).
struct UntriagedPage {
  std::vector<intake::v1::Signal> signals;
  std::string next_page_token;
};
// Where the triage queue comes from: a page of `page_size` from `page_token`
// (empty: the first).
using UntriagedSignals = std::function<absl::StatusOr<UntriagedPage>(
    const std::string& tenant, const std::vector<std::string>& areas, int page_size,
    const std::string& page_token, absl::Time deadline)>;

class CaseCoordination {
 public:
  // `doorbell`, if given, is rung after every change of an action. An
  // organisation has at most `max_streams` WatchActions streams open at once.
  CaseCoordination(CaseStore* store, UntriagedSignals untriaged, Doorbell* doorbell = nullptr,
                   int max_streams = kDefaultMaxStreamsPerOrganisation)
      : store_(store), untriaged_(std::move(untriaged)), doorbell_(doorbell), open_streams_(max_streams) {}

  absl::StatusOr<v1::TriageQueue> TriageQueue(const RequestContext& caller,
                                              const v1::GetTriageQueueRequest& request,
                                              AuditRecord& audit);
  absl::StatusOr<v1::TriageDecision> Triage(const RequestContext& caller, v1::TriageSignalRequest request,
                                            AuditRecord& audit);

  absl::StatusOr<v1::Case> Open(const RequestContext& caller, v1::OpenCaseRequest request,
                                AuditRecord& audit);
  absl::StatusOr<v1::CaseSummary> Get(const RequestContext& caller, const v1::GetCaseRequest& request,
                                      AuditRecord& audit);
  absl::StatusOr<v1::ListNotesResponse> ListNotes(const RequestContext& caller, const v1::ListNotesRequest& request,
                                                  AuditRecord& audit);
  absl::StatusOr<v1::ListCasesResponse> List(const RequestContext& caller,
                                             const v1::ListCasesRequest& request, AuditRecord& audit);
  absl::StatusOr<v1::Case> Transition(const RequestContext& caller,
                                      const v1::TransitionCaseRequest& request, AuditRecord& audit);
  absl::StatusOr<v1::Case> Reopen(const RequestContext& caller, const v1::ReopenCaseRequest& request,
                                  AuditRecord& audit);
  absl::StatusOr<v1::Case> Update(const RequestContext& caller, const v1::UpdateCaseRequest& request,
                                  AuditRecord& audit);
  absl::StatusOr<v1::Note> AddNote(const RequestContext& caller, v1::AddNoteRequest request,
                                   AuditRecord& audit);
  absl::StatusOr<v1::Action> CreateAction(const RequestContext& caller, v1::CreateActionRequest request,
                                          AuditRecord& audit);
  absl::StatusOr<v1::ListActionsResponse> ListActions(const RequestContext& caller,
                                                      const v1::ListActionsRequest& request, AuditRecord& audit);
  absl::StatusOr<v1::Action> UpdateAction(const RequestContext& caller, v1::UpdateActionRequest request,
                                          AuditRecord& audit);
  // Opens the caller's organisation's action stream after the request's
  // cursor; each step delivers up to a page of changes. `start_cursor` is
  // where it starts, for the client to resume from even before its first
  // event.
  absl::StatusOr<FeedStep<v1::ActionEvent>> WatchActions(const RequestContext& caller,
                                                         const v1::WatchActionsRequest& request, AuditRecord& audit,
                                                         std::string* start_cursor);
  absl::StatusOr<v1::ListMeetingsResponse> ListMeetings(const RequestContext& caller,
                                                        const v1::ListMeetingsRequest& request, AuditRecord& audit);
  absl::StatusOr<v1::ScheduleMeetingsResponse> ScheduleMeetings(const RequestContext& caller,
                                                                v1::ScheduleMeetingsRequest request,
                                                                AuditRecord& audit);
  absl::StatusOr<v1::Meeting> GetMeeting(const RequestContext& caller, const v1::GetMeetingRequest& request,
                                         AuditRecord& audit);
  absl::StatusOr<v1::MeetingDocument> ExportMeeting(const RequestContext& caller,
                                                    const v1::ExportMeetingRequest& request, AuditRecord& audit);
  absl::StatusOr<v1::Meeting> EditAgenda(const RequestContext& caller, const v1::EditAgendaRequest& request,
                                         AuditRecord& audit);
  absl::StatusOr<v1::Meeting> DecideItem(const RequestContext& caller, v1::DecideItemRequest request,
                                         AuditRecord& audit);
  absl::StatusOr<v1::Meeting> CorrectMinutes(const RequestContext& caller, v1::CorrectMinutesRequest request,
                                             AuditRecord& audit);
  absl::StatusOr<v1::Meeting> CloseMeeting(const RequestContext& caller, const v1::CloseMeetingRequest& request,
                                           AuditRecord& audit);
  absl::StatusOr<v1::ListBreakGlassReviewsResponse> BreakGlassReviews(
      const RequestContext& caller, const v1::ListBreakGlassReviewsRequest& request, AuditRecord& audit);

 private:
  // OK when the caller may see case `case_id` (whose persons and address the
  // audit record then names); NOT_FOUND, audited as a refusal, otherwise.
  absl::Status RequireVisibleCase(const RequestContext& caller, const std::string& case_id, AuditRecord& audit);
  // A page of the notes the caller may read of a case it may see.
  absl::StatusOr<v1::ListNotesResponse> NotesPage(const RequestContext& caller, const v1::ListNotesRequest& request);
  // The caller's coordinator areas with every area below them.
  absl::StatusOr<std::set<std::string>> CoordinatorScope(const RequestContext& caller);
  // Changes a case the caller may see and steer (a coordinator who may see
  // it); NOT_FOUND, audited as a refusal, otherwise.
  absl::StatusOr<v1::Case> Steer(const RequestContext& caller, const std::string& case_id,
                                 const std::function<absl::StatusOr<std::optional<StatusStep>>(v1::Case&)>& change,
                                 AuditRecord& audit);

  // The meeting with only the items the caller may see (their cases into
  // `cases` if given); NOT_FOUND, audited as a refusal, for a meeting the
  // caller neither coordinates nor takes part in.
  absl::StatusOr<v1::Meeting> VisibleMeeting(const RequestContext& caller, const std::string& meeting_id,
                                             AuditRecord& audit, std::map<std::string, v1::Case>* cases);
  // Changes an open meeting of the caller's areas (with `closed_minutes`, a
  // closed one's corrections only); NOT_FOUND (audited as a refusal) for one
  // outside them, FAILED_PRECONDITION in the other state.
  absl::StatusOr<v1::Meeting> ChangeMeeting(const RequestContext& caller, const std::string& meeting_id,
                                            const CaseStore::MeetingChange& change, AuditRecord& audit,
                                            const std::string& case_id = "", const CaseStore::Change& on_case = {},
                                            std::vector<v1::Action> new_actions = {}, bool closed_minutes = false);

  CaseStore* store_;
  UntriagedSignals untriaged_;
  Doorbell* doorbell_;
  StreamLimit open_streams_;  // WatchActions, per tenant/organisation
};

// The purposes for which case content may be read (x-hartslag-purpose).
bool IsCasePurpose(absl::string_view purpose);

}  // namespace hartslag::cases

#endif  // HARTSLAG_SERVICES_CASES_CASE_COORDINATION_H_
