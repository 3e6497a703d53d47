// The role matrix, executable: every RPC of every service, called by every
// role, from its own or another organisation, area and tenant, against real
// processes. A new RPC fails RoleMatrixTest.EveryRpcHasARow until it gets one.
//
// Outcomes:
//   Allowed - the call does its work on the target (Heerlen's data)
//   Hidden  - the call is accepted but the target does not exist for the
//             caller: NOT_FOUND, an empty list, or the caller's own tenant
//   Denied  - PERMISSION_DENIED: the role may not call this RPC at all
#include <gtest/gtest.h>

#include <functional>
#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "hartslag/audit/v1/audit.grpc.pb.h"
#include "hartslag/cases/v1/cases.grpc.pb.h"
#include "hartslag/cases/v1/figures.grpc.pb.h"
#include "hartslag/directory/v1/directory.grpc.pb.h"
#include "hartslag/intake/v1/figures.grpc.pb.h"
#include "hartslag/intake/v1/intake.grpc.pb.h"
#include "hartslag/operations/v1/operations.grpc.pb.h"
#include "libs/audit_verify/merkle.h"
#include "services/common/crypto.h"
#include "services/common/files.h"
#include "services/common/pseudonym.h"
#include "services/directory/password.h"
#include "tests/support/deployment.h"
#include "tests/support/sample_signal.h"
#include "tests/support/test_keys.h"

namespace hartslag {
namespace {

enum class Outcome { kAllowed, kHidden, kDenied, kUnexpected };
constexpr Outcome A = Outcome::kAllowed, H = Outcome::kHidden, D = Outcome::kDenied;

const char* Name(Outcome o) {
  switch (o) {
    case Outcome::kAllowed: return "Allowed";
    case Outcome::kHidden: return "Hidden";
    case Outcome::kDenied: return "Denied";
    case Outcome::kUnexpected: return "Unexpected";
  }
  return "?";
}

// One role's answer on one RPC: for the caller of the target's own
// organisation, area and tenant, and when one of those differs. An RPC is
// named by its method, or "Service_Method" where two services share a
// method name (AllRpcs).
struct Row {
  const char* rpc;
  Role role;
  Outcome own, other_org, other_area, other_tenant;
  // The other organisation's outcome holds in the target's area only (a
  // coordinator works her organisation's actions on cases she may see).
  bool other_org_in_area_only = false;
};

constexpr Role R = Role::kReporter, C = Role::kCoordinator, P = Role::kPartner,
               O = Role::kPrivacyOfficer, AD = Role::kAdmin;

// clang-format off
const Row kMatrix[] = {
    // intake: signals
    {"SubmitSignal", R, A, A, A, H}, {"SubmitSignal", C, D, D, D, D}, {"SubmitSignal", P, D, D, D, D},
    {"SubmitSignal", O, D, D, D, D}, {"SubmitSignal", AD, D, D, D, D},
    {"GetSignal", R, A, H, A, H}, {"GetSignal", C, A, A, H, H}, {"GetSignal", P, D, D, D, D},
    {"GetSignal", O, D, D, D, D}, {"GetSignal", AD, D, D, D, D},
    {"ListSignals", R, A, H, A, H}, {"ListSignals", C, A, A, H, H}, {"ListSignals", P, D, D, D, D},
    {"ListSignals", O, D, D, D, D}, {"ListSignals", AD, D, D, D, D},
    {"ListCategories", R, A, A, A, A}, {"ListCategories", C, A, A, A, A},
    {"ListCategories", P, D, D, D, D}, {"ListCategories", O, D, D, D, D},
    {"ListCategories", AD, D, D, D, D},
    {"SignalService_ListAreas", R, A, A, H, H}, {"SignalService_ListAreas", C, A, A, H, H},
    {"SignalService_ListAreas", P, D, D, D, D}, {"SignalService_ListAreas", O, D, D, D, D},
    {"SignalService_ListAreas", AD, D, D, D, D},
    // intake: figures without personal data, a coordinator its areas, an
    // admin the whole municipality
    {"GetSignalFigures", R, D, D, D, D}, {"GetSignalFigures", C, A, A, H, H},
    {"GetSignalFigures", P, D, D, D, D}, {"GetSignalFigures", O, D, D, D, D},
    {"GetSignalFigures", AD, A, A, A, H},
    // Only who submitted a signal attaches to it; reading follows the
    // signal's details (the target is a colleague's: status only for the
    // reporter's organisation).
    {"UploadAttachment", R, A, A, A, H}, {"UploadAttachment", C, D, D, D, D}, {"UploadAttachment", P, D, D, D, D},
    {"UploadAttachment", O, D, D, D, D}, {"UploadAttachment", AD, D, D, D, D},
    {"ReadAttachment", R, H, H, H, H}, {"ReadAttachment", C, A, A, H, H}, {"ReadAttachment", P, D, D, D, D},
    {"ReadAttachment", O, D, D, D, D}, {"ReadAttachment", AD, D, D, D, D},
    // directory: tokens (open: the request carries its own credential)
    {"Login", R, A, A, A, A}, {"Login", C, A, A, A, A}, {"Login", P, A, A, A, A},
    {"Login", O, A, A, A, A}, {"Login", AD, A, A, A, A},
    {"RefreshToken", R, A, A, A, A}, {"RefreshToken", C, A, A, A, A},
    {"RefreshToken", P, A, A, A, A}, {"RefreshToken", O, A, A, A, A},
    {"RefreshToken", AD, A, A, A, A},
    {"IssueClientToken", R, A, A, A, A}, {"IssueClientToken", C, A, A, A, A},
    {"IssueClientToken", P, A, A, A, A}, {"IssueClientToken", O, A, A, A, A},
    {"IssueClientToken", AD, A, A, A, A},
    {"Logout", R, A, A, A, A}, {"Logout", C, A, A, A, A}, {"Logout", P, A, A, A, A},
    {"Logout", O, A, A, A, A}, {"Logout", AD, A, A, A, A},
    // directory: the organisations by name, for every role of the tenant
    {"ListOrganisations", R, A, A, A, H}, {"ListOrganisations", C, A, A, A, H},
    {"ListOrganisations", P, A, A, A, H}, {"ListOrganisations", O, A, A, A, H},
    {"ListOrganisations", AD, A, A, A, H},
    // every service: the transport probe, no data, for every role
    {"Ping", R, A, A, A, A}, {"Ping", C, A, A, A, A}, {"Ping", P, A, A, A, A},
    {"Ping", O, A, A, A, A}, {"Ping", AD, A, A, A, A},
};
// clang-format on

// Calls for other Hartslag services: never for a user, whatever the role.
const char* const kServiceRpcs[] = {"ListTenants", "ListTenantAreas", "ListTenantOrganisations", "ListTenantUsers", "Append",
                                    "ListUntriagedSignals", "RecordTriageOutcomes", "RecordCaseStates"};

// The audit log: PRIVACY_OFFICER only, on its own tenant's log, whatever its
// organisation or area.
// Cases: coordinators of the case's area (the target is INTERN), partners of
// a participating organisation (the target's is the "other" one).
// clang-format off
const Row kCaseMatrix[] = {
    {"GetTriageQueue", C, A, A, H, H},
    {"TriageSignal", C, A, A, H, H},
    {"OpenCase", C, A, A, D, D},
    {"GetCase", C, A, A, H, H}, {"GetCase", P, H, A, H, H},
    {"ListNotes", C, A, A, H, H}, {"ListNotes", P, H, A, H, H},
    {"ListCases", C, A, A, H, H}, {"ListCases", P, H, A, H, H},
    {"TransitionCase", C, A, A, H, H},
    {"ReopenCase", C, A, A, H, H},
    {"UpdateCase", C, A, A, H, H},
    {"AddNote", C, A, A, H, H}, {"AddNote", P, H, A, H, H},
    {"CreateAction", C, A, A, H, H},
    {"ListActions", C, A, A, H, H}, {"ListActions", P, H, A, H, H},
    {"UpdateAction", C, A, A, H, H}, {"UpdateAction", P, H, A, H, H},
    {"WatchActions", C, H, A, H, H, /*other_org_in_area_only=*/true}, {"WatchActions", P, H, A, H, H},
    {"ScheduleMeetings", C, A, A, D, D},
    {"ListMeetings", C, A, A, H, H}, {"ListMeetings", P, H, A, H, H},
    {"GetMeeting", C, A, A, H, H}, {"GetMeeting", P, H, A, H, H},
    {"ExportMeeting", C, A, A, H, H}, {"ExportMeeting", P, H, A, H, H},
    {"EditAgenda", C, A, A, H, H},
    {"DecideItem", C, A, A, H, H},
    {"CloseMeeting", C, A, A, H, H},
    {"CorrectMinutes", C, A, A, H, H},
    {"SetAttendance", C, A, A, H, H},
    {"ApproveMinutes", C, A, A, H, H},
    {"ListBreakGlassReviews", O, A, A, A, H},
    {"CompleteBreakGlassReview", O, A, A, A, H},
    {"GetCaseFigures", C, A, A, H, H}, {"GetCaseFigures", AD, A, A, A, H},
};
// clang-format on

const char* const kPrivacyOfficerRpcs[] = {
    "GetTreeHead", "GetInclusionProof", "GetConsistencyProof", "ExportLog", "QueryEvents",
    "GetAccessOverview", "AddRestriction", "LiftRestriction", "ListRestrictions"};

// Directory administration, and every service's operations (asked of all
// four): ADMIN only, within its own tenant.
const char* const kAdminRpcs[] = {"CreateArea", "UpdateArea", "DirectoryService_ListAreas",
                                  "CreateOrganisation", "UpdateOrganisation",
                                  "CreateUser", "UpdateUser", "ListUsers", "CreateIntegratedClient",
                                  "UpdateIntegratedClient", "ListIntegratedClients", "GetTenant", "UpdateTenantSettings",
                                  "ListCategoryDefinitions", "CreateCategory", "UpdateCategory", "RetireCategory",
                                  "ReorderCategories",
                                  "ListDeadLetters", "GetOutboxStatus"};

std::vector<Row> Matrix() {
  std::vector<Row> rows(std::begin(kMatrix), std::end(kMatrix));
  for (const char* rpc : kAdminRpcs) {
    rows.push_back({rpc, AD, A, A, A, H});
    for (Role role : {R, C, P, O}) rows.push_back({rpc, role, D, D, D, D});
  }
  for (const char* rpc : kServiceRpcs) {
    for (Role role : {R, C, P, O, AD}) rows.push_back({rpc, role, D, D, D, D});
  }
  for (const char* rpc : kPrivacyOfficerRpcs) {
    rows.push_back({rpc, O, A, A, A, H});
    for (Role role : {R, C, P, AD}) rows.push_back({rpc, role, D, D, D, D});
  }
  // Every role without a line in kCaseMatrix is denied.
  for (const Row& row : kCaseMatrix) {
    rows.push_back(row);
    bool first = true;
    for (const Row& other : kCaseMatrix) {
      if (std::string(other.rpc) == row.rpc && &other < &row) first = false;
    }
    if (!first) continue;
    for (Role role : {R, C, P, O, AD}) {
      bool listed = false;
      for (const Row& other : kCaseMatrix) {
        listed = listed || (std::string(other.rpc) == row.rpc && other.role == role);
      }
      if (!listed) rows.push_back({row.rpc, role, D, D, D, D});
    }
  }
  return rows;
}

Outcome Expected(const Row& row, bool own_org, bool own_area, bool own_tenant) {
  if (!own_tenant) return row.other_tenant;
  if (!own_org && row.other_org != row.own && (own_area || !row.other_org_in_area_only)) return row.other_org;
  if (!own_area) return row.other_area;
  return row.own;
}

constexpr char kPassword[] = "lang-genoeg-wachtwoord";
constexpr char kClientUri[] = "spiffe://hartslag/heerlen/client/politie-bvh";

class RoleMatrixTest : public ::testing::TestWithParam<std::string> {
 protected:
  using Probe = std::function<Outcome(const std::string& token)>;

