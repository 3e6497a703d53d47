// The audit trail end to end: hartslag-audit, hartslag-directory and
// hartslag-intake as real processes over TLS. Every call leaves exactly its
// record, found through the privacy officer's query API; records survive an
// audit service that is down or killed; the log the service exports verifies
// offline, and a tampered entry is found at its index.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <sstream>
#include <thread>

#include <grpcpp/generic/generic_stub.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "clients/cpp/audit_export.h"
#include "hartslag/audit/v1/audit.grpc.pb.h"
#include "hartslag/directory/v1/directory.grpc.pb.h"
#include "hartslag/intake/v1/intake.grpc.pb.h"
#include "hartslag/operations/v1/operations.grpc.pb.h"
#include "libs/audit_verify/log_export.h"
#include "libs/audit_verify/merkle.h"
#include "nlohmann/json.hpp"
#include "services/audit/audit_log.h"
#include "services/common/crypto.h"
#include "services/common/files.h"
#include "services/common/outbox.h"
#include "services/common/proto_bytes.h"
#include "services/common/proto_time.h"
#include "services/directory/password.h"
#include "tests/support/deployment.h"
#include "tests/support/sample_signal.h"
#include "tests/support/test_keys.h"

namespace hartslag::audit {
namespace {

namespace dv1 = directory::v1;
namespace iv1 = intake::v1;
using testing::ClaimsFor;

constexpr char kPassword[] = "lang-genoeg-wachtwoord";

class AuditEndToEndTest : public ::testing::Test {
 protected:
  AuditEndToEndTest() {
    auto& store = deployment_.directory_store();
    EXPECT_TRUE(store.CreateTenant("heerlen", "Gemeente Heerlen").ok());
    for (auto [id, kind] : {std::pair{"gemeente", common::v1::ORGANISATION_KIND_MUNICIPALITY},
                            std::pair{"handhaving", common::v1::ORGANISATION_KIND_ENFORCEMENT},
                            std::pair{"politie", common::v1::ORGANISATION_KIND_POLICE}}) {
      dv1::Organisation org;
      org.set_organisation_id(id);
      org.set_name(id);
      org.set_kind(kind);
      EXPECT_TRUE(store.CreateOrganisation("heerlen", org, testing::Unaudited()).ok());
    }
    dv1::User user;
    user.set_user_id("bart.boa");
    user.set_organisation_id("handhaving");
    user.set_display_name("Bart");
    user.add_roles("REPORTER");
    EXPECT_TRUE(store.CreateUser("heerlen", user, *directory::HashPassword(kPassword),
                                 testing::Unaudited()).ok());
    user.set_user_id("peter.politie");
    user.set_organisation_id("politie");
    user.set_display_name("Peter");
    EXPECT_TRUE(store.CreateUser("heerlen", user, *directory::HashPassword(kPassword),
                                 testing::Unaudited()).ok());
    dv1::IntegratedClient client;
    client.set_client_id("politie-bvh");
    client.set_organisation_id("politie");
    client.set_certificate_uri("spiffe://hartslag/heerlen/client/politie-bvh");
    EXPECT_TRUE(store.CreateClient("heerlen", client, testing::Unaudited()).ok());

    signals_ = iv1::SignalService::NewStub(deployment_.Channel(deployment_.intake()));
    auth_ = dv1::AuthService::NewStub(deployment_.Channel(deployment_.directory()));
    admin_ = dv1::DirectoryService::NewStub(deployment_.Channel(deployment_.directory()));
    audit_ = v1::AuditService::NewStub(deployment_.Channel(deployment_.audit()));
    boa_ = Token(ClaimsFor("bart.boa", "handhaving", "ENFORCEMENT", {"REPORTER"}, {"heerlen-noord"}));
    other_reporter_ = Token(ClaimsFor("wim.woonpunt", "woonpunt", "HOUSING", {"REPORTER"}, {}));
    coordinator_ = Token(ClaimsFor("carla.coordinator", "gemeente", "MUNICIPALITY", {"COORDINATOR"},
                                   {"heerlen-noord"}));
    partner_ = Token(ClaimsFor("peter.politie", "politie", "POLICE", {"PARTNER"}, {}));
    admin_token_ = Token(ClaimsFor("anna.admin", "gemeente", "MUNICIPALITY", {"ADMIN"}, {}));
    officer_ = deployment_.PrivacyOfficerToken();
  }

  std::string Token(const TokenClaims& claims) { return deployment_.Token(claims); }

  // A call with a token and a trace id of our choosing, to find its record.
  std::unique_ptr<grpc::ClientContext> Call(const std::string& token, const std::string& trace) {
    auto call = deployment_.Call(token);
    call->AddMetadata("x-request-id", trace);
    return call;
  }

  iv1::SubmitSignalRequest SignalAboutJan() {
    iv1::SubmitSignalRequest request = testing::SampleSignal();
    iv1::Person* person = request.add_persons();
    person->set_name("Jan Jansen");
    person->set_birth_year(1970);
    person->set_role("bewoner");
    return request;
  }

  // Every record of Heerlen's log, through the privacy officer's query API,
  // by trace id (several per trace id if the log holds several).
  std::multimap<std::string, v1::AuditEvent> RecordsByTrace() {
    std::multimap<std::string, v1::AuditEvent> records;
    v1::QueryEventsRequest request;
    request.set_page_size(500);
    for (;;) {
      v1::QueryEventsResponse page;
      grpc::Status status = audit_->QueryEvents(deployment_.Call(officer_).get(), request, &page);
      EXPECT_TRUE(status.ok()) << status.error_message();
      for (const auto& e : page.events()) records.emplace(e.event().trace_id(), e.event());
      if (!status.ok() || page.next_page_token().empty()) return records;
      request.set_page_token(page.next_page_token());
    }
  }

  // Waits (at most `timeout`) until every trace has a record; returns them.
  std::multimap<std::string, v1::AuditEvent> AwaitRecords(const std::vector<std::string>& traces,
                                                          absl::Duration timeout = absl::Seconds(30)) {
    absl::Time give_up = absl::Now() + timeout;
    for (;;) {
      std::multimap<std::string, v1::AuditEvent> records = RecordsByTrace();
      bool all = true;
      for (const std::string& t : traces) all = all && records.contains(t);
      if (all || absl::Now() > give_up) return records;
      absl::SleepFor(absl::Milliseconds(200));
    }
  }

  std::string Pseudonym(const std::string& name, int year) {
    static const Pseudonymizer* pseudonyms =
        new Pseudonymizer(*Pseudonymizer::FromFile(testing::CertsDir() + "/pseudonym.key"));
    return pseudonyms->Person(name, year);
  }

  absl::StatusOr<std::string> ExportedLog() {
    std::stringstream out;
    auto written = client::ExportAuditLog(*audit_, [&] { return deployment_.Call(officer_); }, out);
    if (!written.ok()) return written.status();
    return out.str();
  }

  KeyPtr TreeHeadKey() {
    return *ParseEd25519Pem(*ReadFile(testing::CertsDir() + "/audit-tree.pub", "key"), false);
  }

