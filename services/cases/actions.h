// Actions: what meetings and coordinators give partner organisations to do,
// worked by those organisations (case_access.h AccessToAction), and the
// stream on which a partner system follows its organisation's actions from
// a durable cursor. Composes the stores in one audited transaction per
// change and rings `doorbell` after each, so that open streams deliver it
// at once. No gRPC and no SQL here. Thread-safe.
#ifndef HARTSLAG_SERVICES_CASES_ACTIONS_H_
#define HARTSLAG_SERVICES_CASES_ACTIONS_H_

#include <string>

#include "absl/status/statusor.h"
#include "hartslag/cases/v1/cases.pb.h"
#include "services/cases/case_domain.h"
#include "services/common/audit_trail.h"
#include "services/common/auth.h"
#include "services/common/feed.h"

namespace hartslag::cases {

// A partner system follows its actions on one stream, perhaps a few during
// a redeploy; more is a runaway client.
inline constexpr int kDefaultMaxStreamsPerOrganisation = 10;

class Actions {
 public:
  // `doorbell`, if given, is rung after every change of an action. An
  // organisation has at most `max_streams` WatchActions streams open at once.
  Actions(const CasesData* data, Doorbell* doorbell, int max_streams = kDefaultMaxStreamsPerOrganisation)
      : data_(data), doorbell_(doorbell), open_streams_(max_streams) {}

  absl::StatusOr<v1::Action> Create(const RequestContext& caller, v1::CreateActionRequest request,
                                    AuditRecord& audit);
  absl::StatusOr<v1::ListActionsResponse> List(const RequestContext& caller, const v1::ListActionsRequest& request,
                                               AuditRecord& audit);
  absl::StatusOr<v1::Action> Update(const RequestContext& caller, v1::UpdateActionRequest request,
                                    AuditRecord& audit);
  // Opens the caller's organisation's action stream after the request's
  // cursor; each step delivers up to a page of changes. `start_cursor` is
  // where it starts, for the client to resume from even before its first
  // event.
  absl::StatusOr<FeedStep<v1::ActionEvent>> Watch(const RequestContext& caller, const v1::WatchActionsRequest& request,
                                                  AuditRecord& audit, std::string* start_cursor);
  // WatchActions streams open now.
  int OpenStreams() const { return open_streams_.total(); }

 private:
  void Ring() const;

  const CasesData* data_;
  Doorbell* doorbell_;
  StreamLimit open_streams_;  // WatchActions, per tenant/organisation
};

}  // namespace hartslag::cases

#endif  // HARTSLAG_SERVICES_CASES_ACTIONS_H_