  RoleMatrixTest() {
    namespace dv1 = directory::v1;
    auto& dir = deployment_.directory_store();
    for (const char* tenant : {"heerlen", "maastricht"}) {
      EXPECT_TRUE(dir.CreateTenant(tenant, tenant).ok());
      Organisation(tenant, "straatcoaches", common::v1::ORGANISATION_KIND_MUNICIPALITY);
    }
    Organisation("heerlen", "woonpunt", common::v1::ORGANISATION_KIND_HOUSING);
    dv1::Area area;
    area.set_area_id("heerlen-noord");
    area.set_name("Heerlen-Noord");
    EXPECT_TRUE(dir.CreateArea("heerlen", area, testing::Unaudited()).ok());
    dv1::User user;
    user.set_user_id("target.user");
    user.set_organisation_id("straatcoaches");
    user.set_display_name("Target");
    user.add_roles("REPORTER");
    EXPECT_TRUE(dir.CreateUser("heerlen", user, *directory::HashPassword(kPassword), testing::Unaudited()).ok());
    dv1::IntegratedClient client;
    client.set_client_id("target-client");
    client.set_organisation_id("straatcoaches");
    client.set_certificate_uri(kClientUri);
    EXPECT_TRUE(dir.CreateClient("heerlen", client, testing::Unaudited()).ok());

    auto& intake = deployment_.intake_store();
    EXPECT_TRUE(intake.CreateTenant("heerlen", "", {{"heerlen-zuid", "", "Heerlen-Zuid"}}).ok());
    EXPECT_TRUE(intake.CreateTenant("maastricht", "Maastricht", {{"malberg", "", "Malberg"}}).ok());

    signals_ = intake::v1::SignalService::NewStub(deployment_.Channel(deployment_.intake()));
    auth_ = dv1::AuthService::NewStub(deployment_.Channel(deployment_.directory()));
    client_auth_ = dv1::AuthService::NewStub(
        deployment_.Channel(deployment_.directory(), "politie-bvh"));
    admin_ = dv1::DirectoryService::NewStub(deployment_.Channel(deployment_.directory()));
    lookup_ = dv1::LookupService::NewStub(deployment_.Channel(deployment_.directory()));

    // The target signal: submitted by a colleague of the "own" organisation.
    intake::v1::SubmitSignalResponse submitted;
    std::string colleague = deployment_.Token(testing::ClaimsFor(
        "colleague", "straatcoaches", "MUNICIPALITY", {"REPORTER"}, {"heerlen-noord"}));
    EXPECT_TRUE(signals_->SubmitSignal(deployment_.Call(colleague).get(), testing::SampleSignal(),
                                       &submitted).ok());
    reference_ = submitted.signal().reference();
    signal_id_ = submitted.signal().signal_id();
    // ...with a document the colleague attached.
    intake::v1::UploadAttachmentRequest upload = Document(signal_id_);
    intake::v1::UploadAttachmentResponse uploaded;
    EXPECT_TRUE(signals_->UploadAttachment(deployment_.Call(colleague).get(), upload, &uploaded).ok());
    attachment_id_ = uploaded.attachment().attachment_id();

    // Its audit record in Heerlen's log is the target of the audit RPCs.
    audit_ = audit::v1::AuditService::NewStub(deployment_.Channel(deployment_.audit()));
    absl::Time give_up = absl::Now() + absl::Seconds(20);
    while (target_index_ < 0 && absl::Now() < give_up) {
      audit::EventQuery query;
      query.log_id = "heerlen";
      query.object_id = signal_id_;
      auto found = deployment_.audit_store().Query(query, absl::InfiniteFuture());
      if (found.ok() && !found->empty()) target_index_ = static_cast<int64_t>(found->back().index);
      else absl::SleepFor(absl::Milliseconds(50));
    }
    EXPECT_GE(target_index_, 0) << "the submission's audit record did not arrive";
    // One more record after it, so that proofs over the target need hashes
    // of Heerlen's log.
    intake::v1::ListCategoriesResponse categories;
    EXPECT_TRUE(signals_->ListCategories(deployment_.Call(colleague).get(), {}, &categories).ok());
    while (*deployment_.audit_store().Size("heerlen") < static_cast<uint64_t>(target_index_) + 2 &&
           absl::Now() < give_up) {
      absl::SleepFor(absl::Milliseconds(50));
    }
    pseudonyms_ = std::make_unique<Pseudonymizer>(
        *Pseudonymizer::FromFile(testing::CertsDir() + "/pseudonym.key"));

    cases_ = cases::v1::CaseService::NewStub(deployment_.Channel(deployment_.cases()));
    triage_ = cases::v1::TriageService::NewStub(deployment_.Channel(deployment_.cases()));
    actions_ = cases::v1::ActionService::NewStub(deployment_.Channel(deployment_.cases()));
    meetings_ = cases::v1::MeetingService::NewStub(deployment_.Channel(deployment_.cases()));
    triage_feed_ = intake::v1::TriageFeedService::NewStub(deployment_.Channel(deployment_.intake()));
    signal_figures_ = intake::v1::SignalFiguresService::NewStub(deployment_.Channel(deployment_.intake()));
    case_figures_ = cases::v1::CaseFiguresService::NewStub(deployment_.Channel(deployment_.cases()));
    category_admin_ = intake::v1::CategoryService::NewStub(deployment_.Channel(deployment_.intake()));
    for (const auto* service : {&deployment_.intake(), &deployment_.directory(), &deployment_.cases(),
                                &deployment_.audit()}) {
      operations_.push_back(operations::v1::OperationsService::NewStub(deployment_.Channel(*service)));
    }
    // The target of the operations RPCs: a dead letter of Heerlen's in every
    // service's outbox, set aside as the relay would.
    for (const char* schema : {"intake", "directory", "cases", "audit"}) {
      EXPECT_TRUE(deployment_.pool()
                      .Query(absl::StrCat("INSERT INTO ", schema,
                                          ".dead_letters (seq, target, tenant_id, event_id, payload, "
                                          "created_at, reason) VALUES (1000000000, 'audit', 'heerlen', "
                                          "$1, '\\x00', now(), 'matrix')"),
                             {dead_letter_})
                      .ok());
    }
    target_case_ = NewCase(cases::v1::CASE_STATUS_REGISTERED);
    opener_.tenant = "heerlen";
    EXPECT_TRUE(deployment_.SeedBreakGlass(opener_, target_case_, "matrix").ok());
  }

