#include "services/intake/category_store.h"

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "services/common/status_macros.h"
#include "services/intake/category_rules.h"

namespace hartslag::intake {
namespace {

constexpr char kSelectCategories[] = R"sql(
  SELECT c.category_id, c.label, c.default_meeting, c.handling_deadline_days, c.deadline_day_count,
         c.meldcode, c.active, COALESCE(c.parent_category_id, '') AS parent_category_id, c.description,
         c.position, c.version, c.questions::text AS questions, c.feedback_texts::text AS feedback_texts
  FROM intake.categories c
  LEFT JOIN intake.categories p ON p.tenant_id = c.tenant_id AND p.category_id = c.parent_category_id
  WHERE c.tenant_id = $1 AND (NOT $2::boolean OR (c.active AND COALESCE(p.active, true)))
  ORDER BY COALESCE(p.position, c.position), COALESCE(p.category_id, c.category_id),
           c.parent_category_id IS NOT NULL, c.position, c.category_id
)sql";

constexpr char kLockCategory[] = R"sql(
  SELECT version, active, COALESCE(parent_category_id, '') AS parent_category_id FROM intake.categories
  WHERE tenant_id = $1 AND category_id = $2 FOR UPDATE
)sql";

constexpr char kMainCategory[] = R"sql(
  SELECT 1 FROM intake.categories WHERE tenant_id = $1 AND category_id = $2 AND parent_category_id IS NULL
)sql";

constexpr char kInsertCategory[] = R"sql(
  INSERT INTO intake.categories
    (tenant_id, category_id, label, default_meeting, handling_deadline_days, deadline_day_count, meldcode,
     parent_category_id, description, questions, feedback_texts, version, position)
  VALUES ($1, $2, $3, $4, $5, $6, $7, NULLIF($8, ''), $9, $10::jsonb, $11::jsonb, 1,
          (SELECT COALESCE(max(position) + 1, 0) FROM intake.categories
           WHERE tenant_id = $1 AND parent_category_id IS NOT DISTINCT FROM NULLIF($8, '')))
  ON CONFLICT (tenant_id, category_id) DO NOTHING
  RETURNING category_id
)sql";

constexpr char kUpdateCategory[] = R"sql(
  UPDATE intake.categories
  SET label = $3, default_meeting = $4, handling_deadline_days = $5, deadline_day_count = $6, meldcode = $7,
      description = $8, questions = $9::jsonb, feedback_texts = $10::jsonb, version = version + 1
  WHERE tenant_id = $1 AND category_id = $2
)sql";

// The current definition becomes a kept version.
constexpr char kRecordVersion[] = R"sql(
  INSERT INTO intake.category_versions
    (tenant_id, category_id, version, label, handling_deadline_days, deadline_day_count, questions, feedback_texts)
  SELECT tenant_id, category_id, version, label, handling_deadline_days, deadline_day_count, questions,
         feedback_texts
  FROM intake.categories WHERE tenant_id = $1 AND category_id = $2
  ON CONFLICT DO NOTHING
)sql";

constexpr char kActiveChildren[] = R"sql(
  SELECT count(*) AS n FROM intake.categories WHERE tenant_id = $1 AND parent_category_id = $2 AND active
)sql";

constexpr char kSetActive[] = R"sql(
  UPDATE intake.categories SET active = $3 WHERE tenant_id = $1 AND category_id = $2
)sql";

constexpr char kSiblings[] = R"sql(
  SELECT category_id FROM intake.categories
  WHERE tenant_id = $1 AND parent_category_id IS NOT DISTINCT FROM NULLIF($2, '') FOR UPDATE
)sql";

constexpr char kSetPosition[] = R"sql(
  UPDATE intake.categories SET position = $3 WHERE tenant_id = $1 AND category_id = $2
)sql";

constexpr char kCopyDefaultCategories[] = R"sql(
  INSERT INTO intake.categories
    (tenant_id, category_id, label, default_meeting, handling_deadline_days, deadline_day_count, meldcode,
     position)
  SELECT $1, category_id, label, default_meeting, handling_deadline_days, deadline_day_count, meldcode,
         row_number() OVER (ORDER BY default_meeting DESC, label) - 1
  FROM intake.default_categories
  ON CONFLICT DO NOTHING
)sql";

constexpr char kVersionStartingCategories[] = R"sql(
  INSERT INTO intake.category_versions
    (tenant_id, category_id, version, label, handling_deadline_days, deadline_day_count, questions, feedback_texts)
  SELECT tenant_id, category_id, version, label, handling_deadline_days, deadline_day_count, questions,
         feedback_texts
  FROM intake.categories WHERE tenant_id = $1
  ON CONFLICT DO NOTHING
)sql";

