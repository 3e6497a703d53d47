// The gRPC surface of hartslag-cases: each RPC is checked against
// kCasesPolicy by the shared RpcRunner, then handed to CaseCoordination.
#ifndef HARTSLAG_SERVICES_CASES_CASES_SERVICE_H_
#define HARTSLAG_SERVICES_CASES_CASES_SERVICE_H_

#include "hartslag/cases/v1/cases.grpc.pb.h"
#include "services/cases/case_coordination.h"
#include "services/common/server.h"

namespace hartslag::cases {

// Who may call which RPC. Need-to-know per case is CaseCoordination's.
extern const AccessPolicy kCasesPolicy;

class CaseServiceImpl final : public v1::CaseService::CallbackService {
 public:
  // Action streams wait on `actions_changed`, which `cases` rings.
  CaseServiceImpl(const RpcRunner* runner, CaseCoordination* cases, Doorbell* actions_changed)
      : runner_(runner), cases_(cases), actions_changed_(actions_changed) {}

  grpc::ServerUnaryReactor* OpenCase(grpc::CallbackServerContext* call, const v1::OpenCaseRequest* request,
      v1::Case* response) override;
  grpc::ServerUnaryReactor* ListNotes(grpc::CallbackServerContext* call, const v1::ListNotesRequest* request,
                                      v1::ListNotesResponse* response) override;
  grpc::ServerUnaryReactor* GetCase(grpc::CallbackServerContext* call, const v1::GetCaseRequest* request,
      v1::CaseSummary* response) override;
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
  grpc::ServerUnaryReactor* GetTriageQueue(grpc::CallbackServerContext* call,
                                           const v1::GetTriageQueueRequest* request,
                                           v1::TriageQueue* response) override;
  grpc::ServerUnaryReactor* TriageSignal(grpc::CallbackServerContext* call, const v1::TriageSignalRequest* request,
                                         v1::TriageDecision* response) override;
  grpc::ServerUnaryReactor* CreateAction(grpc::CallbackServerContext* call, const v1::CreateActionRequest* request,
                                         v1::Action* response) override;
  grpc::ServerUnaryReactor* ListActions(grpc::CallbackServerContext* call, const v1::ListActionsRequest* request,
                                        v1::ListActionsResponse* response) override;
  grpc::ServerUnaryReactor* UpdateAction(grpc::CallbackServerContext* call, const v1::UpdateActionRequest* request,
                                         v1::Action* response) override;
  grpc::ServerWriteReactor<v1::ActionEvent>* WatchActions(grpc::CallbackServerContext* call,
                                                          const v1::WatchActionsRequest* request) override;
  grpc::ServerUnaryReactor* ListMeetings(grpc::CallbackServerContext* call, const v1::ListMeetingsRequest* request,
                                         v1::ListMeetingsResponse* response) override;
  grpc::ServerUnaryReactor* ScheduleMeetings(grpc::CallbackServerContext* call, const v1::ScheduleMeetingsRequest* request,
      v1::ScheduleMeetingsResponse* response) override;
  grpc::ServerUnaryReactor* GetMeeting(grpc::CallbackServerContext* call, const v1::GetMeetingRequest* request,
      v1::Meeting* response) override;
  grpc::ServerUnaryReactor* EditAgenda(grpc::CallbackServerContext* call, const v1::EditAgendaRequest* request,
      v1::Meeting* response) override;
  grpc::ServerUnaryReactor* DecideItem(grpc::CallbackServerContext* call, const v1::DecideItemRequest* request,
      v1::Meeting* response) override;
  grpc::ServerUnaryReactor* CloseMeeting(grpc::CallbackServerContext* call, const v1::CloseMeetingRequest* request,
      v1::Meeting* response) override;
  grpc::ServerUnaryReactor* CorrectMinutes(grpc::CallbackServerContext* call, const v1::CorrectMinutesRequest* request,
                                           v1::Meeting* response) override;
  grpc::ServerUnaryReactor* ExportMeeting(grpc::CallbackServerContext* call, const v1::ExportMeetingRequest* request,
                                          v1::MeetingDocument* response) override;

 private:
  const RpcRunner* runner_;
  CaseCoordination* cases_;
  Doorbell* actions_changed_;
};

}  // namespace hartslag::cases

#endif  // HARTSLAG_SERVICES_CASES_CASES_SERVICE_H_