  // A case in Vrieheide, INTERN, in which woonpunt (the "other"
  // organisation) takes part, made directly in the store.
  std::string NewCase(cases::v1::CaseStatus status) {
    opener_.tenant = "heerlen";
    opener_.user = "opener";
    opener_.organisation = "gemeente";
    cases::v1::Case c;
    c.set_kind(cases::v1::CASE_KIND_LEEFBAARHEID);
    c.set_title("Overlastpand");
    c.mutable_area()->set_area_id("vrieheide");
    c.set_process_coordinator("opener");
    c.add_participating_organisations("woonpunt");
    c.set_confidentiality(cases::v1::CONFIDENTIALITY_INTERN);
    auto opened = deployment_.SeedCase(opener_, c);
    EXPECT_TRUE(opened.ok()) << opened.status();
    if (status != cases::v1::CASE_STATUS_REGISTERED) {
      EXPECT_TRUE(deployment_
                      .SeedCaseChange(opener_, opened->case_id(),
                                      [status](cases::v1::Case& changed) { changed.set_status(status); })
                      .ok());
    }
    return opened->case_id();
  }

  std::unique_ptr<grpc::ClientContext> CaseCall(const std::string& token,
                                                const std::string& purpose = "CASE_MANAGEMENT") {
    auto call = deployment_.Call(token);
    call->AddMetadata("x-hartslag-purpose", purpose);
    return call;
  }

  // A new OPEN action on the target case for woonpunt (the "other" organisation).
  std::string NewAction() {
    cases::v1::Action a;
    a.set_action_id(RandomUuid());
    a.set_case_id(target_case_);
    a.set_description("matrix");
    a.add_organisation_ids("woonpunt");
    a.set_due_date("2099-01-01");
    a.set_status(cases::v1::ACTION_STATUS_OPEN);
    absl::Status created = deployment_.SeedAction(opener_, a);
    EXPECT_TRUE(created.ok()) << created;
    return a.action_id();
  }

  // A new meeting in Vrieheide in which woonpunt takes part, with the
  // target case on its agenda; made directly in the store.
  std::string NewMeeting(cases::v1::MeetingStatus status = cases::v1::MEETING_STATUS_SCHEDULED,
                         absl::Duration later = absl::ZeroDuration()) {
    cases::v1::Meeting m;
    m.set_meeting_id(RandomUuid());
    m.set_kind(cases::v1::CASE_KIND_LEEFBAARHEID);
    m.mutable_area()->set_area_id("vrieheide");
    m.mutable_starts_at()->set_seconds(absl::ToUnixSeconds(absl::Now() + absl::Hours(24) + later));
    m.add_participating_organisations("woonpunt");
    m.set_status(status);
    cases::v1::AgendaItem* item = m.add_items();
    item->set_item_id(RandomUuid());
    item->set_case_id(target_case_);
    EXPECT_TRUE(deployment_.SeedMeeting("heerlen", m).ok());
    return m.meeting_id();
  }

  // A new signal in Vrieheide, submitted by a colleague of the "own" organisation.
  // A whole (one-chunk) upload of a small PDF to `signal_id`.
  static intake::v1::UploadAttachmentRequest Document(const std::string& signal_id) {
    intake::v1::UploadAttachmentRequest upload;
    upload.set_signal_id(signal_id);
    upload.set_upload_id(RandomUuid());
    upload.set_file_name("brief.pdf");
    upload.set_data("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n");
    upload.set_last(true);
    return upload;
  }

  std::string NewSignal() {
    intake::v1::SubmitSignalResponse submitted;
    std::string colleague = deployment_.Token(testing::ClaimsFor(
        "colleague", "straatcoaches", "MUNICIPALITY", {"REPORTER"}, {"heerlen-noord"}));
    EXPECT_TRUE(signals_->SubmitSignal(deployment_.Call(colleague).get(), testing::SampleSignal(),
                                       &submitted).ok());
    return submitted.signal().signal_id();
  }

  // A restriction in Heerlen's log, made directly in the store.
  std::string NewRestriction() {
    audit::v1::Restriction r;
    r.set_restriction_id(RandomUuid());
    r.set_subject(pseudonyms_->Address(testing::SampleSignal().location().address()));
    r.set_reason("matrix");
    r.set_review_date("2099-01-01");
    r.set_created_by("privacy.officer");
    EXPECT_TRUE(deployment_.audit_store().AddRestriction("heerlen", r, testing::Unaudited()).ok());
    return r.restriction_id();
  }

  // True if `entry` is the target signal's audit record.
  bool IsTargetRecord(const std::string& entry) {
    audit::v1::AuditEvent e;
    return e.ParseFromString(entry) && e.object().id() == signal_id_;
  }

  void Organisation(const std::string& tenant, const std::string& id,
                    common::v1::OrganisationKind kind) {
    directory::v1::Organisation org;
    org.set_organisation_id(id);
    org.set_name(id);
    org.set_kind(kind);
    EXPECT_TRUE(deployment_.directory_store().CreateOrganisation(tenant, org, testing::Unaudited()).ok());
  }

  // Maps a status to Denied, Hidden (NOT_FOUND, INVALID_ARGUMENT for
  // something unknown in the caller's tenant) or, for OK, `on_ok()`.
  static Outcome Classify(const grpc::Status& status, const std::function<Outcome()>& on_ok) {
    switch (status.error_code()) {
      case grpc::StatusCode::OK: return on_ok();
      case grpc::StatusCode::PERMISSION_DENIED: return D;
      case grpc::StatusCode::NOT_FOUND:
      case grpc::StatusCode::INVALID_ARGUMENT:
      case grpc::StatusCode::OUT_OF_RANGE: return H;
      default:
        ADD_FAILURE() << "unexpected status " << status.error_code() << ": " << status.error_message();
        return Outcome::kUnexpected;
    }
  }

  std::string Unique(const std::string& prefix) { return prefix + "-" + HexEncode(RandomBytes(4)); }

  Probe ProbeFor(const std::string& rpc);