db::TransactionOptions Bounded(absl::Time deadline) {
  db::TransactionOptions options;
  options.deadline = deadline;
  return options;
}

std::string Stored(v1::MeetingKind meeting) { return v1::MeetingKind_Name(meeting).substr(sizeof("MEETING_KIND_") - 1); }
std::string Stored(v1::DayCount count) { return count == v1::DAY_COUNT_WORKING ? "WORKING" : "CALENDAR"; }

v1::Category CategoryFromRow(const db::Rows& rows, int i) {
  v1::Category c;
  c.set_category_id(rows.Text(i, "category_id"));
  c.set_label(rows.Text(i, "label"));
  v1::MeetingKind meeting = v1::MEETING_KIND_UNSPECIFIED;
  v1::MeetingKind_Parse("MEETING_KIND_" + rows.Text(i, "default_meeting"), &meeting);
  c.set_default_meeting(meeting);
  c.set_handling_deadline_days(static_cast<int32_t>(rows.Int(i, "handling_deadline_days")));
  c.set_handling_deadline_day_count(rows.Text(i, "deadline_day_count") == "WORKING" ? v1::DAY_COUNT_WORKING
                                                                                     : v1::DAY_COUNT_CALENDAR);
  c.set_meldcode(rows.Bool(i, "meldcode"));
  c.set_active(rows.Bool(i, "active"));
  c.set_parent_category_id(rows.Text(i, "parent_category_id"));
  c.set_description(rows.Text(i, "description"));
  c.set_position(static_cast<int32_t>(rows.Int(i, "position")));
  c.set_version(static_cast<int32_t>(rows.Int(i, "version")));
  for (auto& q : FromJsonArray<v1::Question>(rows.Text(i, "questions"))) *c.add_questions() = std::move(q);
  for (auto& f : FromJsonArray<v1::FeedbackText>(rows.Text(i, "feedback_texts"))) {
    *c.add_feedback_texts() = std::move(f);
  }
  return c;
}

absl::StatusOr<v1::Category> ReadOne(db::Transaction& tx, const std::string& tenant, const std::string& id) {
  ASSIGN_OR_RETURN(db::Rows rows, tx.Query(kSelectCategories, {tenant, "false"}));
  for (int i = 0; i < rows.size(); ++i) {
    if (rows.Text(i, "category_id") == id) return CategoryFromRow(rows, i);
  }
  return absl::NotFoundError("category_id: not a category of this tenant");
}

}  // namespace

absl::StatusOr<std::vector<v1::Category>> CategoryStore::List(const std::string& tenant, bool active_only,
                                                              absl::Time deadline) {
  ASSIGN_OR_RETURN(db::Rows rows,
                   pool_->Query(kSelectCategories, {tenant, active_only ? "true" : "false"}, Bounded(deadline)));
  std::vector<v1::Category> categories;
  for (int i = 0; i < rows.size(); ++i) categories.push_back(CategoryFromRow(rows, i));
  return categories;
}

absl::StatusOr<v1::Category> CategoryStore::Create(const std::string& tenant, const v1::Category& c,
                                                   AuditRecord& audit, absl::Time deadline) {
  v1::Category created;
  audit.SetObjectId(c.category_id());
  RETURN_IF_ERROR(InAuditedTransaction(
      *pool_, audit,
      [&](db::Transaction& tx) -> absl::Status {
        if (!c.parent_category_id().empty()) {
          ASSIGN_OR_RETURN(db::Rows parent, tx.Query(kMainCategory, {tenant, c.parent_category_id()}));
          if (parent.empty()) {
            return Invalid("category.parent_category_id", "is not a known main category");
          }
        }
        ASSIGN_OR_RETURN(
            db::Rows inserted,
            tx.Query(kInsertCategory,
                     {tenant, c.category_id(), c.label(), Stored(c.default_meeting()),
                      absl::StrCat(c.handling_deadline_days()), Stored(c.handling_deadline_day_count()),
                      c.meldcode() ? "true" : "false", c.parent_category_id(), c.description(),
                      ToJsonArray(c.questions()), ToJsonArray(c.feedback_texts())}));
        if (inserted.empty()) return absl::AlreadyExistsError("category.category_id: is taken in this tenant");
        RETURN_IF_ERROR(tx.Exec(kRecordVersion, {tenant, c.category_id()}));
        ASSIGN_OR_RETURN(created, ReadOne(tx, tenant, c.category_id()));
        return absl::OkStatus();
      },
      Bounded(deadline)));
  return created;
}

