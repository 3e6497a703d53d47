// Exactly-once creates: a caller that retries a create after a lost answer
// (a timeout, a dropped phone connection) gets the result of the first call
// instead of a second object.
//
// Every RPC that creates something takes a `request_id` (a UUID the client
// picks per intended create). Inside the transaction that does the work:
//
//   ExactlyOnce once(cases::kSchema);   // the table: migrations/NNNN_requests.sql
//   ASSIGN_OR_RETURN(v1::Note note, once.Run<v1::Note>(tx, caller, "AddNote", request,
//                                                      [&]() -> absl::StatusOr<v1::Note> { ... }));
//
// The first call runs `create` and stores its answer with a fingerprint of
// the request (without its request id); a retry by the same caller with the
// same id and content gets that stored answer, also while the first call is
// still running (it waits on the first call's lock); the same id with other
// content is ALREADY_EXISTS naming request_id. Answers are kept for
// kRequestMemory, long enough for any partner system's retries and replays.
//
// SubmitSignal is the one create that does not use this: a signal's
// request_id is a unique column of the signal itself (intake/signal_store.cc),
// so the busiest insert needs no second table, and a retry finds the signal
// for as long as the signal is kept. Same contract, same errors.
#ifndef HARTSLAG_SERVICES_COMMON_EXACTLY_ONCE_H_
#define HARTSLAG_SERVICES_COMMON_EXACTLY_ONCE_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "services/common/db.h"
#include "services/common/periodic_task.h"
#include "services/common/request_context.h"
#include "services/common/status_macros.h"

namespace hartslag {

inline constexpr absl::Duration kRequestMemory = absl::Hours(24 * 7);

// INVALID_ARGUMENT unless `request_id` is a UUID; lower-cases it.
absl::Status CheckRequestId(std::string& request_id);

class ExactlyOnce {
 public:
  // Requests are remembered in `<schema>.requests`.
  explicit ExactlyOnce(absl::string_view schema);

  // `request` must have a string field `request_id` holding a UUID
  // (CheckRequestId). `rpc` names the kind of create, so the same id used
  // for two different RPCs is two requests.
  template <typename Response>
  absl::StatusOr<Response> Run(db::Transaction& tx, const RequestContext& caller, absl::string_view rpc,
                               const google::protobuf::Message& request,
                               const std::function<absl::StatusOr<Response>()>& create) const {
    Response response;
    RETURN_IF_ERROR(RunErased(tx, caller, rpc, request, response, [&]() -> absl::Status {
      ASSIGN_OR_RETURN(response, create());
      return absl::OkStatus();
    }));
    return response;
  }

  // Forgets answers older than kRequestMemory, at most `limit` of them; how
  // many it forgot.
  absl::StatusOr<int> Forget(db::Pool& pool, int limit) const;

 private:
  // Fills `response` with the stored answer, or runs `create` (which fills
  // it) and stores it.
  absl::Status RunErased(db::Transaction& tx, const RequestContext& caller, absl::string_view rpc,
                         const google::protobuf::Message& request, google::protobuf::Message& response,
                         const std::function<absl::Status()>& create) const;

  // Prepared once per connection: every request with a request id runs the
  // first three.
  db::Statement lock_, find_, insert_;
  std::string forget_;
};

// Forgets the answers in `<schema>.requests` older than kRequestMemory: at
// once, then every `interval`, in batches of `batch` (a full batch is
// followed at once by the next), on a thread of its own until destroyed. A
// failure is logged and tried again at the next interval. Several
// instances of a service may each run one: they delete disjoint rows or
// none.
std::unique_ptr<PeriodicTask> ForgetOldAnswers(db::Pool* pool, absl::string_view schema,
                                               absl::Duration interval = absl::Hours(1), int batch = 1000);

}  // namespace hartslag

#endif  // HARTSLAG_SERVICES_COMMON_EXACTLY_ONCE_H_
