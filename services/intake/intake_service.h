// The gRPC surface of hartslag-intake: each RPC is authenticated and checked
// against kIntakePolicy by the shared RpcRunner, then handed to SignalIntake.
#ifndef HARTSLAG_SERVICES_INTAKE_INTAKE_SERVICE_H_
#define HARTSLAG_SERVICES_INTAKE_INTAKE_SERVICE_H_

#include "hartslag/intake/v1/intake.grpc.pb.h"
#include "services/common/server.h"
#include "services/intake/category_admin.h"
#include "services/intake/signal_attachments.h"
#include "services/intake/signal_intake.h"

namespace hartslag::intake {

// Who may call which RPC. Need-to-know within a role (own organisation, own
// areas) is applied by SignalIntake.
extern const AccessPolicy kIntakePolicy;

class SignalServiceImpl final : public v1::SignalService::CallbackService {
 public:
  SignalServiceImpl(const RpcRunner* runner, SignalIntake* intake, SignalAttachments* attachments)
      : runner_(runner), intake_(intake), attachments_(attachments) {}

  grpc::ServerUnaryReactor* SubmitSignal(grpc::CallbackServerContext* call,
                                         const v1::SubmitSignalRequest* request,
                                         v1::SubmitSignalResponse* response) override;
  grpc::ServerUnaryReactor* GetSignal(grpc::CallbackServerContext* call,
                                      const v1::GetSignalRequest* request,
                                      v1::Signal* response) override;
  grpc::ServerUnaryReactor* ListSignals(grpc::CallbackServerContext* call,
                                        const v1::ListSignalsRequest* request,
                                        v1::ListSignalsResponse* response) override;
  grpc::ServerUnaryReactor* ListCategories(grpc::CallbackServerContext* call,
                                           const v1::ListCategoriesRequest* request,
                                           v1::ListCategoriesResponse* response) override;
  grpc::ServerUnaryReactor* ListAreas(grpc::CallbackServerContext* call, const v1::ListAreasRequest* request,
                                      v1::ListAreasResponse* response) override;
  grpc::ServerUnaryReactor* UploadAttachment(grpc::CallbackServerContext* call,
                                             const v1::UploadAttachmentRequest* request,
                                             v1::UploadAttachmentResponse* response) override;
  grpc::ServerUnaryReactor* ReadAttachment(grpc::CallbackServerContext* call, const v1::ReadAttachmentRequest* request,
                                           v1::ReadAttachmentResponse* response) override;

 private:
  const RpcRunner* runner_;
  SignalIntake* intake_;
  SignalAttachments* attachments_;
};

// The triage feed for the cases service.
class TriageFeedServiceImpl final : public v1::TriageFeedService::CallbackService {
 public:
  TriageFeedServiceImpl(const RpcRunner* runner, SignalIntake* intake) : runner_(runner), intake_(intake) {}

  grpc::ServerUnaryReactor* ListUntriagedSignals(grpc::CallbackServerContext* call,
                                                 const v1::ListUntriagedSignalsRequest* request,
                                                 v1::ListSignalsResponse* response) override;
  grpc::ServerUnaryReactor* RecordTriageOutcomes(grpc::CallbackServerContext* call,
                                                 const v1::RecordTriageOutcomesRequest* request,
                                                 v1::RecordTriageOutcomesResponse* response) override;
  grpc::ServerUnaryReactor* RecordCaseStates(grpc::CallbackServerContext* call,
                                             const v1::RecordCaseStatesRequest* request,
                                             v1::RecordCaseStatesResponse* response) override;

 private:
  const RpcRunner* runner_;
  SignalIntake* intake_;
};

// The back office's categories.
class CategoryServiceImpl final : public v1::CategoryService::CallbackService {
 public:
  CategoryServiceImpl(const RpcRunner* runner, CategoryAdmin* admin) : runner_(runner), admin_(admin) {}

  grpc::ServerUnaryReactor* ListCategoryDefinitions(grpc::CallbackServerContext* call,
                                                    const v1::ListCategoryDefinitionsRequest* request,
                                                    v1::ListCategoryDefinitionsResponse* response) override;
  grpc::ServerUnaryReactor* CreateCategory(grpc::CallbackServerContext* call, const v1::CreateCategoryRequest* request,
                                           v1::Category* response) override;
  grpc::ServerUnaryReactor* UpdateCategory(grpc::CallbackServerContext* call, const v1::UpdateCategoryRequest* request,
                                           v1::Category* response) override;
  grpc::ServerUnaryReactor* RetireCategory(grpc::CallbackServerContext* call, const v1::RetireCategoryRequest* request,
                                           v1::Category* response) override;
  grpc::ServerUnaryReactor* ReorderCategories(grpc::CallbackServerContext* call,
                                              const v1::ReorderCategoriesRequest* request,
                                              v1::ListCategoryDefinitionsResponse* response) override;

 private:
  const RpcRunner* runner_;
  CategoryAdmin* admin_;
};

}  // namespace hartslag::intake

#endif  // HARTSLAG_SERVICES_INTAKE_INTAKE_SERVICE_H_
