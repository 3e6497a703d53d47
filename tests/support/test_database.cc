#include "tests/support/test_database.h"

#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "services/common/crypto.h"
#include "services/common/db.h"

namespace hartslag::testing {

TestDatabase::TestDatabase() {
  const char* state = std::getenv("HARTSLAG_TEST_STATE");
  if (state == nullptr) throw std::runtime_error("HARTSLAG_TEST_STATE is not set; run through ctest");
  std::string file = std::string(state) + "/conninfo";
  std::ifstream in(file);
  std::getline(in, admin_);
  admin_ = std::string(absl::StripAsciiWhitespace(admin_));
  if (admin_.empty()) throw std::runtime_error(absl::StrCat("no conninfo in ", file));
  name_ = absl::StrCat("t_", HexEncode(RandomBytes(8)));
  absl::Status status = db::ExecuteOnce(admin_, absl::StrCat("CREATE DATABASE ", name_));
  if (!status.ok()) throw std::runtime_error(status.ToString());
  std::string base = admin_.substr(0, admin_.find("dbname="));
  conninfo_ = absl::StrCat(base, "dbname=", name_);
}

std::string TestDatabase::ServiceConninfo(const std::string& service) const {
  std::string role = absl::StrCat("hartslag_", service);
  // Tests run in parallel: a role another test created first is fine.
  absl::Status created = db::ExecuteOnce(
      admin_, absl::StrCat("DO $$ BEGIN CREATE ROLE ", role,
                           " LOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"));
  if (!created.ok()) throw std::runtime_error(created.ToString());
  absl::Status granted = db::ExecuteOnce(admin_, absl::StrCat("GRANT CREATE, CONNECT ON DATABASE ", name_, " TO ", role));
  if (!granted.ok()) throw std::runtime_error(granted.ToString());
  std::vector<std::string> words;
  for (absl::string_view word : absl::StrSplit(conninfo_, ' ', absl::SkipWhitespace())) {
    if (!absl::StartsWith(word, "user=")) words.emplace_back(word);
  }
  words.push_back("user=" + role);
  return absl::StrJoin(words, " ");
}

TestDatabase::~TestDatabase() {
  (void)db::ExecuteOnce(admin_, absl::StrCat("DROP DATABASE IF EXISTS ", name_, " WITH (FORCE)"));
}

TemporaryRole::TemporaryRole(db::Pool* pool, absl::string_view prefix)
    : pool_(pool), name_(absl::StrCat(prefix, "-", HexEncode(RandomBytes(4)))), sql_(absl::StrCat("\"", name_, "\"")) {
  created_ = pool_->Query(absl::StrCat("CREATE ROLE ", sql_)).status();
}

absl::StatusOr<db::Rows> TemporaryRole::Query(const std::string& statement) const {
  absl::StatusOr<db::Rows> rows = absl::InternalError("not run");
  absl::Status ran = pool_->InTransaction([&](db::Transaction& tx) -> absl::Status {
    if (absl::Status became = tx.Query(absl::StrCat("SET LOCAL ROLE ", sql_)).status(); !became.ok()) {
      return absl::InternalError(absl::StrCat(kCouldNotBecome, became.message()));
    }
    rows = tx.Query(statement);
    return rows.status();
  });
  if (!ran.ok()) return ran;
  return rows;
}

TemporaryRole::~TemporaryRole() {
  if (!created_.ok()) return;
  (void)pool_->Query(absl::StrCat("DROP OWNED BY ", sql_));
  (void)pool_->Query(absl::StrCat("DROP ROLE ", sql_));
}

std::string OutboxSchemaSql(const std::string& schema) {
  return absl::StrCat("CREATE SCHEMA ", schema, "; CREATE TABLE ", schema, R"sql(.outbox (
    seq bigserial PRIMARY KEY, target text NOT NULL, tenant_id text NOT NULL, event_id uuid NOT NULL UNIQUE,
    payload bytea NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
  CREATE TABLE )sql", schema, R"sql(.dead_letters (
    seq bigint PRIMARY KEY, target text NOT NULL, tenant_id text NOT NULL, event_id uuid NOT NULL,
    payload bytea NOT NULL, created_at timestamptz NOT NULL, set_aside_at timestamptz NOT NULL DEFAULT now(),
    reason text NOT NULL);)sql");
}

}  // namespace hartslag::testing