  testing::Deployment deployment_;
  std::unique_ptr<iv1::SignalService::Stub> signals_;
  std::unique_ptr<dv1::AuthService::Stub> auth_;
  std::unique_ptr<dv1::DirectoryService::Stub> admin_;
  std::unique_ptr<v1::AuditService::Stub> audit_;
  std::string boa_, other_reporter_, coordinator_, partner_, admin_token_, officer_;
};

struct Expected {
  std::string rpc;
  std::string trace;
  v1::Action action;
  v1::Outcome outcome;
  std::string object_type;
};

TEST_F(AuditEndToEndTest, EveryIntakeAndDirectoryCallLeavesExactlyItsRecord) {
  iv1::SubmitSignalResponse submitted;
  ASSERT_TRUE(signals_->SubmitSignal(Call(boa_, "t-submit").get(), SignalAboutJan(), &submitted).ok());
  iv1::GetSignalRequest get;
  get.set_reference(submitted.signal().reference());
  iv1::Signal signal;
  EXPECT_TRUE(signals_->GetSignal(Call(boa_, "t-get").get(), get, &signal).ok());
  EXPECT_EQ(signals_->GetSignal(Call(other_reporter_, "t-get-hidden").get(), get, &signal).error_code(),
            grpc::StatusCode::NOT_FOUND);
  iv1::GetSignalRequest missing;
  missing.set_reference("SV-2026-999999");
  EXPECT_EQ(signals_->GetSignal(Call(boa_, "t-get-missing").get(), missing, &signal).error_code(),
            grpc::StatusCode::NOT_FOUND);
  iv1::ListSignalsResponse list;
  EXPECT_TRUE(signals_->ListSignals(Call(coordinator_, "t-list").get(), {}, &list).ok());
  EXPECT_TRUE(signals_->ListSignals(Call(other_reporter_, "t-list-empty").get(), {}, &list).ok());
  EXPECT_EQ(list.signals_size(), 0);
  iv1::SubmitSignalResponse ignored;
  EXPECT_EQ(signals_->SubmitSignal(Call(partner_, "t-submit-denied").get(), SignalAboutJan(), &ignored)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  iv1::SubmitSignalRequest bad = SignalAboutJan();
  bad.clear_area_id();
  EXPECT_EQ(signals_->SubmitSignal(Call(boa_, "t-submit-bad").get(), bad, &ignored).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  iv1::ListCategoriesResponse categories;
  EXPECT_TRUE(signals_->ListCategories(Call(boa_, "t-categories").get(), {}, &categories).ok());
  iv1::ListAreasResponse signal_areas;
  EXPECT_TRUE(signals_->ListAreas(Call(boa_, "t-signal-areas").get(), {}, &signal_areas).ok());
  iv1::UploadAttachmentRequest upload;
  upload.set_signal_id(submitted.signal().signal_id());
  upload.set_upload_id(RandomUuid());
  upload.set_file_name("brief.pdf");
  upload.set_data("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n");
  upload.set_last(true);
  iv1::UploadAttachmentResponse uploaded;
  EXPECT_TRUE(signals_->UploadAttachment(Call(boa_, "t-attach").get(), upload, &uploaded).ok());
  iv1::ReadAttachmentRequest read;
  read.set_signal_id(submitted.signal().signal_id());
  read.set_attachment_id(uploaded.attachment().attachment_id());
  iv1::ReadAttachmentResponse part;
  EXPECT_TRUE(signals_->ReadAttachment(Call(coordinator_, "t-attach-read").get(), read, &part).ok());
  EXPECT_EQ(signals_->ReadAttachment(Call(other_reporter_, "t-attach-hidden").get(), read, &part).error_code(),
            grpc::StatusCode::NOT_FOUND);
  auto categories_admin = iv1::CategoryService::NewStub(deployment_.Channel(deployment_.intake()));
  iv1::ListCategoryDefinitionsResponse definitions;
  EXPECT_TRUE(
      categories_admin->ListCategoryDefinitions(Call(admin_token_, "t-category-list").get(), {}, &definitions).ok());
  iv1::UpdateCategoryRequest change;
  *change.mutable_category() = definitions.categories(0);
  change.mutable_category()->set_description("Gewijzigd door de gemeente.");
  iv1::Category changed;
  EXPECT_TRUE(categories_admin->UpdateCategory(Call(admin_token_, "t-category-update").get(), change, &changed).ok());

  dv1::LoginRequest login;
  login.set_tenant_id("heerlen");
  login.set_user_id("bart.boa");
  login.set_password(kPassword);
  dv1::TokenResponse tokens;
  EXPECT_TRUE(auth_->Login(Call("", "t-login").get(), login, &tokens).ok());
  login.set_password("verkeerd-wachtwoord");
  EXPECT_EQ(auth_->Login(Call("", "t-login-bad").get(), login, &tokens).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  dv1::CreateAreaRequest area;
  area.set_request_id(RandomUuid());
  area.mutable_area()->set_area_id("schandelen");
  area.mutable_area()->set_name("Schandelen");
  dv1::Area created;
  EXPECT_TRUE(admin_->CreateArea(Call(admin_token_, "t-area").get(), area, &created).ok());
  dv1::Tenant tenant;
  EXPECT_TRUE(admin_->GetTenant(Call(admin_token_, "t-tenant").get(), {}, &tenant).ok());
  dv1::UpdateTenantSettingsRequest settings;
  settings.mutable_settings()->add_closing_days("2026-12-24");
  settings.mutable_update_mask()->add_paths("closing_days");
  EXPECT_TRUE(admin_->UpdateTenantSettings(Call(admin_token_, "t-tenant-settings").get(), settings, &tenant).ok());
  dv1::ListUsersResponse users;
  EXPECT_TRUE(admin_->ListUsers(Call(admin_token_, "t-users").get(), {}, &users).ok());
  EXPECT_EQ(admin_->ListUsers(Call(boa_, "t-users-denied").get(), {}, &users).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  dv1::RefreshTokenRequest refresh;
  login.set_password(kPassword);
  ASSERT_TRUE(auth_->Login(deployment_.Call().get(), login, &tokens).ok());
  refresh.set_refresh_token(tokens.refresh_token());
  EXPECT_TRUE(auth_->RefreshToken(Call("", "t-refresh").get(), refresh, &tokens).ok());
  dv1::LogoutRequest logout;
  logout.set_refresh_token(tokens.refresh_token());
  dv1::LogoutResponse logged_out;
  EXPECT_TRUE(auth_->Logout(Call("", "t-logout").get(), logout, &logged_out).ok());
  auto police_system = dv1::AuthService::NewStub(deployment_.Channel(deployment_.directory(), "politie-bvh"));
  dv1::IssueClientTokenRequest for_peter;
  for_peter.set_user_id("peter.politie");
  EXPECT_TRUE(police_system->IssueClientToken(Call("", "t-client-token").get(), for_peter, &tokens).ok());
  dv1::UpdateAreaRequest rename;
  rename.set_area_id("schandelen");
  rename.set_name("Schandelen-Noord");
  rename.mutable_update_mask()->add_paths("name");
  EXPECT_TRUE(admin_->UpdateArea(Call(admin_token_, "t-area-update").get(), rename, &created).ok());
  dv1::ListAreasResponse areas;
  EXPECT_TRUE(admin_->ListAreas(Call(admin_token_, "t-areas").get(), {}, &areas).ok());
  dv1::CreateOrganisationRequest org;
  org.set_request_id(RandomUuid());
  org.mutable_organisation()->set_organisation_id("weller");
  org.mutable_organisation()->set_name("Weller");
  org.mutable_organisation()->set_kind(common::v1::ORGANISATION_KIND_HOUSING);
  dv1::Organisation organisation;
  EXPECT_TRUE(admin_->CreateOrganisation(Call(admin_token_, "t-org").get(), org, &organisation).ok());
  dv1::UpdateOrganisationRequest org_rename;
  org_rename.set_organisation_id("weller");
  org_rename.set_name("Weller Wonen");
  org_rename.mutable_update_mask()->add_paths("name");
  EXPECT_TRUE(admin_->UpdateOrganisation(Call(admin_token_, "t-org-update").get(), org_rename,
                                         &organisation).ok());
  dv1::ListOrganisationsResponse organisations;
  EXPECT_TRUE(admin_->ListOrganisations(Call(admin_token_, "t-orgs").get(), {}, &organisations).ok());
  dv1::CreateUserRequest new_user;
  new_user.set_request_id(RandomUuid());
  new_user.mutable_user()->set_user_id("wim.weller");
  new_user.mutable_user()->set_organisation_id("weller");
  new_user.mutable_user()->set_display_name("Wim");
  new_user.mutable_user()->add_roles("PARTNER");
  new_user.set_password(kPassword);
  dv1::User made;
  EXPECT_TRUE(admin_->CreateUser(Call(admin_token_, "t-user").get(), new_user, &made).ok());
  dv1::UpdateUserRequest deactivate;
  deactivate.set_user_id("wim.weller");
  deactivate.set_active(false);
  deactivate.mutable_update_mask()->add_paths("active");
  EXPECT_TRUE(admin_->UpdateUser(Call(admin_token_, "t-user-update").get(), deactivate, &made).ok());
  dv1::CreateIntegratedClientRequest new_client;
  new_client.set_request_id(RandomUuid());
  new_client.mutable_client()->set_client_id("weller-crm");
  new_client.mutable_client()->set_organisation_id("weller");
  new_client.mutable_client()->set_certificate_uri("spiffe://hartslag/heerlen/client/weller-crm");
  dv1::IntegratedClient integrated;
  EXPECT_TRUE(admin_->CreateIntegratedClient(Call(admin_token_, "t-client").get(), new_client,
                                             &integrated).ok());
  dv1::UpdateIntegratedClientRequest client_off;
  client_off.set_client_id("weller-crm");
  client_off.set_active(false);
  client_off.mutable_update_mask()->add_paths("active");
  EXPECT_TRUE(admin_->UpdateIntegratedClient(Call(admin_token_, "t-client-update").get(), client_off,
                                             &integrated).ok());
  dv1::ListIntegratedClientsResponse clients;
  EXPECT_TRUE(admin_->ListIntegratedClients(Call(admin_token_, "t-clients").get(), {}, &clients).ok());
  dv1::UpdateUserRequest new_password;
  new_password.set_user_id("wim.weller");
  new_password.set_password("een-nieuw-wachtwoord");
  new_password.mutable_update_mask()->add_paths("password");
  EXPECT_TRUE(admin_->UpdateUser(Call(admin_token_, "t-user-password").get(), new_password, &made).ok());
  // The directory's lookups for intake carry no personal data and leave no record.
  auto lookup = dv1::LookupService::NewStub(deployment_.Channel(deployment_.directory(), "intake"));
  dv1::ListTenantsResponse tenants;
  EXPECT_TRUE(lookup->ListTenants(Call("", "t-tenants").get(), {}, &tenants).ok());
  dv1::ListTenantAreasRequest tenant_areas;
  tenant_areas.set_tenant_id("heerlen");
  EXPECT_TRUE(lookup->ListTenantAreas(Call("", "t-tenant-areas").get(), tenant_areas, &areas).ok());
  auto audit_lookup = dv1::LookupService::NewStub(deployment_.Channel(deployment_.directory(), "audit"));
  dv1::ListTenantOrganisationsRequest tenant_organisations;
  tenant_organisations.set_tenant_id("heerlen");
  dv1::ListOrganisationsResponse tenant_orgs;
  EXPECT_TRUE(audit_lookup->ListTenantOrganisations(Call("", "t-tenant-orgs").get(), tenant_organisations,
                                                    &tenant_orgs).ok());
  // Nor does the cases service's lookup of the staff's names for its meeting
  // documents: a service reading the directory, not a person reading a case.
  auto cases_lookup = dv1::LookupService::NewStub(deployment_.Channel(deployment_.directory(), "cases"));
  dv1::ListTenantUsersRequest tenant_users;
  tenant_users.set_tenant_id("heerlen");
  dv1::ListTenantUsersResponse named;
  EXPECT_TRUE(cases_lookup->ListTenantUsers(Call("", "t-tenant-users").get(), tenant_users, &named).ok());
  EXPECT_GT(named.users_size(), 0);

  const v1::Outcome kNoRecord = v1::OUTCOME_UNSPECIFIED;
  const std::vector<Expected> expected = {
      {"SubmitSignal", "t-submit", v1::ACTION_CREATE, v1::OUTCOME_SUCCESS, "signal"},
      {"GetSignal", "t-get", v1::ACTION_READ, v1::OUTCOME_SUCCESS, "signal"},
      {"GetSignal", "t-get-hidden", v1::ACTION_READ, v1::OUTCOME_DENIED, "signal"},
      {"GetSignal", "t-get-missing", v1::ACTION_READ, v1::OUTCOME_REJECTED, "signal"},
      {"ListSignals", "t-list", v1::ACTION_LIST, v1::OUTCOME_SUCCESS, "signal"},
      {"ListSignals", "t-list-empty", v1::ACTION_LIST, v1::OUTCOME_SUCCESS, "signal"},
      {"SubmitSignal", "t-submit-denied", v1::ACTION_CREATE, v1::OUTCOME_DENIED, "signal"},
      {"SubmitSignal", "t-submit-bad", v1::ACTION_CREATE, v1::OUTCOME_REJECTED, "signal"},
      {"ListCategories", "t-categories", v1::ACTION_LIST, v1::OUTCOME_SUCCESS, "category"},
      {"ListAreas", "t-signal-areas", v1::ACTION_LIST, v1::OUTCOME_SUCCESS, "area"},
      {"UploadAttachment", "t-attach", v1::ACTION_CREATE, v1::OUTCOME_SUCCESS, "attachment"},
      {"ReadAttachment", "t-attach-read", v1::ACTION_READ, v1::OUTCOME_SUCCESS, "attachment"},
      {"ReadAttachment", "t-attach-hidden", v1::ACTION_READ, v1::OUTCOME_DENIED, "attachment"},
      {"ListCategoryDefinitions", "t-category-list", v1::ACTION_LIST, v1::OUTCOME_SUCCESS, "category"},
      {"UpdateCategory", "t-category-update", v1::ACTION_UPDATE, v1::OUTCOME_SUCCESS, "category"},
      {"Login", "t-login", v1::ACTION_LOGIN, v1::OUTCOME_SUCCESS, "session"},
      {"Login", "t-login-bad", v1::ACTION_LOGIN, v1::OUTCOME_DENIED, "session"},
      {"RefreshToken", "t-refresh", v1::ACTION_LOGIN, v1::OUTCOME_SUCCESS, "session"},
      {"IssueClientToken", "t-client-token", v1::ACTION_LOGIN, v1::OUTCOME_SUCCESS, "session"},
      {"Logout", "t-logout", v1::ACTION_DELETE, v1::OUTCOME_SUCCESS, "session"},
      {"CreateArea", "t-area", v1::ACTION_CREATE, v1::OUTCOME_SUCCESS, "area"},
      {"UpdateArea", "t-area-update", v1::ACTION_UPDATE, v1::OUTCOME_SUCCESS, "area"},
      {"ListAreas", "t-areas", v1::ACTION_LIST, v1::OUTCOME_SUCCESS, "area"},
      {"CreateOrganisation", "t-org", v1::ACTION_CREATE, v1::OUTCOME_SUCCESS, "organisation"},
      {"UpdateOrganisation", "t-org-update", v1::ACTION_UPDATE, v1::OUTCOME_SUCCESS, "organisation"},
      {"ListOrganisations", "t-orgs", v1::ACTION_LIST, v1::OUTCOME_SUCCESS, "organisation"},
      {"CreateUser", "t-user", v1::ACTION_CREATE, v1::OUTCOME_SUCCESS, "user"},
      {"UpdateUser", "t-user-update", v1::ACTION_UPDATE, v1::OUTCOME_SUCCESS, "user"},
      {"ListUsers", "t-users", v1::ACTION_LIST, v1::OUTCOME_SUCCESS, "user"},
      {"ListUsers", "t-users-denied", v1::ACTION_LIST, v1::OUTCOME_DENIED, "user"},
      {"GetTenant", "t-tenant", v1::ACTION_READ, v1::OUTCOME_SUCCESS, "tenant"},
      {"UpdateTenantSettings", "t-tenant-settings", v1::ACTION_UPDATE, v1::OUTCOME_SUCCESS, "tenant"},
      {"CreateIntegratedClient", "t-client", v1::ACTION_CREATE, v1::OUTCOME_SUCCESS, "integrated_client"},
      {"UpdateIntegratedClient", "t-client-update", v1::ACTION_UPDATE, v1::OUTCOME_SUCCESS,
       "integrated_client"},
      {"ListIntegratedClients", "t-clients", v1::ACTION_LIST, v1::OUTCOME_SUCCESS, "integrated_client"},
      {"UpdateUser", "t-user-password", v1::ACTION_UPDATE, v1::OUTCOME_SUCCESS, "user"},
      {"ListTenants", "t-tenants", v1::ACTION_UNSPECIFIED, kNoRecord, ""},
      {"ListTenantAreas", "t-tenant-areas", v1::ACTION_UNSPECIFIED, kNoRecord, ""},
      {"ListTenantOrganisations", "t-tenant-orgs", v1::ACTION_UNSPECIFIED, kNoRecord, ""},
      {"ListTenantUsers", "t-tenant-users", v1::ACTION_UNSPECIFIED, kNoRecord, ""},
  };
  // Every RPC of intake and directory has its line above.
  for (const auto* service : {iv1::SignalService::service_full_name(), dv1::AuthService::service_full_name(),
                              dv1::DirectoryService::service_full_name(),
                              dv1::LookupService::service_full_name()}) {
    const auto* descriptor = google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(service);
    for (int i = 0; i < descriptor->method_count(); ++i) {
      bool covered = false;
      for (const Expected& e : expected) covered = covered || e.rpc == descriptor->method(i)->name();
      EXPECT_TRUE(covered) << descriptor->method(i)->name() << " has no expected audit record";
    }
  }
  std::vector<std::string> traces;
  for (const Expected& e : expected) {
    if (e.outcome != kNoRecord) traces.push_back(e.trace);
  }
  std::multimap<std::string, v1::AuditEvent> records = AwaitRecords(traces);
  for (const Expected& e : expected) {
    if (e.outcome == kNoRecord) {
      EXPECT_EQ(records.count(e.trace), 0u) << e.trace << " should leave no record";
      continue;
    }
    ASSERT_EQ(records.count(e.trace), 1u) << e.trace << " needs exactly one record";
    const v1::AuditEvent& record = records.find(e.trace)->second;
    EXPECT_EQ(record.origin().rpc(), e.rpc) << e.trace;
    EXPECT_EQ(v1::Action_Name(record.action()), v1::Action_Name(e.action)) << e.trace;
    EXPECT_EQ(v1::Outcome_Name(record.outcome()), v1::Outcome_Name(e.outcome)) << e.trace;
    EXPECT_EQ(record.object().type(), e.object_type) << e.trace;
    EXPECT_EQ(record.tenant_id(), "heerlen") << e.trace;
    EXPECT_FALSE(record.origin().peer_address().empty()) << e.trace;
    EXPECT_TRUE(record.has_occurred_at()) << e.trace;
  }

  const std::string jan = Pseudonym("Jan Jansen", 1970);
  const v1::AuditEvent& submit = records.find("t-submit")->second;
  EXPECT_EQ(submit.object().id(), submitted.signal().signal_id());
  EXPECT_EQ(submit.actor().user_id(), "bart.boa");
  EXPECT_EQ(submit.actor().organisation_id(), "handhaving");
  EXPECT_EQ(submit.actor().organisation_kind(), common::v1::ORGANISATION_KIND_ENFORCEMENT);
  EXPECT_EQ(std::vector<std::string>(submit.actor().roles().begin(), submit.actor().roles().end()),
            std::vector<std::string>{"REPORTER"});
  EXPECT_EQ(submit.origin().service(), "spiffe://hartslag/service/intake");
  EXPECT_NE(std::find(submit.subjects().begin(), submit.subjects().end(), jan), submit.subjects().end())
      << "the person is recorded, pseudonymised";
  EXPECT_EQ(records.find("t-get-hidden")->second.object().id(), submitted.signal().signal_id())
      << "a need-to-know refusal names what was refused";
  EXPECT_EQ(records.find("t-get-hidden")->second.subjects_size(), 0) << "nothing was seen";
  EXPECT_EQ(records.find("t-list")->second.result_count(), 1);
  EXPECT_NE(std::find(records.find("t-list")->second.subjects().begin(),
                      records.find("t-list")->second.subjects().end(), jan),
            records.find("t-list")->second.subjects().end());
  EXPECT_EQ(records.find("t-list-empty")->second.result_count(), 0);
  EXPECT_EQ(records.find("t-login")->second.actor().user_id(), "bart.boa");
  EXPECT_EQ(records.find("t-login")->second.origin().service(), "spiffe://hartslag/service/directory");
  EXPECT_EQ(records.find("t-login-bad")->second.detail(), "wrong password");
  EXPECT_EQ(records.find("t-area")->second.object().id(), "schandelen");
  EXPECT_EQ(records.find("t-user-update")->second.object().id(), "wim.weller");
  const v1::AuditEvent& password_record = records.find("t-user-password")->second;
  EXPECT_EQ(password_record.object().id(), "wim.weller");
  EXPECT_EQ(password_record.SerializeAsString().find("een-nieuw-wachtwoord"), std::string::npos)
      << "a new password is recorded as a change, never as its text";
  EXPECT_GE(records.find("t-clients")->second.result_count(), 1);
  EXPECT_EQ(records.find("t-client-token")->second.actor().acting_client(), "politie-bvh");
  EXPECT_EQ(records.find("t-client-token")->second.actor().user_id(), "peter.politie");
  EXPECT_EQ(records.find("t-refresh")->second.actor().user_id(), "bart.boa");

  // Nothing personal in the clear anywhere in the stored log.
  auto exported = ExportedLog();
  ASSERT_TRUE(exported.ok()) << exported.status();
  std::string all_entries;
  for (const auto& [trace, record] : records) all_entries += record.SerializeAsString();
  // The whole postcode, as given and as pseudonymised: its four digits alone
  // turn up by chance in the hex text of ids.
  for (const char* clear : {"Jan Jansen", "Heerenweg", "6414 AB", "6414AB", "Matrassen"}) {
    EXPECT_EQ(all_entries.find(clear), std::string::npos) << clear;
  }
}

TEST_F(AuditEndToEndTest, NoRecordIsLostWhileTheAuditServiceIsDown) {
  deployment_.StopAudit();
  std::vector<std::string> traces;
  for (int i = 0; i < 10; ++i) {
    iv1::SubmitSignalResponse submitted;
    std::string trace = absl::StrCat("t-down-submit-", i);
    ASSERT_TRUE(signals_->SubmitSignal(Call(boa_, trace).get(), SignalAboutJan(), &submitted).ok())
        << "intake keeps working while the audit service is down";
    traces.push_back(trace);
    iv1::GetSignalRequest get;
    get.set_signal_id(submitted.signal().signal_id());
    iv1::Signal signal;
    trace = absl::StrCat("t-down-get-", i);
    ASSERT_TRUE(signals_->GetSignal(Call(coordinator_, trace).get(), get, &signal).ok());
    traces.push_back(trace);
  }
  Outbox intake_outbox("intake");
  EXPECT_GE(*intake_outbox.Pending(deployment_.pool(), kAuditTarget), 20)
      << "the records wait in intake's outbox";

  deployment_.StartAudit();
  std::multimap<std::string, v1::AuditEvent> records = AwaitRecords(traces);
  for (const std::string& trace : traces) EXPECT_EQ(records.count(trace), 1u) << trace;
  absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (*intake_outbox.Pending(deployment_.pool(), kAuditTarget) > 0 && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(*intake_outbox.Pending(deployment_.pool(), kAuditTarget), 0)
      << "delivered records leave the outbox";
}

TEST_F(AuditEndToEndTest, KilledAuditServiceLosesAndDoublesNothingAndTheLogVerifies) {
  constexpr int kCalls = 120;
  std::atomic<int> done{0};
  std::thread load([&] {
    for (int i = 0; i < kCalls; ++i) {
      iv1::SubmitSignalResponse submitted;
      grpc::Status status =
          signals_->SubmitSignal(Call(boa_, absl::StrCat("t-kill-", i)).get(), SignalAboutJan(), &submitted);
      EXPECT_TRUE(status.ok()) << status.error_message();
      done = i + 1;
    }
  });
  while (done < kCalls / 3) absl::SleepFor(absl::Milliseconds(5));
  deployment_.StopAudit(SIGKILL);  // a crash in the middle of appends
  absl::SleepFor(absl::Milliseconds(300));
  deployment_.StartAudit();
  load.join();

  std::vector<std::string> traces;
  for (int i = 0; i < kCalls; ++i) traces.push_back(absl::StrCat("t-kill-", i));
  std::multimap<std::string, v1::AuditEvent> records = AwaitRecords(traces);
  for (const std::string& trace : traces) EXPECT_EQ(records.count(trace), 1u) << trace;

  v1::GetTreeHeadRequest fresh;
  fresh.set_fresh(true);
  v1::SignedTreeHead head;
  ASSERT_TRUE(audit_->GetTreeHead(deployment_.Call(officer_).get(), fresh, &head).ok());
  auto exported = ExportedLog();
  ASSERT_TRUE(exported.ok()) << exported.status();
  std::istringstream lines(*exported);
  KeyPtr key = TreeHeadKey();
  auto verified = VerifyExportedLog(lines, TreeHeadFromProto(head), key.get());
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_GE(verified->tree_size, head.tree_size());
  EXPECT_GE(head.tree_size(), static_cast<uint64_t>(kCalls));
}

TEST_F(AuditEndToEndTest, TamperedEntryIsFoundAtItsIndexInTheServicesExport) {
  std::vector<std::string> traces;
  for (int i = 0; i < 6; ++i) {
    iv1::ListCategoriesResponse categories;
    traces.push_back(absl::StrCat("t-tamper-", i));
    ASSERT_TRUE(signals_->ListCategories(Call(boa_, traces.back()).get(), {}, &categories).ok());
  }
  AwaitRecords(traces);
  auto before = ExportedLog();
  ASSERT_TRUE(before.ok()) << before.status();
  std::istringstream clean(*before);
  ASSERT_TRUE(VerifyExportedLog(clean, std::nullopt, nullptr).ok());

  // A superuser with triggers off rewrites entry 3.
  ASSERT_TRUE(db::ExecuteOnce(deployment_.conninfo(),
                              "SET session_replication_role = replica; "
                              "UPDATE audit.entries SET entry = 'nothing happened' "
                              "WHERE log_id = 'heerlen' AND idx = 3").ok());
  auto after = ExportedLog();
  ASSERT_TRUE(after.ok()) << after.status();
  std::istringstream tampered(*after);
  absl::Status verified = VerifyExportedLog(tampered, std::nullopt, nullptr).status();
  EXPECT_EQ(verified.message().substr(0, 8), "entry 3:") << verified;
}

TEST_F(AuditEndToEndTest, AccessOverviewShowsWhoSawAPersonWithoutNamesUnlessRestricted) {
  iv1::SubmitSignalResponse submitted;
  ASSERT_TRUE(signals_->SubmitSignal(Call(boa_, "t-o-submit").get(), SignalAboutJan(), &submitted).ok());
  iv1::GetSignalRequest get;
  get.set_signal_id(submitted.signal().signal_id());
  iv1::Signal signal;
  ASSERT_TRUE(signals_->GetSignal(Call(coordinator_, "t-o-read").get(), get, &signal).ok());
  AwaitRecords({"t-o-submit", "t-o-read"});

  v1::GetAccessOverviewRequest request;
  request.mutable_subject()->mutable_person()->set_name("jan  JANSEN");  // spelling is normalised
  request.mutable_subject()->mutable_person()->set_birth_year(1970);
  auto overview = [&] {
    v1::GetAccessOverviewResponse response;
    grpc::Status status = audit_->GetAccessOverview(deployment_.Call(officer_).get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    std::vector<std::string> seen;
    for (const v1::Access& a : response.accesses()) {
      seen.push_back(absl::StrCat(a.organisation_id(), " ", v1::Action_Name(a.action()), " ",
                                  a.object_type()));
    }
    return seen;
  };
  EXPECT_EQ(overview(), (std::vector<std::string>{"gemeente ACTION_READ signal",
                                                  "handhaving ACTION_CREATE signal"}))
      << "newest first, by organisation, without employee names";
  v1::GetAccessOverviewRequest about_jan = request;
  *request.mutable_subject()->mutable_address() = SignalAboutJan().location().address();
  EXPECT_EQ(overview().size(), 2u) << "the signal's address: the same records";
  request = about_jan;

  v1::AddRestrictionRequest restrict;
  restrict.set_request_id(RandomUuid());
  *restrict.mutable_subject() = request.subject();
  restrict.set_organisation_id("gemeente");
  restrict.set_reason("lopend onderzoek");
  restrict.set_review_date("2099-06-01");
  v1::Restriction restriction;
  ASSERT_TRUE(audit_->AddRestriction(deployment_.Call(officer_).get(), restrict, &restriction).ok());
  EXPECT_EQ(overview(), (std::vector<std::string>{"handhaving ACTION_CREATE signal"}));
  // Also out of the overview of the signal's address, which the same
  // records are about.
  *request.mutable_subject()->mutable_address() = SignalAboutJan().location().address();
  EXPECT_EQ(overview(), (std::vector<std::string>{"handhaving ACTION_CREATE signal"}));
  request = about_jan;

  v1::LiftRestrictionRequest lift;
  lift.set_restriction_id(restriction.restriction_id());
  ASSERT_TRUE(audit_->LiftRestriction(deployment_.Call(officer_).get(), lift, &restriction).ok());
  EXPECT_EQ(overview().size(), 2u);

  restrict.set_request_id(RandomUuid());
  restrict.set_review_date("gisteren");
  grpc::Status bad = audit_->AddRestriction(deployment_.Call(officer_).get(), restrict, &restriction);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(bad.error_message().rfind("review_date:", 0), 0u) << bad.error_message();

  // An organisation the directory does not know was accepted, and the
  // restriction then kept out nothing.
  restrict.set_review_date("2099-06-01");
  restrict.set_organisation_id("politie-limbrug");
  grpc::Status unknown = audit_->AddRestriction(deployment_.Call(officer_).get(), restrict, &restriction);
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(unknown.error_message(), "organisation_id: is not an organisation of this municipality");

  // The privacy officer's own reads are on the record too.
  v1::QueryEventsRequest own;
  own.set_actor_user_id("privacy.officer");
  own.set_object_type("audit_log");
  absl::Time give_up = absl::Now() + absl::Seconds(20);
  v1::QueryEventsResponse found;
  while (absl::Now() < give_up) {
    ASSERT_TRUE(audit_->QueryEvents(deployment_.Call(officer_).get(), own, &found).ok());
    if (found.events_size() >= 3) break;
    absl::SleepFor(absl::Milliseconds(200));
  }
  EXPECT_GE(found.events_size(), 3) << "three overviews were asked for";
}

// More organisations than the directory puts on one page (100 by default):
// the one a restriction names is on the second page, and still known.
TEST_F(AuditEndToEndTest, RestrictionsComeInPagesNewestFirstLiftedOnesInTheirPlace) {
  for (int i = 0; i < 100; ++i) {
    dv1::Organisation org;
    org.set_organisation_id(absl::StrFormat("a-organisatie-%03d", i));
    org.set_name(org.organisation_id());
    org.set_kind(common::v1::ORGANISATION_KIND_CARE);
    ASSERT_TRUE(deployment_.directory_store().CreateOrganisation("heerlen", org, testing::Unaudited()).ok());
  }
  std::vector<std::string> newest_first;
  for (const char* organisation : {"", "gemeente", "politie"}) {
    v1::AddRestrictionRequest restrict;
    restrict.set_request_id(RandomUuid());
    restrict.mutable_subject()->mutable_person()->set_name("Jan Jansen");
    restrict.mutable_subject()->mutable_person()->set_birth_year(1970);
    restrict.set_organisation_id(organisation);
    restrict.set_reason("lopend onderzoek");
    restrict.set_review_date("2099-06-01");
    v1::Restriction restriction;
    grpc::Status status = audit_->AddRestriction(deployment_.Call(officer_).get(), restrict, &restriction);
    ASSERT_TRUE(status.ok()) << organisation << ": " << status.error_message();
    newest_first.insert(newest_first.begin(), restriction.restriction_id());
  }
  v1::LiftRestrictionRequest lift;
  lift.set_restriction_id(newest_first[1]);
  v1::Restriction lifted;
  ASSERT_TRUE(audit_->LiftRestriction(deployment_.Call(officer_).get(), lift, &lifted).ok());

  v1::ListRestrictionsRequest request;
  request.set_page_size(2);
  std::vector<std::string> listed;
  for (int pages = 1;; ++pages) {
    v1::ListRestrictionsResponse page;
    grpc::Status status = audit_->ListRestrictions(deployment_.Call(officer_).get(), request, &page);
    ASSERT_TRUE(status.ok()) << status.error_message();
    for (const auto& r : page.restrictions()) listed.push_back(r.restriction_id());
    if (page.next_page_token().empty()) break;
    ASSERT_LT(pages, 2) << "three restrictions, two a page";
    request.set_page_token(page.next_page_token());
  }
  EXPECT_EQ(listed, newest_first);
}

// AddRestriction is exactly-once by its request_id, like every create.
class RestrictionExactlyOnceTest : public AuditEndToEndTest {
 protected:
  v1::AddRestrictionRequest Restrict(const std::string& request_id) {
    v1::AddRestrictionRequest restrict;
    restrict.set_request_id(request_id);
    restrict.mutable_subject()->mutable_person()->set_name("Jan Jansen");
    restrict.mutable_subject()->mutable_person()->set_birth_year(1970);
    restrict.set_organisation_id("politie");
    restrict.set_reason("lopend onderzoek");
    restrict.set_review_date("2099-06-01");
    return restrict;
  }

  grpc::Status Add(const v1::AddRestrictionRequest& request, v1::Restriction* restriction) {
    return audit_->AddRestriction(deployment_.Call(officer_).get(), request, restriction);
  }

  int Restrictions() {
    auto all = deployment_.audit_store().Restrictions("heerlen", std::nullopt, 1000);
    EXPECT_TRUE(all.ok()) << all.status();
    return all.ok() ? static_cast<int>(all->size()) : -1;
  }
};

TEST_F(RestrictionExactlyOnceTest, ARetryGetsTheFirstRestrictionAndAddsNoSecond) {
  v1::AddRestrictionRequest request = Restrict(RandomUuid());
  v1::Restriction first, retried;
  ASSERT_TRUE(Add(request, &first).ok());
  // The same person written otherwise is the same subject.
  request.mutable_subject()->mutable_person()->set_name("  jan JANSEN ");
  grpc::Status status = Add(request, &retried);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(retried.restriction_id(), first.restriction_id());
  EXPECT_EQ(DeterministicBytes(retried), DeterministicBytes(first));
  EXPECT_EQ(Restrictions(), 1);

  v1::ListRestrictionsResponse listed;
  ASSERT_TRUE(audit_->ListRestrictions(deployment_.Call(officer_).get(), {}, &listed).ok());
  ASSERT_EQ(listed.restrictions_size(), 1);
  EXPECT_EQ(listed.restrictions(0).restriction_id(), first.restriction_id());

  auto stored = deployment_.pool().Query(
      "SELECT count(*) AS n FROM audit.requests WHERE position('Jansen'::bytea IN response) > 0");
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->Int(0, "n"), 0) << "the answer kept for retries holds the pseudonym, never the name";
}

// The audit service asks the directory whether the organisation exists for
// the officer's request: the directory logs that call under the request's id
// and trace context, so that one request is followed across both services.
TEST_F(RestrictionExactlyOnceTest, TheDirectoryLogsTheCallItGetsForARequestUnderThatRequestsTrace) {
  const std::string request_id = "officer-" + RandomUuid().substr(0, 8);
  const std::string traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  auto call = deployment_.Call(officer_);
  call->AddMetadata("x-request-id", request_id);
  call->AddMetadata("traceparent", traceparent);
  v1::Restriction restriction;
  grpc::Status status = audit_->AddRestriction(call.get(), Restrict(RandomUuid()), &restriction);
  ASSERT_TRUE(status.ok()) << status.error_message();

  EXPECT_TRUE(deployment_.directory().LoggedCall("ListTenantOrganisations", request_id, traceparent))
      << deployment_.directory().Log();
}

TEST_F(RestrictionExactlyOnceTest, TheSameRequestIdForAnotherSubjectIsAlreadyExists) {
  const std::string id = RandomUuid();
  v1::Restriction first, other;
  ASSERT_TRUE(Add(Restrict(id), &first).ok());
  v1::AddRestrictionRequest request = Restrict(id);
  request.mutable_subject()->mutable_person()->set_birth_year(1971);
  grpc::Status reused = Add(request, &other);
  EXPECT_EQ(reused.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(reused.error_message().rfind("request_id: ", 0), 0u) << reused.error_message();
  request = Restrict(id);
  request.set_reason("een andere reden");
  EXPECT_EQ(Add(request, &other).error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(Restrictions(), 1);
}

TEST_F(RestrictionExactlyOnceTest, ConcurrentRetriesAddOneRestrictionAndAllGetIt) {
  constexpr int kThreads = 8;
  const v1::AddRestrictionRequest request = Restrict(RandomUuid());
  std::vector<v1::Restriction> answers(kThreads);
  std::vector<grpc::Status> statuses(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) threads.emplace_back([&, i] { statuses[i] = Add(request, &answers[i]); });
  for (std::thread& t : threads) t.join();
  for (int i = 0; i < kThreads; ++i) {
    EXPECT_TRUE(statuses[i].ok()) << i << ": " << statuses[i].error_message();
    EXPECT_EQ(answers[i].restriction_id(), answers[0].restriction_id()) << i;
  }
  EXPECT_EQ(Restrictions(), 1);
}

TEST_F(RestrictionExactlyOnceTest, ARequestIdIsRequiredAndAUuid) {
  for (const char* id : {"", "niet-een-uuid"}) {
    v1::Restriction restriction;
    grpc::Status refused = Add(Restrict(id), &restriction);
    EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << "'" << id << "'";
    EXPECT_EQ(refused.error_message().rfind("request_id: ", 0), 0u) << refused.error_message();
  }
  EXPECT_EQ(Restrictions(), 0);
}

TEST_F(AuditEndToEndTest, InclusionAndConsistencyProofsCheckAgainstSignedTreeHeads) {
  iv1::ListCategoriesResponse categories;
  ASSERT_TRUE(signals_->ListCategories(Call(boa_, "t-proof-1").get(), {}, &categories).ok());
  AwaitRecords({"t-proof-1"});
  v1::GetTreeHeadRequest fresh;
  fresh.set_fresh(true);
  v1::SignedTreeHead first;
  ASSERT_TRUE(audit_->GetTreeHead(deployment_.Call(officer_).get(), fresh, &first).ok());
  KeyPtr key = TreeHeadKey();
  ASSERT_TRUE(VerifyTreeHead(TreeHeadFromProto(first), key.get()).ok());

  ASSERT_TRUE(signals_->ListCategories(Call(boa_, "t-proof-2").get(), {}, &categories).ok());
  AwaitRecords({"t-proof-2"});
  v1::SignedTreeHead second;
  ASSERT_TRUE(audit_->GetTreeHead(deployment_.Call(officer_).get(), fresh, &second).ok());
  ASSERT_GT(second.tree_size(), first.tree_size());

  v1::GetInclusionProofRequest inclusion;
  inclusion.set_index(first.tree_size() - 1);
  inclusion.set_tree_size(second.tree_size());
  v1::InclusionProof proof;
  ASSERT_TRUE(audit_->GetInclusionProof(deployment_.Call(officer_).get(), inclusion, &proof).ok());
  std::vector<std::string> path(proof.audit_path().begin(), proof.audit_path().end());
  EXPECT_TRUE(VerifyInclusion(LeafHash(proof.entry()), proof.index(), second.tree_size(), path,
                              second.root_hash()));
  EXPECT_FALSE(VerifyInclusion(LeafHash(proof.entry() + "x"), proof.index(), second.tree_size(), path,
                               second.root_hash()))
      << "a changed entry does not prove";

  v1::GetConsistencyProofRequest consistency;
  consistency.set_old_size(first.tree_size());
  consistency.set_new_size(second.tree_size());
  v1::ConsistencyProof extension;
  ASSERT_TRUE(audit_->GetConsistencyProof(deployment_.Call(officer_).get(), consistency, &extension).ok());
  std::vector<std::string> hashes(extension.proof().begin(), extension.proof().end());
  EXPECT_TRUE(VerifyConsistency(first.tree_size(), second.tree_size(), first.root_hash(),
                                second.root_hash(), hashes))
      << "the later tree head extends the earlier one";
}

// A page token is the caller's to send: one around an index past what the
// database counts in is refused naming it, not handed to the database.
TEST_F(AuditEndToEndTest, AQueryPageTokenPastAnyIndexIsRefusedNamingIt) {
  iv1::ListCategoriesResponse categories;
  ASSERT_TRUE(signals_->ListCategories(Call(boa_, "t-page-1").get(), {}, &categories).ok());
  ASSERT_TRUE(signals_->ListCategories(Call(boa_, "t-page-2").get(), {}, &categories).ok());
  AwaitRecords({"t-page-1", "t-page-2"});
  v1::QueryEventsRequest query;
  query.set_page_size(1);
  v1::QueryEventsResponse page;
  ASSERT_TRUE(audit_->QueryEvents(deployment_.Call(officer_).get(), query, &page).ok());
  ASSERT_FALSE(page.next_page_token().empty());
  std::optional<std::string> token = Base64UrlDecode(page.next_page_token());
  ASSERT_TRUE(token.has_value());
  nlohmann::json edited = nlohmann::json::parse(*token);
  edited["p"] = {"9223372036854775808"};  // 2^63: one past the largest bigint
  query.set_page_token(Base64UrlEncode(edited.dump()));
  grpc::Status refused = audit_->QueryEvents(deployment_.Call(officer_).get(), query, &page);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << refused.error_message();
  EXPECT_EQ(refused.error_message(), "page_token: not a token from a previous page");
}

// An ADMIN's CreateUser with a 1 MB user id used to leave a record the log
// could never store, and the directory's relay retried it forever with every
// later record (logins included) behind it.
TEST_F(AuditEndToEndTest, AnOversizedRequestIsRefusedAndTheTrailKeepsFlowing) {
  dv1::CreateUserRequest create;
  create.set_request_id(RandomUuid());
  create.mutable_user()->set_user_id(std::string(1 << 20, 'u'));
  create.mutable_user()->set_organisation_id("gemeente");
  create.mutable_user()->set_display_name("Ufo");
  create.set_password(kPassword);
  dv1::User created;
  grpc::Status refused = admin_->CreateUser(Call(admin_token_, "t-huge-user").get(), create, &created);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(refused.error_message(), "user.user_id: must be at most 128 bytes");

  dv1::LoginRequest login;
  login.set_tenant_id("heerlen");
  login.set_user_id("bart.boa");
  login.set_password(kPassword);
  dv1::TokenResponse tokens;
  ASSERT_TRUE(auth_->Login(Call("", "t-login-after").get(), login, &tokens).ok());

  auto records = AwaitRecords({"t-huge-user", "t-login-after"});
  ASSERT_TRUE(records.contains("t-huge-user")) << "the refusal is recorded";
  ASSERT_TRUE(records.contains("t-login-after")) << "the record after it arrives";
  const v1::AuditEvent& refusal = records.find("t-huge-user")->second;
  EXPECT_EQ(refusal.outcome(), v1::OUTCOME_REJECTED);
  EXPECT_LT(refusal.ByteSizeLong(), 2000u) << "nothing of the request in its record";
}

// A record the log can never accept (a sender's defect, here put straight
// into the directory's outbox) is set aside in the directory's dead_letters,
// the log records that it was, and the records behind it arrive.
TEST_F(AuditEndToEndTest, ARecordTheLogCanNeverAcceptIsSetAsideAndTheRestFlows) {
  v1::AuditEvent broken;
  broken.set_event_id("6d1f4c2e-0000-4000-8000-00000000abcd");
  broken.set_tenant_id("heerlen");
  broken.set_action(v1::ACTION_CREATE);
  broken.set_outcome(v1::OUTCOME_REJECTED);
  *broken.mutable_occurred_at() = TimeToProto(absl::Now());
  broken.mutable_object()->set_id(std::string(300000, 'x'));
  Outbox outbox("directory");
  ASSERT_TRUE(deployment_.pool().InTransaction([&](db::Transaction& tx) {
    outbox.Add(tx, kAuditTarget, {broken.event_id(), "heerlen", broken.SerializeAsString()});
    return absl::OkStatus();
  }).ok());
  // Not even parseable: refused as well.
  ASSERT_TRUE(deployment_.pool().InTransaction([&](db::Transaction& tx) {
    outbox.Add(tx, kAuditTarget, {"6d1f4c2e-0000-4000-8000-00000000abce", "heerlen", "\xff\xff\xff"});
    return absl::OkStatus();
  }).ok());

  dv1::LoginRequest login;
  login.set_tenant_id("heerlen");
  login.set_user_id("bart.boa");
  login.set_password(kPassword);
  dv1::TokenResponse tokens;
  ASSERT_TRUE(auth_->Login(Call("", "t-login-behind").get(), login, &tokens).ok());
  auto records = AwaitRecords({"t-login-behind"});
  EXPECT_TRUE(records.contains("t-login-behind")) << "the record behind the broken ones arrives";

  auto letters = outbox.DeadLetters(deployment_.pool(), "heerlen", std::nullopt, 10);
  ASSERT_TRUE(letters.ok()) << letters.status();
  ASSERT_EQ(letters->second, 2);
  std::map<std::string, std::string> reasons;
  for (const auto& letter : letters->first) reasons[letter.event_id] = letter.reason;
  EXPECT_EQ(reasons["6d1f4c2e-0000-4000-8000-00000000abcd"], "object.id: must be at most 256 bytes");
  EXPECT_EQ(reasons["6d1f4c2e-0000-4000-8000-00000000abce"], "not an AuditEvent");
  EXPECT_EQ(*outbox.Pending(deployment_.pool(), kAuditTarget), 0);

  // An admin lists them a page at a time, newest first.
  auto operations = operations::v1::OperationsService::NewStub(deployment_.Channel(deployment_.directory()));
  operations::v1::ListDeadLettersRequest list;
  list.set_page_size(1);
  std::vector<std::string> listed;
  for (int pages = 1;; ++pages) {
    operations::v1::ListDeadLettersResponse page;
    grpc::Status status = operations->ListDeadLetters(deployment_.Call(admin_token_).get(), list, &page);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(page.total(), 2);
    for (const auto& letter : page.dead_letters()) listed.push_back(letter.event_id());
    if (page.next_page_token().empty()) break;
    ASSERT_LT(pages, 2) << "two dead letters, one a page";
    list.set_page_token(page.next_page_token());
  }
  EXPECT_EQ(listed, (std::vector<std::string>{"6d1f4c2e-0000-4000-8000-00000000abce",
                                              "6d1f4c2e-0000-4000-8000-00000000abcd"}));

  // They are counted in the service's outbox status and on its metrics.
  operations::v1::GetOutboxStatusResponse status;
  ASSERT_TRUE(operations->GetOutboxStatus(deployment_.Call(admin_token_).get(), {}, &status).ok());
  ASSERT_EQ(status.outboxes_size(), 1);
  EXPECT_EQ(status.outboxes(0).target(), "audit");
  EXPECT_EQ(status.outboxes(0).dead_letters(), 2);
  std::string metrics = testing::HttpGet(deployment_.directory_metrics_port(), "/metrics");
  EXPECT_NE(metrics.find("hartslag_outbox_dead_letters{target=\"audit\"} 2"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("hartslag_database_reachable 1"), std::string::npos) << metrics;

  // The log says which records were set aside, and why.
  std::map<std::string, std::string> set_aside;
  for (absl::Time give_up = absl::Now() + absl::Seconds(30); set_aside.size() < 2 && absl::Now() < give_up;) {
    v1::QueryEventsRequest query;
    query.set_action(v1::ACTION_SET_ASIDE);
    v1::QueryEventsResponse page;
    ASSERT_TRUE(audit_->QueryEvents(deployment_.Call(officer_).get(), query, &page).ok());
    for (const auto& e : page.events()) set_aside[e.event().object().id()] = e.event().detail();
    if (set_aside.size() < 2) absl::SleepFor(absl::Milliseconds(200));
  }
  EXPECT_EQ(set_aside["6d1f4c2e-0000-4000-8000-00000000abcd"], "object.id: must be at most 256 bytes");
  EXPECT_EQ(set_aside["6d1f4c2e-0000-4000-8000-00000000abce"], "not an AuditEvent");
}

TEST_F(AuditEndToEndTest, ARecordOnlyTheDatabaseRefusesIsSetAsideAloneAndItsBatchIsStored) {
  // Three records that reach the log in one call; the middle one passes
  // every check of the service, but PostgreSQL takes no NUL in text.
  auto record = [](const std::string& event_id, const std::string& trace, const std::string& object_id) {
    v1::AuditEvent e;
    e.set_event_id(event_id);
    e.set_tenant_id("heerlen");
    e.set_action(v1::ACTION_READ);
    e.set_outcome(v1::OUTCOME_SUCCESS);
    *e.mutable_occurred_at() = TimeToProto(absl::Now());
    e.mutable_object()->set_type("signal");
    e.mutable_object()->set_id(object_id);
    e.set_trace_id(trace);
    return e;
  };
  const std::vector<v1::AuditEvent> batch = {
      record("6d1f4c2e-0000-4000-8000-00000000ac01", "t-batch-first", "s-1"),
      record("6d1f4c2e-0000-4000-8000-00000000ac02", "t-batch-nul", std::string("s-\0-2", 5)),
      record("6d1f4c2e-0000-4000-8000-00000000ac03", "t-batch-last", "s-3")};
  Outbox outbox("directory");
  ASSERT_TRUE(deployment_.pool().InTransaction([&](db::Transaction& tx) {
    for (const v1::AuditEvent& e : batch) outbox.Add(tx, kAuditTarget, {e.event_id(), "heerlen", e.SerializeAsString()});
    return absl::OkStatus();
  }).ok());

  auto records = AwaitRecords({"t-batch-first", "t-batch-last"});
  EXPECT_EQ(records.count("t-batch-first"), 1u);
  EXPECT_EQ(records.count("t-batch-last"), 1u);
  EXPECT_EQ(records.count("t-batch-nul"), 0u);
  // The relay sets the refused one aside once it has the answer, which
  // follows the commit of the other two.
  auto letters = outbox.DeadLetters(deployment_.pool(), "heerlen", std::nullopt, 10);
  for (absl::Time give_up = absl::Now() + absl::Seconds(30);
       letters.ok() && letters->second == 0 && absl::Now() < give_up;) {
    absl::SleepFor(absl::Milliseconds(100));
    letters = outbox.DeadLetters(deployment_.pool(), "heerlen", std::nullopt, 10);
  }
  ASSERT_TRUE(letters.ok()) << letters.status();
  ASSERT_EQ(letters->second, 1);
  EXPECT_EQ(letters->first[0].event_id, "6d1f4c2e-0000-4000-8000-00000000ac02");
  EXPECT_EQ(letters->first[0].reason, "the log cannot store it (INVALID_ARGUMENT)");
  EXPECT_EQ(*outbox.Pending(deployment_.pool(), kAuditTarget), 0);
}

// One unary call of `method` with `bytes` as its request, as a client with
// a broken encoder would send it.
grpc::Status RawCall(const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext* call,
                     const std::string& method, const std::string& bytes) {
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue queue;
  grpc::Slice slice(bytes);
  grpc::ByteBuffer request(&slice, 1), response;
  auto rpc = stub.PrepareUnaryCall(call, method, request, &queue);
  rpc->StartCall();
  grpc::Status status;
  rpc->Finish(&response, &status, reinterpret_cast<void*>(1));
  void* tag = nullptr;
  bool ok = false;
  queue.Next(&tag, &ok);
  return status;
}

// Bytes that are no request (or a string that is not UTF-8) were answered
// UNIMPLEMENTED without a word, and neither logged nor audited.
TEST_F(AuditEndToEndTest, ARequestThatDoesNotParseIsRefusedSayingWhyAndRecorded) {
  iv1::SubmitSignalRequest not_utf8 = SignalAboutJan();
  not_utf8.set_description("Matrassen naast de container \xff\xfe");
  std::string bytes;
  not_utf8.AppendPartialToString(&bytes);
  for (const auto& [trace, payload] : {std::pair<std::string, std::string>{"t-garbage", "\xff\xff\xff\xff"},
                                       std::pair<std::string, std::string>{"t-not-utf8", bytes}}) {
    grpc::Status status = RawCall(deployment_.Channel(deployment_.intake()), Call(boa_, trace).get(),
                                  "/hartslag.intake.v1.SignalService/SubmitSignal", payload);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << trace;
    EXPECT_EQ(status.error_message().rfind("request: does not parse", 0), 0u) << status.error_message();
  }
  auto records = AwaitRecords({"t-garbage", "t-not-utf8"});
  for (const std::string trace : {"t-garbage", "t-not-utf8"}) {
    ASSERT_TRUE(records.contains(trace)) << trace;
    const v1::AuditEvent& refused = records.find(trace)->second;
    EXPECT_EQ(refused.outcome(), v1::OUTCOME_REJECTED);
    EXPECT_EQ(refused.actor().user_id(), "bart.boa");
    EXPECT_EQ(refused.origin().rpc(), "SubmitSignal");
  }
  iv1::ListSignalsResponse list;
  ASSERT_TRUE(signals_->ListSignals(Call(coordinator_, "t-after-garbage").get(), {}, &list).ok());
  EXPECT_EQ(list.signals_size(), 0) << "nothing stored";
}

}  // namespace
}  // namespace hartslag::audit
