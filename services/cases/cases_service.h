// The gRPC surface of hartslag-cases: four services of hartslag.cases.v1 on
// one server, each RPC checked against kCasesPolicy by the shared RpcRunner
// and handed to its sub-domain (triage.h, case_lifecycle.h, actions.h,
// meetings.h). Nothing is decided here.
#ifndef HARTSLAG_SERVICES_CASES_CASES_SERVICE_H_
#define HARTSLAG_SERVICES_CASES_CASES_SERVICE_H_

#include "hartslag/cases/v1/cases.grpc.pb.h"
#include "services/cases/actions.h"
#include "services/cases/case_lifecycle.h"
#include "services/cases/meetings.h"
#include "services/cases/triage.h"
#include "services/common/server.h"

namespace hartslag::cases {

// Who may call which RPC of the four services. Need-to-know per case is
// case_access.h's.
extern const AccessPolicy kCasesPolicy;

class TriageServiceImpl final : public v1::TriageService::CallbackService {
 public:
  TriageServiceImpl(const RpcRunner* runner, Triage* triage)
      : runner_(runner), triage_(triage) {}

  grpc::ServerUnaryReactor* GetTriageQueue(grpc::CallbackServerContext* call, const v1::GetTriageQueueRequest* request,
                                         v1::TriageQueue* response) override;
  grpc::ServerUnaryReactor* TriageSignal(grpc::CallbackServerContext* call, const v1::TriageSignalRequest* request,
                                       v1::TriageDecision* response) override;

 private:
  const RpcRunner* runner_;
  Triage* triage_;
};

class CaseServiceImpl final : public v1::CaseService::CallbackService {
 public:
  CaseServiceImpl(const RpcRunner* runner, CaseLifecycle* cases)
      : runner_(runner), cases_(cases) {}

  grpc::ServerUnaryReactor* OpenCase(grpc::CallbackServerContext* call, const v1::OpenCaseRequest* request,
                                   v1::Case* response) override;
  grpc::ServerUnaryReactor* GetCase(grpc::CallbackServerContext* call, const v1::GetCaseRequest* request,
                                  v1::CaseSummary* response) override;
  grpc::ServerUnaryReactor* ListNotes(grpc::CallbackServerContext* call, const v1::ListNotesRequest* request,
                                    v1::ListNotesResponse* response) override;
  grpc::ServerUnaryReactor* ListCases(grpc::CallbackServerContext* call, const v1::ListCasesRequest* request,
                                    v1::ListCasesResponse* response) override;
  grpc::ServerUnaryReactor* TransitionCase(grpc::CallbackServerContext* call, const v1::TransitionCaseRequest* request,
                                         v1::Case* response) override;
  grpc::ServerUnaryReactor* ReopenCase(grpc::CallbackServerContext* call, const v1::ReopenCaseRequest* request,
                                     v1::Case* response) override;
  grpc::ServerUnaryReactor* UpdateCase(grpc::CallbackServerContext* call, const v1::UpdateCaseRequest* request,
                                     v1::Case* response) override;
  grpc::ServerUnaryReactor* AddNote(grpc::CallbackServerContext* call, const v1::AddNoteRequest* request,
                                  v1::Note* response) override;
  grpc::ServerUnaryReactor* ListBreakGlassReviews(grpc::CallbackServerContext* call, const v1::ListBreakGlassReviewsRequest* request,
                                                v1::ListBreakGlassReviewsResponse* response) override;
  grpc::ServerUnaryReactor* CompleteBreakGlassReview(grpc::CallbackServerContext* call,
                                                    const v1::CompleteBreakGlassReviewRequest* request,
                                                    v1::BreakGlassReview* response) override;

 private:
  const RpcRunner* runner_;
  CaseLifecycle* cases_;
};

class ActionServiceImpl final : public v1::ActionService::CallbackService {
 public:
  ActionServiceImpl(const RpcRunner* runner, Actions* actions, Doorbell* actions_changed)
      : runner_(runner), actions_(actions), actions_changed_(actions_changed) {}

  grpc::ServerUnaryReactor* CreateAction(grpc::CallbackServerContext* call, const v1::CreateActionRequest* request,
                                       v1::Action* response) override;
  grpc::ServerUnaryReactor* ListActions(grpc::CallbackServerContext* call, const v1::ListActionsRequest* request,
                                      v1::ListActionsResponse* response) override;
  grpc::ServerUnaryReactor* UpdateAction(grpc::CallbackServerContext* call, const v1::UpdateActionRequest* request,
                                       v1::Action* response) override;
  // Waits on `actions_changed` for changes to deliver.
  grpc::ServerWriteReactor<v1::ActionEvent>* WatchActions(grpc::CallbackServerContext* call,
                                                          const v1::WatchActionsRequest* request) override;

 private:
  const RpcRunner* runner_;
  Actions* actions_;
  Doorbell* actions_changed_;
};

class MeetingServiceImpl final : public v1::MeetingService::CallbackService {
 public:
  MeetingServiceImpl(const RpcRunner* runner, Meetings* meetings)
      : runner_(runner), meetings_(meetings) {}

  grpc::ServerUnaryReactor* ScheduleMeetings(grpc::CallbackServerContext* call, const v1::ScheduleMeetingsRequest* request,
                                           v1::ScheduleMeetingsResponse* response) override;
  grpc::ServerUnaryReactor* GetMeeting(grpc::CallbackServerContext* call, const v1::GetMeetingRequest* request,
                                     v1::Meeting* response) override;
  grpc::ServerUnaryReactor* ListMeetings(grpc::CallbackServerContext* call, const v1::ListMeetingsRequest* request,
                                       v1::ListMeetingsResponse* response) override;
  grpc::ServerUnaryReactor* EditAgenda(grpc::CallbackServerContext* call, const v1::EditAgendaRequest* request,
                                     v1::Meeting* response) override;
  grpc::ServerUnaryReactor* DecideItem(grpc::CallbackServerContext* call, const v1::DecideItemRequest* request,
                                     v1::Meeting* response) override;
  grpc::ServerUnaryReactor* ExportMeeting(grpc::CallbackServerContext* call, const v1::ExportMeetingRequest* request,
                                        v1::MeetingDocument* response) override;
  grpc::ServerUnaryReactor* CloseMeeting(grpc::CallbackServerContext* call, const v1::CloseMeetingRequest* request,
                                       v1::Meeting* response) override;
  grpc::ServerUnaryReactor* CorrectMinutes(grpc::CallbackServerContext* call, const v1::CorrectMinutesRequest* request,
                                         v1::Meeting* response) override;
  grpc::ServerUnaryReactor* SetAttendance(grpc::CallbackServerContext* call, const v1::SetAttendanceRequest* request,
                                        v1::Meeting* response) override;
  grpc::ServerUnaryReactor* ApproveMinutes(grpc::CallbackServerContext* call, const v1::ApproveMinutesRequest* request,
                                         v1::Meeting* response) override;

 private:
  const RpcRunner* runner_;
  Meetings* meetings_;
};

}  // namespace hartslag::cases

#endif  // HARTSLAG_SERVICES_CASES_CASES_SERVICE_H_