  testing::Deployment deployment_;
  std::unique_ptr<intake::v1::SignalService::Stub> signals_;
  std::unique_ptr<directory::v1::AuthService::Stub> auth_, client_auth_;
  std::unique_ptr<directory::v1::DirectoryService::Stub> admin_;
  std::unique_ptr<directory::v1::LookupService::Stub> lookup_;
  std::unique_ptr<audit::v1::AuditService::Stub> audit_;
  std::unique_ptr<cases::v1::CaseService::Stub> cases_;
  std::unique_ptr<cases::v1::TriageService::Stub> triage_;
  std::unique_ptr<cases::v1::ActionService::Stub> actions_;
  std::unique_ptr<cases::v1::MeetingService::Stub> meetings_;
  std::unique_ptr<intake::v1::TriageFeedService::Stub> triage_feed_;
  std::unique_ptr<intake::v1::SignalFiguresService::Stub> signal_figures_;
  std::unique_ptr<cases::v1::CaseFiguresService::Stub> case_figures_;
  std::unique_ptr<intake::v1::CategoryService::Stub> category_admin_;
  std::vector<std::unique_ptr<operations::v1::OperationsService::Stub>> operations_;
  std::unique_ptr<Pseudonymizer> pseudonyms_;
  const std::string dead_letter_ = RandomUuid();
  RequestContext opener_;
  std::string target_case_;
  std::string reference_;
  std::string signal_id_;
  std::string attachment_id_;
  int64_t target_index_ = -1;
};

RoleMatrixTest::Probe RoleMatrixTest::ProbeFor(const std::string& rpc) {
  namespace dv1 = directory::v1;
  namespace iv1 = intake::v1;
  auto& d = deployment_;
  auto in_heerlen = [](bool present) { return present ? A : H; };
  if (rpc == "SubmitSignal") return [&](const std::string& t) {
    iv1::SubmitSignalResponse r;
    return Classify(signals_->SubmitSignal(d.Call(t).get(), testing::SampleSignal(), &r), [] { return A; });
  };
  if (rpc == "GetSignal") return [&](const std::string& t) {
    iv1::GetSignalRequest q;
    q.set_reference(reference_);
    iv1::Signal r;
    return Classify(signals_->GetSignal(d.Call(t).get(), q, &r), [] { return A; });
  };
  if (rpc == "ListSignals") return [&](const std::string& t) {
    iv1::ListSignalsResponse r;
    return Classify(signals_->ListSignals(d.Call(t).get(), {}, &r), [&] {
      for (const auto& s : r.signals()) if (s.reference() == reference_) return A;
      return H;
    });
  };
  if (rpc == "ListCategories") return [&](const std::string& t) {
    iv1::ListCategoriesResponse r;
    return Classify(signals_->ListCategories(d.Call(t).get(), {}, &r),
                    [&] { return r.categories_size() > 0 ? A : H; });
  };
  if (rpc == "UploadAttachment") return [&](const std::string& t) {
    // To a signal of the caller's own where it may submit one, else to the target.
    iv1::SubmitSignalResponse own;
    bool submitted = signals_->SubmitSignal(d.Call(t).get(), testing::SampleSignal(), &own).ok();
    iv1::UploadAttachmentResponse r;
    return Classify(
        signals_->UploadAttachment(d.Call(t).get(), Document(submitted ? own.signal().signal_id() : signal_id_), &r),
        [&] { return r.attachment().attachment_id().empty() ? Outcome::kUnexpected : A; });
  };
  if (rpc == "ReadAttachment") return [&](const std::string& t) {
    iv1::ReadAttachmentRequest q;
    q.set_signal_id(signal_id_);
    q.set_attachment_id(attachment_id_);
    iv1::ReadAttachmentResponse r;
    return Classify(signals_->ReadAttachment(d.Call(t).get(), q, &r),
                    [&] { return absl::StartsWith(r.data(), "%PDF-1.4") ? A : Outcome::kUnexpected; });
  };
  if (rpc == "SignalService_ListAreas") return [&](const std::string& t) {
    iv1::ListAreasResponse r;
    return Classify(signals_->ListAreas(d.Call(t).get(), {}, &r), [&] {
      for (const auto& a : r.areas()) if (a.area_id() == "heerlen-noord") return A;
      return H;
    });
  };
  if (rpc == "Login") return [&](const std::string& t) {
    dv1::LoginRequest q;
    q.set_tenant_id("heerlen");
    q.set_user_id("target.user");
    q.set_password(kPassword);
    dv1::TokenResponse r;
    return Classify(auth_->Login(d.Call(t).get(), q, &r), [] { return A; });
  };
  // A new session of the target user: its tokens.
  auto target_session = [&] {
    dv1::LoginRequest login;
    login.set_tenant_id("heerlen");
    login.set_user_id("target.user");
    login.set_password(kPassword);
    dv1::TokenResponse tokens;
    EXPECT_TRUE(auth_->Login(d.Call().get(), login, &tokens).ok());
    return tokens;
  };
  if (rpc == "RefreshToken") return [&, target_session](const std::string& t) {
    dv1::TokenResponse first = target_session(), r;
    dv1::RefreshTokenRequest q;
    q.set_refresh_token(first.refresh_token());
    return Classify(auth_->RefreshToken(d.Call(t).get(), q, &r), [] { return A; });
  };
  // Allowed: the session's refresh token no longer works.
  if (rpc == "Logout") return [&, target_session](const std::string& t) {
    dv1::TokenResponse first = target_session(), r;
    dv1::LogoutRequest q;
    q.set_refresh_token(first.refresh_token());
    dv1::LogoutResponse out;
    return Classify(auth_->Logout(d.Call(t).get(), q, &out), [&] {
      dv1::RefreshTokenRequest refresh;
      refresh.set_refresh_token(first.refresh_token());
      bool revoked = auth_->RefreshToken(d.Call().get(), refresh, &r).error_code() ==
                     grpc::StatusCode::UNAUTHENTICATED;
      return revoked ? A : Outcome::kUnexpected;
    });
  };
  if (rpc == "IssueClientToken") return [&](const std::string& t) {
    dv1::IssueClientTokenRequest q;
    q.set_user_id("target.user");
    dv1::TokenResponse r;
    return Classify(client_auth_->IssueClientToken(d.Call(t).get(), q, &r), [] { return A; });
  };
  if (rpc == "ListTenants") return [&](const std::string& t) {
    dv1::ListTenantsResponse r;
    return Classify(lookup_->ListTenants(d.Call(t).get(), {}, &r), [] { return A; });
  };
  if (rpc == "ListTenantAreas") return [&](const std::string& t) {
    dv1::ListTenantAreasRequest q;
    q.set_tenant_id("heerlen");
    dv1::ListAreasResponse r;
    return Classify(lookup_->ListTenantAreas(d.Call(t).get(), q, &r), [] { return A; });
  };
  if (rpc == "ListTenantOrganisations") return [&](const std::string& t) {
    dv1::ListTenantOrganisationsRequest q;
    q.set_tenant_id("heerlen");
    dv1::ListOrganisationsResponse r;
    return Classify(lookup_->ListTenantOrganisations(d.Call(t).get(), q, &r), [] { return A; });
  };
  if (rpc == "ListTenantUsers") return [&](const std::string& t) {
    dv1::ListTenantUsersRequest q;
    q.set_tenant_id("heerlen");
    dv1::ListTenantUsersResponse r;
    return Classify(lookup_->ListTenantUsers(d.Call(t).get(), q, &r), [] { return A; });
  };
  if (rpc == "CreateArea") return [&](const std::string& t) {
    dv1::CreateAreaRequest q;
    q.set_request_id(RandomUuid());
    q.mutable_area()->set_area_id(Unique("area"));
    q.mutable_area()->set_name("Nieuw");
    dv1::Area r;
    return Classify(admin_->CreateArea(d.Call(t).get(), q, &r), [&] {
      auto areas = d.directory_store().ListAreas("heerlen", std::nullopt, 10000);
      for (const auto& a : *areas) {
        if (a.area.area_id() == q.area().area_id()) return A;
      }
      return H;
    });
  };
  if (rpc == "UpdateArea") return [&](const std::string& t) {
    dv1::UpdateAreaRequest q;
    q.set_area_id("heerlen-noord");
    q.set_name("Heerlen-Noord");
    q.mutable_update_mask()->add_paths("name");
    dv1::Area r;
    return Classify(admin_->UpdateArea(d.Call(t).get(), q, &r), [] { return A; });
  };
  if (rpc == "UpdateOrganisation") return [&](const std::string& t) {
    dv1::UpdateOrganisationRequest q;
    q.set_organisation_id("woonpunt");
    q.set_name("Woonpunt");
    q.mutable_update_mask()->add_paths("name");
    dv1::Organisation r;
    return Classify(admin_->UpdateOrganisation(d.Call(t).get(), q, &r), [] { return A; });
  };
  if (rpc == "DirectoryService_ListAreas") return [&](const std::string& t) {
    dv1::ListAreasResponse r;
    return Classify(admin_->ListAreas(d.Call(t).get(), {}, &r), [&] {
      for (const auto& a : r.areas()) if (a.area_id() == "heerlen-noord") return A;
      return H;
    });
  };
  if (rpc == "CreateOrganisation") return [&](const std::string& t) {
    dv1::CreateOrganisationRequest q;
    q.set_request_id(RandomUuid());
    q.mutable_organisation()->set_organisation_id(Unique("org"));
    q.mutable_organisation()->set_name("Nieuw");
    q.mutable_organisation()->set_kind(common::v1::ORGANISATION_KIND_CARE);
    dv1::Organisation r;
    return Classify(admin_->CreateOrganisation(d.Call(t).get(), q, &r), [&] {
      auto organisations = d.directory_store().ListOrganisations("heerlen", std::nullopt, 10000);
      for (const auto& o : *organisations) {
        if (o.organisation_id() == q.organisation().organisation_id()) return A;
      }
      return H;
    });
  };
  if (rpc == "ListOrganisations") return [&](const std::string& t) {
    dv1::ListOrganisationsResponse r;
    return Classify(admin_->ListOrganisations(d.Call(t).get(), {}, &r), [&] {
      for (const auto& o : r.organisations()) if (o.organisation_id() == "woonpunt") return A;
      return H;
    });
  };
  if (rpc == "CreateUser") return [&](const std::string& t) {
    dv1::CreateUserRequest q;
    q.set_request_id(RandomUuid());
    q.mutable_user()->set_user_id(Unique("user"));
    q.mutable_user()->set_organisation_id("straatcoaches");
    q.mutable_user()->set_display_name("Nieuw");
    q.mutable_user()->add_roles("REPORTER");
    q.set_password(kPassword);
    dv1::User r;
    return Classify(admin_->CreateUser(d.Call(t).get(), q, &r), [&] {
      return in_heerlen(d.directory_store().FindAccount("heerlen", q.user().user_id())->has_value());
    });
  };
  if (rpc == "UpdateUser") return [&](const std::string& t) {
    dv1::UpdateUserRequest q;
    q.set_user_id("target.user");
    q.set_active(true);
    q.mutable_update_mask()->add_paths("active");
    dv1::User r;
    return Classify(admin_->UpdateUser(d.Call(t).get(), q, &r), [] { return A; });
  };
  if (rpc == "GetTenant") return [&](const std::string& t) {
    dv1::Tenant r;
    return Classify(admin_->GetTenant(d.Call(t).get(), {}, &r), [&] { return r.tenant_id() == "heerlen" ? A : H; });
  };
  if (rpc == "UpdateTenantSettings") return [&](const std::string& t) {
    dv1::UpdateTenantSettingsRequest q;
    q.mutable_settings()->add_closing_days("2026-12-24");
    q.mutable_update_mask()->add_paths("closing_days");
    dv1::Tenant r;
    return Classify(admin_->UpdateTenantSettings(d.Call(t).get(), q, &r),
                    [&] { return r.tenant_id() == "heerlen" ? A : H; });
  };
  if (rpc == "ListUsers") return [&](const std::string& t) {
    dv1::ListUsersResponse r;
    return Classify(admin_->ListUsers(d.Call(t).get(), {}, &r), [&] {
      for (const auto& u : r.users()) if (u.user_id() == "target.user") return A;
      return H;
    });
  };
  if (rpc == "CreateIntegratedClient") return [&](const std::string& t) {
    dv1::CreateIntegratedClientRequest q;
    q.set_request_id(RandomUuid());
    q.mutable_client()->set_client_id(Unique("client"));
    q.mutable_client()->set_organisation_id("straatcoaches");
    q.mutable_client()->set_certificate_uri("spiffe://hartslag/test/" + q.client().client_id());
    dv1::IntegratedClient r;
    return Classify(admin_->CreateIntegratedClient(d.Call(t).get(), q, &r), [&] {
      auto found = d.directory_store().FindClientByCertificate(q.client().certificate_uri());
      return in_heerlen(found.ok() && found->has_value() && (*found)->tenant == "heerlen");
    });
  };
  if (rpc == "UpdateIntegratedClient") return [&](const std::string& t) {
    dv1::UpdateIntegratedClientRequest q;
    q.set_client_id("target-client");
    q.set_active(true);
    q.mutable_update_mask()->add_paths("active");
    dv1::IntegratedClient r;
    return Classify(admin_->UpdateIntegratedClient(d.Call(t).get(), q, &r), [] { return A; });
  };
  if (rpc == "ListIntegratedClients") return [&](const std::string& t) {
    dv1::ListIntegratedClientsResponse r;
    return Classify(admin_->ListIntegratedClients(d.Call(t).get(), {}, &r), [&] {
      for (const auto& c : r.clients()) if (c.client_id() == "target-client") return A;
      return H;
    });
  };
  namespace av1 = audit::v1;
  if (rpc == "Append") return [&](const std::string& t) {
    av1::AppendRequest q;
    av1::AppendResponse r;
    return Classify(audit_->Append(d.Call(t).get(), q, &r), [] { return A; });
  };
  if (rpc == "GetTreeHead") return [&](const std::string& t) {
    av1::GetTreeHeadRequest q;
    q.set_fresh(true);
    av1::SignedTreeHead r;
    return Classify(audit_->GetTreeHead(d.Call(t).get(), q, &r), [&] {
      auto root = d.audit_store().Root("heerlen", r.tree_size());
      return in_heerlen(r.tree_size() > 0 && root.ok() && *root == r.root_hash());
    });
  };
  if (rpc == "GetInclusionProof") return [&](const std::string& t) {
    av1::GetInclusionProofRequest q;
    q.set_index(target_index_);
    av1::InclusionProof r;
    return Classify(audit_->GetInclusionProof(d.Call(t).get(), q, &r),
                    [&] { return in_heerlen(IsTargetRecord(r.entry())); });
  };
  if (rpc == "GetConsistencyProof") return [&](const std::string& t) {
    av1::GetConsistencyProofRequest q;
    q.set_old_size(1);
    q.set_new_size(target_index_ + 2);  // a proof with hashes only Heerlen's log has
    av1::ConsistencyProof r;
    return Classify(audit_->GetConsistencyProof(d.Call(t).get(), q, &r), [&] {
      std::vector<std::string> proof(r.proof().begin(), r.proof().end());
      return in_heerlen(audit::VerifyConsistency(1, q.new_size(), *d.audit_store().Root("heerlen", 1),
                                                 *d.audit_store().Root("heerlen", q.new_size()), proof));
    });
  };
  if (rpc == "ExportLog") return [&](const std::string& t) {
    av1::ExportLogRequest q;
    q.set_from_index(target_index_);
    q.set_page_size(1);
    av1::ExportLogResponse r;
    return Classify(audit_->ExportLog(d.Call(t).get(), q, &r), [&] {
      return in_heerlen(r.entries_size() == 1 && IsTargetRecord(r.entries(0).entry()));
    });
  };
  if (rpc == "QueryEvents") return [&](const std::string& t) {
    av1::QueryEventsRequest q;
    q.set_object_id(signal_id_);
    av1::QueryEventsResponse r;
    return Classify(audit_->QueryEvents(d.Call(t).get(), q, &r),
                    [&] { return in_heerlen(r.events_size() > 0); });
  };
  if (rpc == "GetAccessOverview") return [&](const std::string& t) {
    av1::GetAccessOverviewRequest q;
    *q.mutable_subject()->mutable_address() = testing::SampleSignal().location().address();
    av1::GetAccessOverviewResponse r;
    return Classify(audit_->GetAccessOverview(d.Call(t).get(), q, &r),
                    [&] { return in_heerlen(r.accesses_size() > 0); });
  };
  if (rpc == "AddRestriction") return [&](const std::string& t) {
    av1::AddRestrictionRequest q;
    q.set_request_id(RandomUuid());
    *q.mutable_subject()->mutable_address() = testing::SampleSignal().location().address();
    q.set_reason("lopend onderzoek");
    q.set_review_date("2099-01-01");
    av1::Restriction r;
    return Classify(audit_->AddRestriction(d.Call(t).get(), q, &r), [&] {
      auto known = d.audit_store().Restrictions("heerlen", std::nullopt, 10000);
      if (!known.ok()) return Outcome::kUnexpected;
      for (const auto& k : *known) if (k.restriction_id() == r.restriction_id()) return A;
      return H;
    });
  };
  if (rpc == "LiftRestriction") return [&](const std::string& t) {
    av1::LiftRestrictionRequest q;
    q.set_restriction_id(NewRestriction());
    av1::Restriction r;
    return Classify(audit_->LiftRestriction(d.Call(t).get(), q, &r), [] { return A; });
  };
  if (rpc == "ListRestrictions") return [&](const std::string& t) {
    std::string id = NewRestriction();
    av1::ListRestrictionsResponse r;
    return Classify(audit_->ListRestrictions(d.Call(t).get(), {}, &r), [&] {
      for (const auto& known : r.restrictions()) if (known.restriction_id() == id) return A;
      return H;
    });
  };
  namespace cv1 = cases::v1;
  if (rpc == "ListUntriagedSignals") return [&](const std::string& t) {
    iv1::ListUntriagedSignalsRequest q;
    q.set_tenant_id("heerlen");
    q.add_area_ids("vrieheide");
    iv1::ListSignalsResponse r;
    return Classify(triage_feed_->ListUntriagedSignals(d.Call(t).get(), q, &r), [] { return A; });
  };
  if (rpc == "RecordTriageOutcomes") return [&](const std::string& t) {
    iv1::RecordTriageOutcomesRequest q;
    iv1::RecordTriageOutcomesResponse r;
    return Classify(triage_feed_->RecordTriageOutcomes(d.Call(t).get(), q, &r), [] { return A; });
  };
  if (rpc == "RecordCaseStates") return [&](const std::string& t) {
    iv1::RecordCaseStatesRequest q;
    iv1::RecordCaseStatesResponse r;
    return Classify(triage_feed_->RecordCaseStates(d.Call(t).get(), q, &r), [] { return A; });
  };
  // Heerlen's categories as its own administrator sees them.
  auto heerlen_categories = [&] {
    const std::string heerlen_admin = d.Token(testing::ClaimsFor("heerlen.admin", "gemeente", "MUNICIPALITY",
                                                                 {"ADMIN"}, {"heerlen-noord"}));
    iv1::ListCategoryDefinitionsResponse all;
    EXPECT_TRUE(category_admin_->ListCategoryDefinitions(d.Call(heerlen_admin).get(), {}, &all).ok());
    return all;
  };
  // Heerlen's own category, with one subcategory, made by Heerlen's
  // administrator (once); returns its current definition.
  auto heerlen_category = [&, heerlen_categories]() -> iv1::Category {
    const std::string heerlen_admin = d.Token(testing::ClaimsFor("heerlen.admin", "gemeente", "MUNICIPALITY",
                                                                 {"ADMIN"}, {"heerlen-noord"}));
    for (const char* id : {"alleen-heerlen", "alleen-heerlen-sub"}) {
      iv1::CreateCategoryRequest create;
      iv1::Category& c = *create.mutable_category();
      c.set_category_id(id);
      if (std::string(id) != "alleen-heerlen") c.set_parent_category_id("alleen-heerlen");
      c.set_label("Alleen in Heerlen");
      c.set_default_meeting(iv1::MEETING_KIND_LEEFBAARHEID);
      c.set_handling_deadline_days(10);
      iv1::Category created;
      category_admin_->CreateCategory(d.Call(heerlen_admin).get(), create, &created);  // ALREADY_EXISTS after once
    }
    const iv1::ListCategoryDefinitionsResponse all = heerlen_categories();
    for (const auto& c : all.categories()) if (c.category_id() == "alleen-heerlen") return c;
    ADD_FAILURE() << "Heerlen's category is missing";
    return {};
  };
  if (rpc == "ListCategoryDefinitions") return [&, heerlen_category](const std::string& t) {
    heerlen_category();
    iv1::ListCategoryDefinitionsResponse r;
    return Classify(category_admin_->ListCategoryDefinitions(d.Call(t).get(), {}, &r), [&] {
      for (const auto& c : r.categories()) if (c.category_id() == "alleen-heerlen") return A;
      return H;
    });
  };
  if (rpc == "CreateCategory") return [&, heerlen_category, heerlen_categories](const std::string& t) {
    iv1::CreateCategoryRequest q;
    *q.mutable_category() = heerlen_category();
    q.mutable_category()->set_category_id(Unique("nieuw"));
    iv1::Category r;
    return Classify(category_admin_->CreateCategory(d.Call(t).get(), q, &r), [&] {
      const iv1::ListCategoryDefinitionsResponse all = heerlen_categories();
      for (const auto& c : all.categories()) {
        if (c.category_id() == q.category().category_id()) return A;
      }
      return H;  // made in the caller's own municipality
    });
  };
  if (rpc == "UpdateCategory") return [&, heerlen_category](const std::string& t) {
    iv1::UpdateCategoryRequest q;
    *q.mutable_category() = heerlen_category();
    q.mutable_category()->set_description(Unique("omschrijving"));
    iv1::Category r;
    return Classify(category_admin_->UpdateCategory(d.Call(t).get(), q, &r),
                    [&] { return heerlen_category().description() == q.category().description() ? A : H; });
  };
  if (rpc == "RetireCategory") return [&, heerlen_category](const std::string& t) {
    heerlen_category();
    iv1::RetireCategoryRequest q;
    q.set_category_id("alleen-heerlen-sub");
    q.set_retired(false);  // brings back what is active already: no change, only the right to ask
    iv1::Category r;
    return Classify(category_admin_->RetireCategory(d.Call(t).get(), q, &r), [] { return A; });
  };
  if (rpc == "ReorderCategories") return [&, heerlen_category](const std::string& t) {
    heerlen_category();
    iv1::ReorderCategoriesRequest q;
    q.set_parent_category_id("alleen-heerlen");
    q.add_category_ids("alleen-heerlen-sub");
    iv1::ListCategoryDefinitionsResponse r;
    return Classify(category_admin_->ReorderCategories(d.Call(t).get(), q, &r), [] { return A; });
  };
  if (rpc == "GetTriageQueue") return [&](const std::string& t) {
    cv1::TriageQueue r;
    return Classify(triage_->GetTriageQueue(CaseCall(t, "TRIAGE").get(), {}, &r), [&] {
      for (const auto& item : r.items()) if (item.signal().reference() == reference_) return A;
      return H;
    });
  };
  if (rpc == "TriageSignal") return [&](const std::string& t) {
    std::string signal = NewSignal();
    cv1::TriageQueue queue;
    grpc::Status read = triage_->GetTriageQueue(CaseCall(t, "TRIAGE").get(), {}, &queue);
    cv1::TriageSignalRequest q;
    q.set_request_id(RandomUuid());
    q.set_signal_id(signal);
    q.set_choice(cv1::TRIAGE_CHOICE_HANDLE_DIRECTLY);
    cv1::TriageDecision r;
    grpc::Status decided = triage_->TriageSignal(CaseCall(t, "TRIAGE").get(), q, &r);
    if (!read.ok() && decided.ok()) return Outcome::kUnexpected;
    return Classify(decided, [] { return A; });
  };
  if (rpc == "OpenCase") return [&](const std::string& t) {
    cv1::OpenCaseRequest q;
    q.set_request_id(RandomUuid());
    q.set_kind(cv1::CASE_KIND_LEEFBAARHEID);
    q.set_title("Dumping achter de flat");
    q.set_area_id("vrieheide");
    *q.mutable_address() = testing::SampleSignal().location().address();
    cv1::Case r;
    return Classify(cases_->OpenCase(CaseCall(t).get(), q, &r), [&] {
      auto found = d.FindCase("heerlen", r.case_id());
      return in_heerlen(found.ok() && found->has_value());
    });
  };
  if (rpc == "GetCase") return [&](const std::string& t) {
    cv1::GetCaseRequest q;
    q.set_case_id(target_case_);
    cv1::CaseSummary r;
    return Classify(cases_->GetCase(CaseCall(t).get(), q, &r), [] { return A; });
  };
  if (rpc == "ListNotes") return [&](const std::string& t) {
    cv1::ListNotesRequest q;
    q.set_case_id(target_case_);
    cv1::ListNotesResponse r;
    return Classify(cases_->ListNotes(CaseCall(t).get(), q, &r), [] { return A; });
  };
  if (rpc == "ListCases") return [&](const std::string& t) {
    cv1::ListCasesResponse r;
    return Classify(cases_->ListCases(CaseCall(t).get(), {}, &r), [&] {
      for (const auto& c : r.cases()) if (c.case_id() == target_case_) return A;
      return H;
    });
  };
  if (rpc == "TransitionCase") return [&](const std::string& t) {
    cv1::TransitionCaseRequest q;
    q.set_case_id(NewCase(cv1::CASE_STATUS_REGISTERED));
    q.set_to(cv1::CASE_STATUS_TRIAGE);
    q.set_reason("matrix");
    cv1::Case r;
    return Classify(cases_->TransitionCase(CaseCall(t).get(), q, &r), [] { return A; });
  };
  if (rpc == "ReopenCase") return [&](const std::string& t) {
    cv1::ReopenCaseRequest q;
    q.set_case_id(NewCase(cv1::CASE_STATUS_CLOSED));
    q.set_reason("matrix");
    cv1::Case r;
    return Classify(cases_->ReopenCase(CaseCall(t).get(), q, &r), [] { return A; });
  };
  if (rpc == "UpdateCase") return [&](const std::string& t) {
    cv1::UpdateCaseRequest q;
    q.set_case_id(target_case_);
    q.set_risk_tier(cv1::RISK_TIER_LOW);
    q.set_risk_reason("matrix");
    q.mutable_update_mask()->add_paths("risk_tier");
    cv1::Case r;
    return Classify(cases_->UpdateCase(CaseCall(t).get(), q, &r), [] { return A; });
  };
  if (rpc == "AddNote") return [&](const std::string& t) {
    cv1::AddNoteRequest q;
    q.set_request_id(RandomUuid());
    q.set_case_id(target_case_);
    q.set_visibility(cv1::NOTE_VISIBILITY_PARTICIPANTS);
    q.set_text("matrix");
    cv1::Note r;
    return Classify(cases_->AddNote(CaseCall(t).get(), q, &r), [] { return A; });
  };
  if (rpc == "CreateAction") return [&](const std::string& t) {
    cv1::CreateActionRequest q;
    q.set_request_id(RandomUuid());
    q.set_case_id(target_case_);
    q.set_description("matrix");
    q.add_organisation_ids("woonpunt");
    q.set_due_date("2099-01-01");
    cv1::Action r;
    return Classify(actions_->CreateAction(CaseCall(t).get(), q, &r), [] { return A; });
  };
  if (rpc == "ListActions") return [&](const std::string& t) {
    std::string id = NewAction();
    cv1::ListActionsRequest q;
    q.set_case_id(target_case_);
    cv1::ListActionsResponse r;
    return Classify(actions_->ListActions(CaseCall(t).get(), q, &r), [&] {
      for (const auto& a : r.actions()) if (a.action_id() == id) return A;
      return H;
    });
  };
  if (rpc == "UpdateAction") return [&](const std::string& t) {
    cv1::UpdateActionRequest q;
    q.set_action_id(NewAction());
    q.set_status(cv1::ACTION_STATUS_IN_PROGRESS);
    cv1::Action r;
    return Classify(actions_->UpdateAction(CaseCall(t).get(), q, &r), [] { return A; });
  };
  if (rpc == "ScheduleMeetings") return [&](const std::string& t) {
    cv1::ScheduleMeetingsRequest q;
    q.set_request_id(RandomUuid());
    q.set_kind(cv1::CASE_KIND_LEEFBAARHEID);
    q.set_area_id("vrieheide");
    q.mutable_starts_at()->set_seconds(absl::ToUnixSeconds(absl::Now() + absl::Hours(24)));
    cv1::ScheduleMeetingsResponse r;
    return Classify(meetings_->ScheduleMeetings(CaseCall(t).get(), q, &r), [&] {
      auto found = d.FindMeeting("heerlen", r.meetings(0).meeting_id());
      return in_heerlen(found.ok() && found->has_value());
    });
  };
  if (rpc == "WatchActions") return [&](const std::string& t) {
    // The stream from the start holds the new action for woonpunt's
    // members only; for anyone else it stays quiet until the deadline.
    std::string id = NewAction();
    auto call = CaseCall(t, "ACTION_EXECUTION");
    call->set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(1500));
    cv1::WatchActionsRequest from_start;
    from_start.set_from_beginning(true);
    auto stream = actions_->WatchActions(call.get(), from_start);
    cv1::ActionEvent e;
    while (stream->Read(&e)) {
      if (e.action().action_id() == id) {
        call->TryCancel();
        stream->Finish();
        return A;
      }
    }
    grpc::Status status = stream->Finish();
    return status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ? H : Classify(status, [] { return A; });
  };
  if (rpc == "ListMeetings") return [&](const std::string& t) {
    std::string id = NewMeeting();
    cv1::ListMeetingsResponse r;
    return Classify(meetings_->ListMeetings(CaseCall(t).get(), {}, &r), [&] {
      for (const auto& m : r.meetings()) if (m.meeting_id() == id) return A;
      return H;
    });
  };
  if (rpc == "GetMeeting") return [&](const std::string& t) {
    cv1::GetMeetingRequest q;
    q.set_meeting_id(NewMeeting());
    cv1::Meeting r;
    return Classify(meetings_->GetMeeting(CaseCall(t).get(), q, &r), [&] { return in_heerlen(r.items_size() == 1); });
  };
  if (rpc == "ExportMeeting") return [&](const std::string& t) {
    cv1::ExportMeetingRequest q;
    q.set_meeting_id(NewMeeting());
    q.set_format(cv1::DOCUMENT_FORMAT_MARKDOWN);
    cv1::MeetingDocument r;
    // The document holds the target case's item.
    return Classify(meetings_->ExportMeeting(CaseCall(t).get(), q, &r),
                    [&] { return in_heerlen(r.content().find("## 1. ") != std::string::npos); });
  };
  if (rpc == "EditAgenda") return [&](const std::string& t) {
    cv1::EditAgendaRequest q;
    q.set_meeting_id(NewMeeting());
    q.set_edit(cv1::EditAgendaRequest::EDIT_GENERATE);
    cv1::Meeting r;
    return Classify(meetings_->EditAgenda(CaseCall(t).get(), q, &r), [] { return A; });
  };
  if (rpc == "DecideItem") return [&](const std::string& t) {
    std::string meeting = NewMeeting();
    auto stored = d.FindMeeting("heerlen", meeting);
    cv1::DecideItemRequest q;
    q.set_request_id(RandomUuid());
    q.set_meeting_id(meeting);
    q.set_item_id((*stored)->items(0).item_id());
    q.set_decision("matrix");
    cv1::Meeting r;
    return Classify(meetings_->DecideItem(CaseCall(t).get(), q, &r), [] { return A; });
  };
  if (rpc == "CloseMeeting") return [&](const std::string& t) {
    cv1::CloseMeetingRequest q;
    q.set_meeting_id(NewMeeting());
    cv1::Meeting r;
    return Classify(meetings_->CloseMeeting(CaseCall(t).get(), q, &r), [] { return A; });
  };
  if (rpc == "CorrectMinutes") return [&](const std::string& t) {
    cv1::CorrectMinutesRequest q;
    q.set_request_id(RandomUuid());
    q.set_meeting_id(NewMeeting(cv1::MEETING_STATUS_CLOSED));
    q.set_text("Besluit luidde anders");
    cv1::Meeting r;
    return Classify(meetings_->CorrectMinutes(CaseCall(t).get(), q, &r), [] { return A; });
  };
  if (rpc == "SetAttendance") return [&](const std::string& t) {
    // No attendees: the probe needs no organisation copied from the directory.
    cv1::SetAttendanceRequest q;
    q.set_meeting_id(NewMeeting());
    cv1::Meeting r;
    return Classify(meetings_->SetAttendance(CaseCall(t).get(), q, &r), [] { return A; });
  };
  if (rpc == "ApproveMinutes") return [&](const std::string& t) {
    std::string closed = NewMeeting(cv1::MEETING_STATUS_CLOSED);
    std::string later = NewMeeting(cv1::MEETING_STATUS_SCHEDULED, absl::Hours(24 * 7));
    cv1::ApproveMinutesRequest q;
    q.set_meeting_id(closed);
    q.set_approved_in_meeting_id(later);
    cv1::Meeting r;
    return Classify(meetings_->ApproveMinutes(CaseCall(t).get(), q, &r), [] { return A; });
  };
  // Every service must answer alike: one outcome, or Unexpected.
  auto everywhere = [&](const std::function<Outcome(operations::v1::OperationsService::Stub&,
                                                    const std::string&)>& ask) -> Probe {
    return [&, ask](const std::string& t) {
      Outcome first = ask(*operations_[0], t);
      for (size_t i = 1; i < operations_.size(); ++i) {
        if (ask(*operations_[i], t) != first) return Outcome::kUnexpected;
      }
      return first;
    };
  };
  if (rpc == "ListDeadLetters") return everywhere([&](auto& stub, const std::string& t) {
    operations::v1::ListDeadLettersResponse r;
    return Classify(stub.ListDeadLetters(d.Call(t).get(), {}, &r), [&] {
      for (const auto& letter : r.dead_letters()) if (letter.event_id() == dead_letter_) return A;
      return H;
    });
  });
  if (rpc == "GetOutboxStatus") return everywhere([&](auto& stub, const std::string& t) {
    operations::v1::GetOutboxStatusResponse r;
    return Classify(stub.GetOutboxStatus(d.Call(t).get(), {}, &r), [&] {
      int64_t dead_letters = 0;
      for (const auto& outbox : r.outboxes()) dead_letters += outbox.dead_letters();
      return in_heerlen(dead_letters > 0);
    });
  });
  if (rpc == "Ping") return everywhere([&](auto& stub, const std::string& t) {
    operations::v1::PingResponse r;
    return Classify(stub.Ping(d.Call(t).get(), {}, &r), [&] { return r.has_server_time() ? A : H; });
  });
  if (rpc == "GetSignalFigures") return [&](const std::string& t) {
    iv1::GetSignalFiguresRequest q;
    const absl::CivilDay today = absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());
    q.mutable_period()->set_start_date(absl::FormatCivilTime(today - 7));
    q.mutable_period()->set_end_date(absl::FormatCivilTime(today + 2));
    iv1::GetSignalFiguresResponse r;
    return Classify(signal_figures_->GetSignalFigures(d.Call(t).get(), q, &r), [&] {
      for (const auto& row : r.rows()) if (row.area().area_id() == "vrieheide") return A;
      return H;
    });
  };
  if (rpc == "GetCaseFigures") return [&](const std::string& t) {
    cv1::GetCaseFiguresRequest q;
    const absl::CivilDay today = absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());
    q.mutable_period()->set_start_date(absl::FormatCivilTime(today - 7));
    q.mutable_period()->set_end_date(absl::FormatCivilTime(today + 2));
    cv1::GetCaseFiguresResponse r;
    return Classify(case_figures_->GetCaseFigures(d.Call(t).get(), q, &r), [&] {
      for (const auto& row : r.cases()) if (row.area().area_id() == "vrieheide") return A;
      return H;
    });
  };
  if (rpc == "CompleteBreakGlassReview") return [&](const std::string& t) {
    // A review of its own per call: a review is completed once.
    const std::string reason = Unique("matrix");
    EXPECT_TRUE(deployment_.SeedBreakGlass(opener_, target_case_, reason).ok());
    auto rows = deployment_.pool().Query("SELECT review_id::text AS id FROM cases.break_glass WHERE reason = $1",
                                         {reason});
    if (!rows.ok() || rows->size() != 1) return Outcome::kUnexpected;
    cv1::CompleteBreakGlassReviewRequest q;
    q.set_review_id(rows->Text(0, "id"));
    q.set_finding("matrix");
    q.set_judgement(cv1::JUDGEMENT_JUSTIFIED);
    cv1::BreakGlassReview r;
    return Classify(cases_->CompleteBreakGlassReview(CaseCall(t).get(), q, &r), [&] {
      return r.review_id() == q.review_id() && r.has_completed_at() ? A : H;
    });
  };
  if (rpc == "ListBreakGlassReviews") return [&](const std::string& t) {
    cv1::ListBreakGlassReviewsResponse r;
    return Classify(cases_->ListBreakGlassReviews(CaseCall(t).get(), {}, &r), [&] {
      for (const auto& review : r.reviews()) if (review.case_id() == target_case_) return A;
      return H;
    });
  };
  return nullptr;
}

