#include "services/cases/meeting_store.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "services/cases/store_rows.h"
#include "services/common/status_macros.h"

namespace hartslag::cases {
namespace {

using namespace rows;  // NOLINT: the store's own row helpers

constexpr char kSelectArea[] = R"sql(
  SELECT name AS area_name FROM cases.areas WHERE tenant_id = $1 AND area_id = $2
)sql";

constexpr char kInsertMeeting[] = R"sql(
  INSERT INTO cases.meetings (meeting_id, tenant_id, kind, area_id, starts_at, status, content, listing)
  VALUES ($1, $2, $3, $4, $5, $6, $7::bytea, $8::bytea)
)sql";

constexpr char kFindMeeting[] = R"sql(
  SELECT content FROM cases.meetings WHERE tenant_id = $1 AND meeting_id = $2::uuid
)sql";

constexpr char kLockMeeting[] = R"sql(
  SELECT content FROM cases.meetings WHERE tenant_id = $1 AND meeting_id = $2::uuid FOR UPDATE
)sql";

constexpr char kUpdateMeeting[] = R"sql(
  UPDATE cases.meetings
  SET status = $3, content = $4::bytea, minutes_approved_in = $5::uuid, minutes_approved_at = $6,
      listing = $7::bytea, listing_writes = listing_writes + 1
  WHERE tenant_id = $1 AND meeting_id = $2::uuid
)sql";

// The listing (migration 0019), or the whole meeting where it has none yet.
constexpr char kMeetingsBetween[] = R"sql(
  SELECT coalesce(listing, content) AS content FROM cases.meetings
  WHERE tenant_id = $1 AND starts_at >= $2 AND starts_at < $3 AND ($4::text IS NULL OR kind = $4)
    AND ($5::timestamptz IS NULL OR (starts_at, meeting_id) > ($5, $6::uuid))
  ORDER BY starts_at, meeting_id LIMIT $7::int
)sql";

// Meetings whose stored agenda names the case id (a string field, so its
// text appears in the bytes); the caller checks item by item after.
constexpr char kLockMeetingsNaming[] = R"sql(
  SELECT content FROM cases.meetings
  WHERE tenant_id = $1 AND position(convert_to($2, 'UTF8') IN content) > 0 FOR UPDATE
)sql";

std::string ListingBytes(const v1::Meeting& m) { return MeetingListing(m).SerializeAsString(); }

}  // namespace

v1::Meeting MeetingListing(v1::Meeting m) {
  m.clear_items();
  auto* corrections = m.mutable_corrections();
  corrections->erase(std::remove_if(corrections->begin(), corrections->end(),
                                    [](const v1::MinutesCorrection& c) { return !c.item_id().empty(); }),
                     corrections->end());
  return m;
}

absl::Status MeetingStore::Insert(db::Transaction& tx, const std::string& tenant, v1::Meeting& m) const {
  ASSIGN_OR_RETURN(db::Rows area, tx.Query(kSelectArea, {tenant, m.area().area_id()}));
  if (area.empty()) return absl::InvalidArgumentError("area_id: not a known area");
  m.mutable_area()->set_name(area.Text(0, "area_name"));
  return tx.Exec(kInsertMeeting, {m.meeting_id(), tenant, KindName(m.kind()), m.area().area_id(),
                                  db::TimestampParam(absl::FromUnixSeconds(m.starts_at().seconds())),
                                  MeetingStatusName(m.status()), db::BytesParam(m.SerializeAsString()),
                                  db::BytesParam(ListingBytes(m))});
}

absl::StatusOr<std::optional<v1::Meeting>> MeetingStore::Find(db::Transaction& tx, const std::string& tenant,
                                                               const std::string& meeting_id) const {
  ASSIGN_OR_RETURN(db::Rows rows, tx.Query(kFindMeeting, {tenant, meeting_id}));
  if (rows.empty()) return std::nullopt;
  return Decode<v1::Meeting>(rows, 0);
}

absl::StatusOr<std::optional<v1::Meeting>> MeetingStore::Lock(db::Transaction& tx, const std::string& tenant,
                                                               const std::string& meeting_id) const {
  ASSIGN_OR_RETURN(db::Rows rows, tx.Query(kLockMeeting, {tenant, meeting_id}));
  if (rows.empty()) return std::nullopt;
  return Decode<v1::Meeting>(rows, 0);
}

absl::Status MeetingStore::Save(db::Transaction& tx, const std::string& tenant, const v1::Meeting& m) const {
  db::Param approved_in, approved_at;
  if (m.has_minutes_approved_at()) {
    approved_in = m.minutes_approved_in();
    approved_at = db::TimestampParam(absl::FromUnixSeconds(m.minutes_approved_at().seconds()));
  }
  return tx.Exec(kUpdateMeeting, {tenant, m.meeting_id(), MeetingStatusName(m.status()),
                                  db::BytesParam(m.SerializeAsString()), approved_in, approved_at,
                                  db::BytesParam(ListingBytes(m))});
}

absl::StatusOr<std::vector<v1::Meeting>> MeetingStore::Between(
    db::Transaction& tx, const std::string& tenant, absl::Time from, absl::Time to, std::optional<v1::CaseKind> kind,
    const std::optional<std::pair<absl::Time, std::string>>& after, int limit) const {
  ASSIGN_OR_RETURN(db::Rows rows,
                   tx.Query(kMeetingsBetween,
                            {tenant, db::TimestampParam(from), db::TimestampParam(to), Maybe(kind, KindName),
                             Maybe(after, [](const auto& a) { return db::TimestampParam(a.first); }),
                             Maybe(after, [](const auto& a) { return a.second; }), absl::StrCat(limit)}));
  return DecodeAll<v1::Meeting>(rows);
}

absl::Status MeetingStore::ClearCase(db::Transaction& tx, const std::string& tenant, const std::string& case_id,
                                     const std::function<void(v1::Meeting&)>& clear) const {
  ASSIGN_OR_RETURN(db::Rows rows, tx.Query(kLockMeetingsNaming, {tenant, case_id}));
  ASSIGN_OR_RETURN(std::vector<v1::Meeting> meetings, DecodeAll<v1::Meeting>(rows));
  for (v1::Meeting& m : meetings) {
    clear(m);
    RETURN_IF_ERROR(Save(tx, tenant, m));
  }
  return absl::OkStatus();
}

}  // namespace hartslag::cases
