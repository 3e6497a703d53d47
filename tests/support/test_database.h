// A fresh, empty database per test on the test run's throwaway cluster, so
// tests can run in parallel (ctest -j) without seeing each other's rows.
//
//   TestDatabase db;                       // CREATE DATABASE t_<random>
//   auto pool = db::Pool::Open(db.conninfo(), 4);
//   ...                                    // DROP DATABASE ... WITH (FORCE) at scope exit
#ifndef HARTSLAG_TESTS_SUPPORT_TEST_DATABASE_H_
#define HARTSLAG_TESTS_SUPPORT_TEST_DATABASE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/common/db.h"

namespace hartslag::testing {

class TestDatabase {
 public:
  TestDatabase();
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  // libpq connection string of the new database.
  const std::string& conninfo() const { return conninfo_; }
  // The same database as a service's own login role ("hartslag_<service>",
  // created once per cluster, no superuser), as a deployment runs it: the
  // service owns the schema it creates, and nothing more.
  std::string ServiceConninfo(const std::string& service) const;
  // libpq connection string of the cluster's maintenance database.
  const std::string& admin_conninfo() const { return admin_; }

 private:
  std::string admin_;
  std::string name_;
  std::string conninfo_;
};

// A role without login for one test, to be granted what a deployment grants
// its services' runtime roles: created at once; at scope exit it is dropped,
// with what it owns and what it was granted. Its name ("<prefix>-<random>")
// must be quoted, as a deployment's role's might.
class TemporaryRole {
 public:
  TemporaryRole(db::Pool* pool, absl::string_view prefix);
  ~TemporaryRole();
  TemporaryRole(const TemporaryRole&) = delete;
  TemporaryRole& operator=(const TemporaryRole&) = delete;

  // Whether CREATE ROLE succeeded.
  const absl::Status& created() const { return created_; }
  // The name, as a parameter (has_table_privilege).
  const std::string& name() const { return name_; }
  // The name as SQL text, quoted: for GRANT ... TO and SET ROLE.
  const std::string& sql() const { return sql_; }
  // Runs `statement` as the role (SET LOCAL ROLE, in a transaction of its
  // own). Failing to become the role is an error of its own, whose message
  // starts with kCouldNotBecome: a refusal of the statement is told apart.
  absl::StatusOr<db::Rows> Query(const std::string& statement) const;
  static constexpr char kCouldNotBecome[] = "could not become the role: ";

 private:
  db::Pool* pool_;
  std::string name_;
  std::string sql_;
  absl::Status created_;
};

// SQL that makes the schema `schema` with an outbox table of the columns
// Outbox reads and writes, for tests of what goes through an outbox.
std::string OutboxSchemaSql(const std::string& schema);

}  // namespace hartslag::testing

#endif  // HARTSLAG_TESTS_SUPPORT_TEST_DATABASE_H_