absl::StatusOr<v1::Category> CategoryStore::Update(const std::string& tenant, const v1::Category& c,
                                                   AuditRecord& audit, absl::Time deadline) {
  v1::Category updated;
  audit.SetObjectId(c.category_id());
  RETURN_IF_ERROR(InAuditedTransaction(
      *pool_, audit,
      [&](db::Transaction& tx) -> absl::Status {
        ASSIGN_OR_RETURN(db::Rows current, tx.Query(kLockCategory, {tenant, c.category_id()}));
        if (current.empty()) return absl::NotFoundError("category.category_id: not a category of this tenant");
        if (current.Int(0, "version") != c.version()) {
          return absl::AbortedError(absl::StrCat("category.version: the category is at version ",
                                                 current.Int(0, "version"),
                                                 " now; read it again and make your change on that one"));
        }
        if (c.parent_category_id() != current.Text(0, "parent_category_id")) {
          return Invalid("category.parent_category_id", "cannot change; create a new category instead");
        }
        RETURN_IF_ERROR(tx.Exec(kUpdateCategory,
                                {tenant, c.category_id(), c.label(), Stored(c.default_meeting()),
                                 absl::StrCat(c.handling_deadline_days()), Stored(c.handling_deadline_day_count()),
                                 c.meldcode() ? "true" : "false", c.description(), ToJsonArray(c.questions()),
                                 ToJsonArray(c.feedback_texts())}));
        RETURN_IF_ERROR(tx.Exec(kRecordVersion, {tenant, c.category_id()}));
        ASSIGN_OR_RETURN(updated, ReadOne(tx, tenant, c.category_id()));
        return absl::OkStatus();
      },
      Bounded(deadline)));
  return updated;
}

absl::StatusOr<v1::Category> CategoryStore::SetRetired(const std::string& tenant, const std::string& id,
                                                       bool retired, AuditRecord& audit, absl::Time deadline) {
  v1::Category result;
  audit.SetObjectId(id);
  RETURN_IF_ERROR(InAuditedTransaction(
      *pool_, audit,
      [&](db::Transaction& tx) -> absl::Status {
        ASSIGN_OR_RETURN(db::Rows current, tx.Query(kLockCategory, {tenant, id}));
        if (current.empty()) return absl::NotFoundError("category_id: not a category of this tenant");
        if (retired) {
          ASSIGN_OR_RETURN(db::Rows children, tx.Query(kActiveChildren, {tenant, id}));
          if (children.Int(0, "n") > 0) {
            return absl::FailedPreconditionError(
                "category_id: retire its active subcategories first, or move their signals elsewhere");
          }
        }
        RETURN_IF_ERROR(tx.Exec(kSetActive, {tenant, id, retired ? "false" : "true"}));
        ASSIGN_OR_RETURN(result, ReadOne(tx, tenant, id));
        return absl::OkStatus();
      },
      Bounded(deadline)));
  return result;
}

absl::Status CategoryStore::Reorder(const std::string& tenant, const std::string& parent,
                                    const std::vector<std::string>& order, AuditRecord& audit,
                                    absl::Time deadline) {
  audit.SetObjectId(parent.empty() ? "main" : parent);
  return InAuditedTransaction(
      *pool_, audit,
      [&](db::Transaction& tx) -> absl::Status {
        if (!parent.empty()) {
          ASSIGN_OR_RETURN(db::Rows known, tx.Query(kMainCategory, {tenant, parent}));
          if (known.empty()) return absl::NotFoundError("parent_category_id: not a main category of this tenant");
        }
        ASSIGN_OR_RETURN(db::Rows siblings, tx.Query(kSiblings, {tenant, parent}));
        std::set<std::string> expected;
        for (int i = 0; i < siblings.size(); ++i) expected.insert(siblings.Text(i, "category_id"));
        std::set<std::string> given(order.begin(), order.end());
        if (given != expected || given.size() != order.size()) {
          return Invalid("category_ids", absl::StrCat("must name each of the ", expected.size(),
                                                      " categories under this parent exactly once"));
        }
        for (size_t i = 0; i < order.size(); ++i) {
          RETURN_IF_ERROR(tx.Exec(kSetPosition, {tenant, order[i], absl::StrCat(i)}));
        }
        return absl::OkStatus();
      },
      Bounded(deadline));
}

absl::Status CopyStartingCategories(db::Transaction& tx, const std::string& tenant) {
  RETURN_IF_ERROR(tx.Exec(kCopyDefaultCategories, {tenant}));
  return tx.Exec(kVersionStartingCategories, {tenant});
}

}  // namespace hartslag::intake
