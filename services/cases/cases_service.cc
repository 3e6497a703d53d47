#include "services/cases/cases_service.h"

namespace hartslag::cases {

const AccessPolicy kCasesPolicy({
    {"GetTriageQueue", Roles({Role::kCoordinator}).Audit(audit::v1::ACTION_LIST, "signal")},
    {"TriageSignal", Roles({Role::kCoordinator}).Audit(audit::v1::ACTION_CREATE, "triage_decision")},
    {"OpenCase", Roles({Role::kCoordinator}).Audit(audit::v1::ACTION_CREATE, "case")},
    {"GetCase", Roles({Role::kCoordinator, Role::kPartner}).Audit(audit::v1::ACTION_READ, "case")},
    {"ListNotes", Roles({Role::kCoordinator, Role::kPartner}).Audit(audit::v1::ACTION_LIST, "case_note")},
    {"ListCases", Roles({Role::kCoordinator, Role::kPartner}).Audit(audit::v1::ACTION_LIST, "case")},
    {"TransitionCase", Roles({Role::kCoordinator}).Audit(audit::v1::ACTION_UPDATE, "case")},
    {"ReopenCase", Roles({Role::kCoordinator}).Audit(audit::v1::ACTION_UPDATE, "case")},
    {"UpdateCase", Roles({Role::kCoordinator}).Audit(audit::v1::ACTION_UPDATE, "case")},
    {"AddNote", Roles({Role::kCoordinator, Role::kPartner}).Audit(audit::v1::ACTION_CREATE, "case_note")},
    {"ListBreakGlassReviews", Roles({Role::kPrivacyOfficer}).Audit(audit::v1::ACTION_LIST, "break_glass_review")},
    {"CompleteBreakGlassReview", Roles({Role::kPrivacyOfficer}).Audit(audit::v1::ACTION_UPDATE, "break_glass_review")},
    {"CreateAction", Roles({Role::kCoordinator}).Audit(audit::v1::ACTION_CREATE, "action")},
    {"ListActions", Roles({Role::kCoordinator, Role::kPartner}).Audit(audit::v1::ACTION_LIST, "action")},
    {"UpdateAction", Roles({Role::kCoordinator, Role::kPartner}).Audit(audit::v1::ACTION_UPDATE, "action")},
    {"WatchActions", Roles({Role::kCoordinator, Role::kPartner}).Audit(audit::v1::ACTION_READ, "action")},
    {"ScheduleMeetings", Roles({Role::kCoordinator}).Audit(audit::v1::ACTION_CREATE, "meeting")},
    {"GetMeeting", Roles({Role::kCoordinator, Role::kPartner}).Audit(audit::v1::ACTION_READ, "meeting")},
    {"ListMeetings", Roles({Role::kCoordinator, Role::kPartner}).Audit(audit::v1::ACTION_LIST, "meeting")},
    {"EditAgenda", Roles({Role::kCoordinator}).Audit(audit::v1::ACTION_UPDATE, "meeting")},
    {"DecideItem", Roles({Role::kCoordinator}).Audit(audit::v1::ACTION_UPDATE, "meeting")},
    {"ExportMeeting", Roles({Role::kCoordinator, Role::kPartner}).Audit(audit::v1::ACTION_EXPORT, "meeting")},
    {"CloseMeeting", Roles({Role::kCoordinator}).Audit(audit::v1::ACTION_UPDATE, "meeting")},
    {"CorrectMinutes", Roles({Role::kCoordinator}).Audit(audit::v1::ACTION_UPDATE, "meeting")},
    {"SetAttendance", Roles({Role::kCoordinator}).Audit(audit::v1::ACTION_UPDATE, "meeting")},
    {"ApproveMinutes", Roles({Role::kCoordinator}).Audit(audit::v1::ACTION_UPDATE, "meeting")},
    {"GetCaseFigures", Roles({Role::kCoordinator, Role::kAdmin}).Audit(audit::v1::ACTION_LIST, "figures")},
});

grpc::ServerUnaryReactor* TriageServiceImpl::GetTriageQueue(grpc::CallbackServerContext* call, const v1::GetTriageQueueRequest* request,
                                                            v1::TriageQueue* response) {
  return runner_->Run(call, "GetTriageQueue", *request, Into(response, [this, request](const RequestContext& c, AuditRecord& audit) {
    return triage_->Queue(c, *request, audit);
  }));
}

grpc::ServerUnaryReactor* TriageServiceImpl::TriageSignal(grpc::CallbackServerContext* call, const v1::TriageSignalRequest* request,
                                                          v1::TriageDecision* response) {
  return runner_->Run(call, "TriageSignal", *request, Into(response, [this, request](const RequestContext& c, AuditRecord& audit) {
    return triage_->Decide(c, *request, audit);
  }));
}

grpc::ServerUnaryReactor* CaseServiceImpl::OpenCase(grpc::CallbackServerContext* call, const v1::OpenCaseRequest* request,
                                                    v1::Case* response) {
  return runner_->Run(call, "OpenCase", *request, Into(response, [this, request](const RequestContext& c, AuditRecord& audit) {
    return cases_->Open(c, *request, audit);
  }));
}

grpc::ServerUnaryReactor* CaseServiceImpl::GetCase(grpc::CallbackServerContext* call, const v1::GetCaseRequest* request,
                                                   v1::CaseSummary* response) {
  return runner_->Run(call, "GetCase", *request, Into(response, [this, request](const RequestContext& c, AuditRecord& audit) {
    return cases_->Get(c, *request, audit);
  }));
}

grpc::ServerUnaryReactor* CaseServiceImpl::ListNotes(grpc::CallbackServerContext* call, const v1::ListNotesRequest* request,
                                                     v1::ListNotesResponse* response) {
  return runner_->Run(call, "ListNotes", *request, Into(response, [this, request](const RequestContext& c, AuditRecord& audit) {
    return cases_->ListNotes(c, *request, audit);
  }));
}

grpc::ServerUnaryReactor* CaseServiceImpl::ListCases(grpc::CallbackServerContext* call, const v1::ListCasesRequest* request,
                                                     v1::ListCasesResponse* response) {
  return runner_->Run(call, "ListCases", *request, Into(response, [this, request](const RequestContext& c, AuditRecord& audit) {
    return cases_->List(c, *request, audit);
  }));
}

grpc::ServerUnaryReactor* CaseServiceImpl::TransitionCase(grpc::CallbackServerContext* call, const v1::TransitionCaseRequest* request,
                                                          v1::Case* response) {
  return runner_->Run(call, "TransitionCase", *request, Into(response, [this, request](const RequestContext& c, AuditRecord& audit) {
    return cases_->Transition(c, *request, audit);
  }));
}

grpc::ServerUnaryReactor* CaseServiceImpl::ReopenCase(grpc::CallbackServerContext* call, const v1::ReopenCaseRequest* request,
                                                      v1::Case* response) {
  return runner_->Run(call, "ReopenCase", *request, Into(response, [this, request](const RequestContext& c, AuditRecord& audit) {
    return cases_->Reopen(c, *request, audit);
  }));
}

grpc::ServerUnaryReactor* CaseServiceImpl::UpdateCase(grpc::CallbackServerContext* call, const v1::UpdateCaseRequest* request,
                                                      v1::Case* response) {
  return runner_->Run(call, "UpdateCase", *request, Into(response, [this, request](const RequestContext& c, AuditRecord& audit) {
    return cases_->Update(c, *request, audit);
  }));
}

grpc::ServerUnaryReactor* CaseServiceImpl::AddNote(grpc::CallbackServerContext* call, const v1::AddNoteRequest* request,
                                                   v1::Note* response) {
  return runner_->Run(call, "AddNote", *request, Into(response, [this, request](const RequestContext& c, AuditRecord& audit) {
    return cases_->AddNote(c, *request, audit);
  }));
}

grpc::ServerUnaryReactor* CaseServiceImpl::ListBreakGlassReviews(grpc::CallbackServerContext* call, const v1::ListBreakGlassReviewsRequest* request,
                                                                 v1::ListBreakGlassReviewsResponse* response) {
  return runner_->Run(call, "ListBreakGlassReviews", *request, Into(response, [this, request](const RequestContext& c, AuditRecord& audit) {
    return cases_->BreakGlassReviews(c, *request, audit);
  }));
}

grpc::ServerUnaryReactor* CaseServiceImpl::CompleteBreakGlassReview(grpc::CallbackServerContext* call,
                                                                    const v1::CompleteBreakGlassReviewRequest* request,
                                                                    v1::BreakGlassReview* response) {
  return runner_->Run(call, "CompleteBreakGlassReview", *request, Into(response, [this, request](const RequestContext& c, AuditRecord& audit) {
    return cases_->CompleteBreakGlassReview(c, *request, audit);
  }));
}

grpc::ServerUnaryReactor* ActionServiceImpl::CreateAction(grpc::CallbackServerContext* call, const v1::CreateActionRequest* request,
                                                          v1::Action* response) {
  return runner_->Run(call, "CreateAction", *request, Into(response, [this, request](const RequestContext& c, AuditRecord& audit) {
    return actions_->Create(c, *request, audit);
  }));
}

grpc::ServerUnaryReactor* ActionServiceImpl::ListActions(grpc::CallbackServerContext* call, const v1::ListActionsRequest* request,
                                                         v1::ListActionsResponse* response) {
  return runner_->Run(call, "ListActions", *request, Into(response, [this, request](const RequestContext& c, AuditRecord& audit) {
    return actions_->List(c, *request, audit);
  }));
}

grpc::ServerUnaryReactor* ActionServiceImpl::UpdateAction(grpc::CallbackServerContext* call, const v1::UpdateActionRequest* request,
                                                          v1::Action* response) {
  return runner_->Run(call, "UpdateAction", *request, Into(response, [this, request](const RequestContext& c, AuditRecord& audit) {
    return actions_->Update(c, *request, audit);
  }));
}

grpc::ServerWriteReactor<v1::ActionEvent>* ActionServiceImpl::WatchActions(grpc::CallbackServerContext* call,
                                                                            const v1::WatchActionsRequest* request) {
  // The request lives until the call is done.
  return runner_->Stream<v1::ActionEvent>(call, "WatchActions", *request, actions_changed_,
                                          [this, call, request](const RequestContext& c, AuditRecord& audit) {
                                            // Sent with the initial metadata, before any event.
                                            std::string start;
                                            auto step = actions_->Watch(c, *request, audit, &start);
                                            if (step.ok()) call->AddInitialMetadata("x-hartslag-cursor", start);
                                            return step;
                                          });
}

grpc::ServerUnaryReactor* MeetingServiceImpl::ScheduleMeetings(grpc::CallbackServerContext* call, const v1::ScheduleMeetingsRequest* request,
                                                               v1::ScheduleMeetingsResponse* response) {
  return runner_->Run(call, "ScheduleMeetings", *request, Into(response, [this, request](const RequestContext& c, AuditRecord& audit) {
    return meetings_->Schedule(c, *request, audit);
  }));
}

grpc::ServerUnaryReactor* MeetingServiceImpl::GetMeeting(grpc::CallbackServerContext* call, const v1::GetMeetingRequest* request,
                                                         v1::Meeting* response) {
  return runner_->Run(call, "GetMeeting", *request, Into(response, [this, request](const RequestContext& c, AuditRecord& audit) {
    return meetings_->Get(c, *request, audit);
  }));
}

grpc::ServerUnaryReactor* MeetingServiceImpl::ListMeetings(grpc::CallbackServerContext* call, const v1::ListMeetingsRequest* request,
                                                           v1::ListMeetingsResponse* response) {
  return runner_->Run(call, "ListMeetings", *request, Into(response, [this, request](const RequestContext& c, AuditRecord& audit) {
    return meetings_->List(c, *request, audit);
  }));
}

grpc::ServerUnaryReactor* MeetingServiceImpl::EditAgenda(grpc::CallbackServerContext* call, const v1::EditAgendaRequest* request,
                                                         v1::Meeting* response) {
  return runner_->Run(call, "EditAgenda", *request, Into(response, [this, request](const RequestContext& c, AuditRecord& audit) {
    return meetings_->EditAgenda(c, *request, audit);
  }));
}

grpc::ServerUnaryReactor* MeetingServiceImpl::DecideItem(grpc::CallbackServerContext* call, const v1::DecideItemRequest* request,
                                                         v1::Meeting* response) {
  return runner_->Run(call, "DecideItem", *request, Into(response, [this, request](const RequestContext& c, AuditRecord& audit) {
    return meetings_->Decide(c, *request, audit);
  }));
}

grpc::ServerUnaryReactor* MeetingServiceImpl::ExportMeeting(grpc::CallbackServerContext* call, const v1::ExportMeetingRequest* request,
                                                            v1::MeetingDocument* response) {
  return runner_->Run(call, "ExportMeeting", *request, Into(response, [this, request](const RequestContext& c, AuditRecord& audit) {
    return meetings_->Export(c, *request, audit);
  }));
}

grpc::ServerUnaryReactor* MeetingServiceImpl::CloseMeeting(grpc::CallbackServerContext* call, const v1::CloseMeetingRequest* request,
                                                           v1::Meeting* response) {
  return runner_->Run(call, "CloseMeeting", *request, Into(response, [this, request](const RequestContext& c, AuditRecord& audit) {
    return meetings_->Close(c, *request, audit);
  }));
}

grpc::ServerUnaryReactor* MeetingServiceImpl::CorrectMinutes(grpc::CallbackServerContext* call, const v1::CorrectMinutesRequest* request,
                                                             v1::Meeting* response) {
  return runner_->Run(call, "CorrectMinutes", *request, Into(response, [this, request](const RequestContext& c, AuditRecord& audit) {
    return meetings_->CorrectMinutes(c, *request, audit);
  }));
}

grpc::ServerUnaryReactor* MeetingServiceImpl::SetAttendance(grpc::CallbackServerContext* call, const v1::SetAttendanceRequest* request,
                                                            v1::Meeting* response) {
  return runner_->Run(call, "SetAttendance", *request, Into(response, [this, request](const RequestContext& c, AuditRecord& audit) {
    return meetings_->SetAttendance(c, *request, audit);
  }));
}

grpc::ServerUnaryReactor* MeetingServiceImpl::ApproveMinutes(grpc::CallbackServerContext* call, const v1::ApproveMinutesRequest* request,
                                                             v1::Meeting* response) {
  return runner_->Run(call, "ApproveMinutes", *request, Into(response, [this, request](const RequestContext& c, AuditRecord& audit) {
    return meetings_->ApproveMinutes(c, *request, audit);
  }));
}

}  // namespace hartslag::cases
