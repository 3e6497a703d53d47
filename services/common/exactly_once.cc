#include "services/common/exactly_once.h"

#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/common/log.h"
#include "services/common/proto_bytes.h"
#include "services/common/text.h"
#include "services/common/validation.h"

namespace hartslag {
namespace {

const google::protobuf::FieldDescriptor& RequestIdField(const google::protobuf::Message& request) {
  const google::protobuf::FieldDescriptor* field = request.GetDescriptor()->FindFieldByName("request_id");
  // A programming error, not a caller's: every create request has one.
  if (field == nullptr || field->type() != google::protobuf::FieldDescriptor::TYPE_STRING) std::abort();
  return *field;
}

}  // namespace

absl::Status CheckRequestId(std::string& request_id) {
  if (request_id.empty()) return Invalid("request_id", "is required (a UUID chosen by the client, reused on retry)");
  if (!IsUuid(request_id)) return Invalid("request_id", "must be a UUID");
  absl::AsciiStrToLower(&request_id);
  return absl::OkStatus();
}

ExactlyOnce::ExactlyOnce(absl::string_view schema) {
  std::string table = absl::StrCat(schema, ".requests");
  // Concurrent retries of one request queue up here; the second finds the
  // first's answer once that commits.
  lock_ = {absl::StrCat(schema, "_requests_lock"),
           "SELECT pg_advisory_xact_lock(hashtextextended($1, 0)) IS NULL AS locked"};
  find_ = {absl::StrCat(schema, "_requests_find"),
           absl::StrCat("SELECT fingerprint, response FROM ", table,
                        " WHERE tenant_id = $1 AND caller = $2 AND rpc = $3 AND request_id = $4")};
  insert_ = {absl::StrCat(schema, "_requests_insert"),
             absl::StrCat("INSERT INTO ", table, " (tenant_id, caller, rpc, request_id, fingerprint, response)"
                          " VALUES ($1, $2, $3, $4, $5, $6::bytea)")};
  forget_ = absl::StrCat("DELETE FROM ", table, " WHERE ctid = ANY(ARRAY(SELECT ctid FROM ", table,
                         " WHERE created_at < now() - $1::interval LIMIT $2)) RETURNING 1 AS gone");
}

absl::Status ExactlyOnce::RunErased(db::Transaction& tx, const RequestContext& caller, absl::string_view rpc,
                                    const google::protobuf::Message& request, google::protobuf::Message& response,
                                    const std::function<absl::Status()>& create) const {
  const google::protobuf::FieldDescriptor& id_field = RequestIdField(request);
  std::string request_id = request.GetReflection()->GetString(request, &id_field);
  if (!IsUuid(request_id)) return Invalid("request_id", "must be a UUID");
  std::unique_ptr<google::protobuf::Message> content(request.New());
  content->CopyFrom(request);
  content->GetReflection()->ClearField(content.get(), &id_field);
  std::string fingerprint = Fingerprint(*content);
  // An integrated client acting for a user is its own caller: its retries
  // are not the user's.
  std::string who = caller.acting_client.empty() ? caller.user : absl::StrCat(caller.user, "@", caller.acting_client);

  RETURN_IF_ERROR(tx.Query(lock_.prepared(), {absl::StrCat(caller.tenant, "/", who, "/", rpc, "/", request_id)}).status());
  ASSIGN_OR_RETURN(db::Rows earlier, tx.Query(find_.prepared(), {caller.tenant, who, std::string(rpc), request_id}));
  if (!earlier.empty()) {
    if (earlier.Text(0, "fingerprint") != fingerprint) {
      return absl::AlreadyExistsError("request_id: already used for a request with other content; use a new request id");
    }
    if (!response.ParseFromString(earlier.Bytes(0, "response"))) {
      return absl::InternalError("stored answer of an earlier request does not parse");
    }
    return absl::OkStatus();
  }
  RETURN_IF_ERROR(create());
  return tx.Exec(insert_.prepared(), {caller.tenant, who, std::string(rpc), request_id, fingerprint,
                           db::BytesParam(DeterministicBytes(response))});
}

absl::StatusOr<int> ExactlyOnce::Forget(db::Pool& pool, int limit) const {
  std::string memory = absl::StrCat(absl::ToInt64Seconds(kRequestMemory), " seconds");
  int forgotten = 0;
  RETURN_IF_ERROR(pool.InTransaction([&](db::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(db::Rows gone, tx.Query(forget_, {memory, absl::StrCat(limit)}));
    forgotten = gone.size();
    return absl::OkStatus();
  }));
  return forgotten;
}

std::unique_ptr<PeriodicTask> ForgetOldAnswers(db::Pool* pool, absl::string_view schema, absl::Duration interval,
                                               int batch) {
  return std::make_unique<PeriodicTask>(absl::ZeroDuration(), [pool, once = ExactlyOnce(schema), interval, batch] {
    absl::StatusOr<int> forgotten = once.Forget(*pool, batch);
    if (!forgotten.ok()) {
      Log(LogLevel::kWarning, "old request answers not forgotten; trying again later",
          {{"error", forgotten.status().ToString()}});
      return interval;
    }
    return *forgotten == batch ? absl::ZeroDuration() : interval;
  });
}

}  // namespace hartslag