TEST_P(RoleMatrixTest, EveryRoleGetsWhatTheMatrixSays) {
  const std::string rpc = GetParam();
  Probe probe = ProbeFor(rpc);
  ASSERT_TRUE(probe) << "no probe for " << rpc;
  int rows = 0;
  for (const Row& row : Matrix()) {
    if (rpc != row.rpc) continue;
    ++rows;
    for (bool own_org : {true, false}) {
      for (bool own_area : {true, false}) {
        for (bool own_tenant : {true, false}) {
          std::string token = deployment_.Token(testing::ClaimsFor(
              "matrix.user", own_org ? "straatcoaches" : "woonpunt",
              own_org ? "MUNICIPALITY" : "HOUSING", {std::string(RoleName(row.role))},
              {own_area ? "heerlen-noord" : "heerlen-zuid"}, own_tenant ? "heerlen" : "maastricht"));
          Outcome expected = Expected(row, own_org, own_area, own_tenant);
          Outcome actual = probe(token);
          EXPECT_EQ(Name(actual), std::string(Name(expected)))
              << rpc << " as " << RoleName(row.role) << (own_org ? ", own" : ", other")
              << " organisation" << (own_area ? ", own" : ", other") << " area"
              << (own_tenant ? ", own" : ", other") << " tenant";
        }
      }
    }
  }
  EXPECT_EQ(rows, 5) << rpc << " needs one row per role";
}

