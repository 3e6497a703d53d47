#include "services/audit/audit_log.h"

#include <limits>
#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "services/common/crypto.h"
#include "services/common/page_token.h"
#include "services/common/proto_bytes.h"
#include "services/common/proto_time.h"
#include "services/common/request_bounds.h"
#include "services/common/status_macros.h"
#include "services/common/text.h"

namespace hartslag::audit {
namespace {

constexpr int kDefaultQueryPage = 50;
constexpr int kMaxQueryPage = 500;

absl::Status Invalid(absl::string_view field, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", why));
}

absl::Status CheckEvent(const v1::AuditEvent& e) {
  RETURN_IF_ERROR(CheckRequestBounds(e));
  if (!IsUuid(e.event_id())) return Invalid("event_id", "must be a UUID");
  if (!IsId(e.tenant_id())) return Invalid("tenant_id", "must be a tenant id");
  if (e.action() == v1::ACTION_UNSPECIFIED) return Invalid("action", "is required");
  if (e.outcome() == v1::OUTCOME_UNSPECIFIED) return Invalid("outcome", "is required");
  if (!e.has_occurred_at()) return Invalid("occurred_at", "is required");
  return TimeFromProto(e.occurred_at(), "occurred_at").status();
}

// The database refuses the content itself (a bad value, a limit passed):
// retrying cannot help. Anything else (away, busy, read-only after a
// switchover, an I/O error) is retried with the batch, never set aside.
bool RefusesContent(const absl::Status& status) {
  return absl::IsInvalidArgument(status) || absl::IsOutOfRange(status);
}

absl::StatusOr<std::optional<uint64_t>> PagePosition(const std::string& token,
                                                     const std::string& fingerprint) {
  if (token.empty()) return std::nullopt;
  ASSIGN_OR_RETURN(std::vector<std::string> position, DecodePageToken(token, fingerprint));
  uint64_t index = 0;
  // An index is a bigint in the database.
  if (position.size() != 1 || !absl::SimpleAtoi(position[0], &index) ||
      index > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return Invalid("page_token", "not a token from a previous page");
  }
  return index;
}

// Runs `query` (limit one above the page size) and returns the page's events
// and the token of the next page.
absl::StatusOr<std::pair<std::vector<v1::AuditEvent>, std::vector<uint64_t>>> Page(
    AuditStore& store, EventQuery query, int page_size, absl::Time deadline, std::string* next_token,
    const std::string& fingerprint) {
  query.limit = page_size + 1;
  ASSIGN_OR_RETURN(std::vector<StoredEntry> rows, store.Query(query, deadline));
  size_t length = PageLength(rows, page_size, [](const StoredEntry& e) { return e.bytes.size(); });
  if (rows.size() > length) {
    rows.resize(length);
    *next_token = EncodePageToken(fingerprint, {absl::StrCat(rows.back().index)});
  }
  std::vector<v1::AuditEvent> events;
  std::vector<uint64_t> indexes;
  for (const StoredEntry& row : rows) {
    v1::AuditEvent& e = events.emplace_back();
    if (!e.ParseFromString(row.bytes)) {
      return absl::DataLossError(absl::StrCat("audit entry ", row.index, " does not parse"));
    }
    indexes.push_back(row.index);
  }
  return std::make_pair(std::move(events), std::move(indexes));
}

}  // namespace

absl::StatusOr<v1::AppendResponse> AuditLog::Append(absl::string_view sender,
                                                    const v1::AppendRequest& request) {
  v1::AppendResponse response;
  auto refuse = [&response](int index, absl::string_view reason) {
    common::v1::RefusedItem& refused = *response.add_refused();
    refused.set_index(index);
    refused.set_reason(std::string(reason));
  };
  // The events of each tenant's log, and where each was in the request.
  struct LogBatch {
    std::vector<v1::AuditEvent> events;
    std::vector<int> indexes;
  };
  std::map<std::string, LogBatch> by_tenant;
  for (int i = 0; i < request.events_size(); ++i) {
    const std::string& bytes = request.events(i);
    v1::AuditEvent e;
    if (bytes.size() > kMaxEventBytes) {
      refuse(i, absl::StrCat("larger than ", kMaxEventBytes, " bytes"));
    } else if (!e.ParseFromString(bytes)) {
      refuse(i, "not an AuditEvent");
    } else if (absl::Status valid = CheckEvent(e); !valid.ok()) {
      refuse(i, valid.message());
    } else {
      e.mutable_origin()->set_service(std::string(sender));
      LogBatch& batch = by_tenant[e.tenant_id()];
      batch.events.push_back(std::move(e));
      batch.indexes.push_back(i);
    }
  }
  for (auto& [tenant, batch] : by_tenant) {
    absl::StatusOr<AppendResult> result = store_->Append(tenant, batch.events);
    if (!result.ok() && !RefusesContent(result.status())) return result.status();
    if (!result.ok()) {
      // The database refused the batch for its content: find the events it
      // refuses on their own, so that they alone are set aside.
      for (size_t k = 0; k < batch.events.size(); ++k) {
        absl::StatusOr<AppendResult> one = store_->Append(tenant, {batch.events[k]});
        if (!one.ok() && !RefusesContent(one.status())) return one.status();
        if (!one.ok()) refuse(batch.indexes[k], absl::StrCat("the log cannot store it (", absl::StatusCodeToString(one.status().code()), ")"));
        else response.set_appended(response.appended() + one->appended);
      }
      continue;
    }
    response.set_appended(response.appended() + result->appended);
  }
  return response;
}

absl::StatusOr<TreeHead> AuditLog::SignNow(const std::string& log_id) {
  ASSIGN_OR_RETURN(uint64_t size, store_->Size(log_id));
  ASSIGN_OR_RETURN(std::string root, store_->Root(log_id, size));
  absl::Time now = absl::FromUnixMillis(absl::ToUnixMillis(absl::Now()));
  ASSIGN_OR_RETURN(TreeHead head, SignTreeHead(size, std::move(root), now, key_.get()));
  RETURN_IF_ERROR(store_->SaveTreeHead(log_id, head));
  return head;
}

absl::StatusOr<TreeHead> AuditLog::Latest(const std::string& log_id) {
  ASSIGN_OR_RETURN(std::optional<TreeHead> latest, store_->LatestTreeHead(log_id));
  if (latest) return *latest;
  return SignNow(log_id);
}

absl::Status AuditLog::PublishTreeHeads() {
  ASSIGN_OR_RETURN(std::vector<std::string> logs, store_->Logs());
  for (const std::string& log_id : logs) {
    ASSIGN_OR_RETURN(uint64_t size, store_->Size(log_id));
    ASSIGN_OR_RETURN(std::optional<TreeHead> latest, store_->LatestTreeHead(log_id));
    if (latest && latest->tree_size == size) continue;
    RETURN_IF_ERROR(SignNow(log_id).status());
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> AuditLog::PseudonymOf(const v1::Subject& subject,
                                                  absl::string_view field) const {
  switch (subject.subject_case()) {
    case v1::Subject::kPerson:
      if (subject.person().name().empty()) return Invalid(absl::StrCat(field, ".person.name"), "is required");
      return pseudonyms_->Person(subject.person().name(), subject.person().birth_year());
    case v1::Subject::kAddress:
      if (subject.address().postcode().empty() || subject.address().house_number() <= 0) {
        return Invalid(absl::StrCat(field, ".address"), "postcode and house_number are required");
      }
      return pseudonyms_->Address(subject.address());
    case v1::Subject::kPseudonym:
      if (subject.pseudonym().rfind("person:", 0) != 0 && subject.pseudonym().rfind("address:", 0) != 0) {
        return Invalid(absl::StrCat(field, ".pseudonym"), "must start with person: or address:");
      }
      return subject.pseudonym();
    case v1::Subject::SUBJECT_NOT_SET:
      break;
  }
  return Invalid(field, "a person, an address or a pseudonym is required");
}

absl::StatusOr<v1::SignedTreeHead> AuditLog::GetTreeHead(const RequestContext& caller,
                                                         const v1::GetTreeHeadRequest& request,
                                                         AuditRecord&) {
  ASSIGN_OR_RETURN(TreeHead head, request.fresh() ? SignNow(caller.tenant) : Latest(caller.tenant));
  return TreeHeadToProto(head);
}

absl::StatusOr<v1::InclusionProof> AuditLog::GetInclusionProof(
    const RequestContext& caller, const v1::GetInclusionProofRequest& request, AuditRecord& audit) {
  audit.SetObjectId(absl::StrCat(request.index()));
  v1::InclusionProof proof;
  uint64_t tree_size = request.tree_size();
  if (tree_size == 0) {
    ASSIGN_OR_RETURN(TreeHead head, Latest(caller.tenant));
    if (request.index() >= head.tree_size) {
      // The entry came after the latest tree head: sign one that covers it.
      ASSIGN_OR_RETURN(head, SignNow(caller.tenant));
    }
    tree_size = head.tree_size;
    *proof.mutable_tree_head() = TreeHeadToProto(head);
  }
  if (request.index() >= tree_size) {
    return Invalid("index", absl::StrCat("the log has ", tree_size, " entries in that tree"));
  }
  ASSIGN_OR_RETURN(InclusionPath path, store_->InclusionProof(caller.tenant, request.index(), tree_size));
  proof.set_index(request.index());
  proof.set_tree_size(tree_size);
  proof.set_entry(path.entry);
  for (std::string& hash : path.path) proof.add_audit_path(std::move(hash));
  return proof;
}

absl::StatusOr<v1::ConsistencyProof> AuditLog::GetConsistencyProof(
    const RequestContext& caller, const v1::GetConsistencyProofRequest& request, AuditRecord&) {
  ASSIGN_OR_RETURN(std::vector<std::string> hashes,
                   store_->ConsistencyProof(caller.tenant, request.old_size(), request.new_size()));
  v1::ConsistencyProof proof;
  proof.set_old_size(request.old_size());
  proof.set_new_size(request.new_size());
  for (std::string& hash : hashes) proof.add_proof(std::move(hash));
  return proof;
}

absl::StatusOr<v1::ExportLogResponse> AuditLog::ExportLog(const RequestContext& caller,
                                                          const v1::ExportLogRequest& request,
                                                          AuditRecord& audit) {
  ASSIGN_OR_RETURN(int page_size,
                   EffectivePageSize(request.page_size(), kDefaultExportPage, kMaxExportPage));
  v1::ExportLogResponse response;
  ASSIGN_OR_RETURN(uint64_t size, store_->Size(caller.tenant));
  response.set_log_size(size);
  if (request.from_index() > size) {
    return Invalid("from_index", absl::StrCat("the log has ", size, " entries"));
  }
  ASSIGN_OR_RETURN(std::vector<StoredEntry> entries,
                   store_->Entries(caller.tenant, request.from_index(), page_size, kMaxExportPageBytes));
  for (StoredEntry& e : entries) {
    v1::LogEntry& out = *response.add_entries();
    out.set_index(e.index);
    out.set_entry(std::move(e.bytes));
    out.set_leaf_hash(std::move(e.leaf_hash));
  }
  audit.SetObjectId(absl::StrCat("from ", request.from_index()));
  audit.SetResultCount(response.entries_size());
  return response;
}

absl::StatusOr<v1::QueryEventsResponse> AuditLog::QueryEvents(const RequestContext& caller,
                                                              const v1::QueryEventsRequest& request,
                                                              AuditRecord& audit) {
  ASSIGN_OR_RETURN(int page_size,
                   EffectivePageSize(request.page_size(), kDefaultQueryPage, kMaxQueryPage));
  EventQuery query;
  query.log_id = caller.tenant;
  if (request.has_subject()) {
    ASSIGN_OR_RETURN(query.subject, PseudonymOf(request.subject(), "subject"));
    audit.AddPseudonym(*query.subject);
  }
  auto optional = [](const std::string& v) -> std::optional<std::string> {
    if (v.empty()) return std::nullopt;
    return v;
  };
  query.actor_user_id = optional(request.actor_user_id());
  query.organisation_id = optional(request.organisation_id());
  query.object_type = optional(request.object_type());
  query.object_id = optional(request.object_id());
  if (request.action() != v1::ACTION_UNSPECIFIED) {
    if (!v1::Action_IsValid(request.action())) return Invalid("action", "not a known action");
    query.action = request.action();
  }
  if (request.outcome() != v1::OUTCOME_UNSPECIFIED) {
    if (!v1::Outcome_IsValid(request.outcome())) return Invalid("outcome", "not a known outcome");
    query.outcome = request.outcome();
  }
  if (request.occurred().has_start()) {
    ASSIGN_OR_RETURN(query.from, TimeFromProto(request.occurred().start(), "occurred.start"));
  }
  if (request.occurred().has_end()) {
    ASSIGN_OR_RETURN(query.to, TimeFromProto(request.occurred().end(), "occurred.end"));
  }
  v1::QueryEventsRequest filter = request;
  filter.clear_page_size();
  filter.clear_page_token();
  std::string fingerprint = Fingerprint(filter).substr(0, 16);
  ASSIGN_OR_RETURN(query.before_index, PagePosition(request.page_token(), fingerprint));

  v1::QueryEventsResponse response;
  ASSIGN_OR_RETURN(auto page, Page(*store_, query, page_size, caller.deadline,
                                   response.mutable_next_page_token(), fingerprint));
  for (size_t i = 0; i < page.first.size(); ++i) {
    v1::IndexedEvent& out = *response.add_events();
    out.set_index(page.second[i]);
    *out.mutable_event() = std::move(page.first[i]);
  }
  audit.SetResultCount(response.events_size());
  return response;
}

absl::StatusOr<v1::GetAccessOverviewResponse> AuditLog::GetAccessOverview(
    const RequestContext& caller, const v1::GetAccessOverviewRequest& request, AuditRecord& audit) {
  ASSIGN_OR_RETURN(int page_size,
                   EffectivePageSize(request.page_size(), kDefaultQueryPage, kMaxQueryPage));
  EventQuery query;
  query.log_id = caller.tenant;
  ASSIGN_OR_RETURN(query.subject, PseudonymOf(request.subject(), "subject"));
  audit.AddPseudonym(*query.subject);
  query.outcome = v1::OUTCOME_SUCCESS;  // what was refused was not seen
  query.apply_restrictions = true;
  // The privacy officer's own work on the log (this overview included) is
  // not an access to the subject's case or signal data.
  query.exclude_object_types = {"audit_log", "restriction"};
  std::string fingerprint = HexEncode(Sha256(*query.subject)).substr(0, 16);
  ASSIGN_OR_RETURN(query.before_index, PagePosition(request.page_token(), fingerprint));

  v1::GetAccessOverviewResponse response;
  ASSIGN_OR_RETURN(auto page, Page(*store_, query, page_size, caller.deadline,
                                   response.mutable_next_page_token(), fingerprint));
  for (const v1::AuditEvent& e : page.first) {
    // No employee names or ids: the organisation and role speak for them.
    v1::Access& access = *response.add_accesses();
    *access.mutable_occurred_at() = e.occurred_at();
    access.set_organisation_id(e.actor().organisation_id());
    access.set_organisation_kind(e.actor().organisation_kind());
    *access.mutable_roles() = e.actor().roles();
    access.set_action(e.action());
    access.set_object_type(e.object().type());
    access.set_purpose(e.purpose());
  }
  audit.SetResultCount(response.accesses_size());
  return response;
}

absl::StatusOr<v1::Restriction> AuditLog::AddRestriction(const RequestContext& caller,
                                                         const v1::AddRestrictionRequest& request,
                                                         AuditRecord& audit) {
  v1::AddRestrictionRequest fingerprinted = request;
  RETURN_IF_ERROR(CheckRequestId(*fingerprinted.mutable_request_id()));
  v1::Restriction restriction;
  ASSIGN_OR_RETURN(*restriction.mutable_subject(), PseudonymOf(request.subject(), "subject"));
  audit.AddPseudonym(restriction.subject());
  fingerprinted.mutable_subject()->set_pseudonym(restriction.subject());
  if (!request.organisation_id().empty()) {
    if (!IsId(request.organisation_id())) return Invalid("organisation_id", "not a valid organisation id");
    if (!organisations_) return absl::FailedPreconditionError("organisation_id: cannot be checked (no --directory)");
    ASSIGN_OR_RETURN(std::set<std::string> known,
                     organisations_(caller.tenant, caller.deadline, TraceOf(caller)));
    if (!known.contains(request.organisation_id())) {
      return Invalid("organisation_id", "is not an organisation of this municipality");
    }
  }
  auto reason_length = Utf8Length(request.reason());
  if (!reason_length || *reason_length == 0 || *reason_length > 500 ||
      HasControlCharacters(request.reason(), false)) {
    return Invalid("reason", "must be 1 to 500 plain characters");
  }
  absl::CivilDay review;
  if (!absl::ParseCivilTime(request.review_date(), &review)) {
    return Invalid("review_date", "must be a date as YYYY-MM-DD");
  }
  if (review < absl::ToCivilDay(absl::Now(), absl::UTCTimeZone())) {
    return Invalid("review_date", "must not be in the past");
  }
  restriction.set_organisation_id(request.organisation_id());
  restriction.set_reason(request.reason());
  restriction.set_review_date(absl::FormatCivilTime(review));
  restriction.set_created_by(caller.user);
  restriction.set_restriction_id(RandomUuid());
  v1::Restriction added;
  RETURN_IF_ERROR(InAuditedTransaction(*pool_, audit, [&](db::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(added, once_.Run<v1::Restriction>(tx, caller, "AddRestriction", fingerprinted, [&] {
      return store_->InsertRestriction(tx, caller.tenant, restriction);
    }));
    // A retry is about the restriction the first call made.
    audit.SetObjectId(added.restriction_id());
    return absl::OkStatus();
  }));
  return added;
}

absl::StatusOr<v1::Restriction> AuditLog::LiftRestriction(const RequestContext& caller,
                                                          const v1::LiftRestrictionRequest& request,
                                                          AuditRecord& audit) {
  if (!IsUuid(request.restriction_id())) return Invalid("restriction_id", "must be a UUID");
  audit.SetObjectId(request.restriction_id());
  return store_->LiftRestriction(caller.tenant, request.restriction_id(), caller.user, audit);
}

absl::StatusOr<v1::ListRestrictionsResponse> AuditLog::ListRestrictions(const RequestContext& caller,
                                                                        const v1::ListRestrictionsRequest& request,
                                                                        AuditRecord& audit) {
  ASSIGN_OR_RETURN(Paging paging, PagingOf(request, 100, 500, 2));
  ASSIGN_OR_RETURN(auto after, AfterTimeId(paging));
  ASSIGN_OR_RETURN(std::vector<v1::Restriction> restrictions,
                   store_->Restrictions(caller.tenant, after, paging.size + 1));
  v1::ListRestrictionsResponse response;
  response.set_next_page_token(CutPage(restrictions, paging, [](const v1::Restriction& last) {
    return TimeIdPosition(last.created_at(), last.restriction_id());
  }));
  for (v1::Restriction& r : restrictions) *response.add_restrictions() = std::move(r);
  audit.SetResultCount(response.restrictions_size());
  return response;
}

}  // namespace hartslag::audit