std::vector<std::string> AllRpcs() {
  std::vector<const google::protobuf::MethodDescriptor*> methods;
  for (const auto* service : {intake::v1::SignalService::service_full_name(),
                              intake::v1::TriageFeedService::service_full_name(),
                              intake::v1::SignalFiguresService::service_full_name(),
                              intake::v1::CategoryService::service_full_name(),
                              directory::v1::AuthService::service_full_name(),
                              directory::v1::DirectoryService::service_full_name(),
                              directory::v1::LookupService::service_full_name(),
                              audit::v1::AuditService::service_full_name(),
                              cases::v1::TriageService::service_full_name(),
                              cases::v1::CaseService::service_full_name(),
                              cases::v1::ActionService::service_full_name(),
                              cases::v1::MeetingService::service_full_name(),
                              cases::v1::CaseFiguresService::service_full_name(),
                              operations::v1::OperationsService::service_full_name()}) {
    const auto* descriptor =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(service);
    for (int i = 0; i < descriptor->method_count(); ++i) methods.push_back(descriptor->method(i));
  }
  std::map<std::string, int> services_with;
  for (const auto* method : methods) ++services_with[method->name()];
  std::vector<std::string> rpcs;
  for (const auto* method : methods) {
    rpcs.push_back(services_with[method->name()] == 1 ? method->name()
                                                      : absl::StrCat(method->service()->name(), "_", method->name()));
  }
  return rpcs;
}

INSTANTIATE_TEST_SUITE_P(AllRpcs, RoleMatrixTest, ::testing::ValuesIn(AllRpcs()),
                         [](const auto& info) { return info.param; });

TEST(RoleMatrixCoverageTest, EveryRpcHasARow) {
  for (const std::string& rpc : AllRpcs()) {
    bool found = false;
    for (const Row& row : Matrix()) found = found || rpc == row.rpc;
    EXPECT_TRUE(found) << rpc << " has no row in the role matrix";
  }
}

}  // namespace
}  // namespace hartslag
