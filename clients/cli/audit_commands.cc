// hartslag audit: the privacy officer's commands. `verify` works offline,
// without a database or a running service; the others call hartslag-audit.
//
//   hartslag audit export --out log.jsonl [--tree-head-out head.json]
//   hartslag audit verify --log log.jsonl [--tree-head head.json --public-key audit.pub]
//   hartslag audit tree-head [--fresh] [--out head.json]
//   hartslag audit proof --index N [--tree-head head.json] [--public-key audit.pub]
//   hartslag audit query [subject] [--actor U] [--organisation O] [--object-type T] ...
//   hartslag audit overview <subject>
//   hartslag audit restrict <subject> [--organisation O] --reason R --review-date YYYY-MM-DD [--request-id ID]
//   hartslag audit lift --id ID
//   hartslag audit restrictions
//
// A subject is --person NAME [--birth-year Y], or --postcode P --house-number N
// [--addition A], or --pseudonym person:<hex>.
#include <openssl/evp.h>

#include <cstdio>
#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "clients/cli/commands.h"
#include "clients/cli/connection.h"
#include "clients/cli/flag_values.h"
#include "clients/cli/output.h"
#include "clients/cpp/audit_export.h"
#include "hartslag/audit/v1/audit.grpc.pb.h"
#include "libs/audit_verify/log_export.h"
#include "libs/audit_verify/merkle.h"
#include "libs/audit_verify/tree_head.h"
#include "services/common/all_pages.h"
#include "services/common/config.h"
#include "services/common/crypto.h"
#include "services/common/files.h"
#include "services/common/grpc_status.h"
#include "services/common/status_macros.h"

namespace hartslag::cli {
namespace {

namespace v1 = audit::v1;

constexpr char kServerEnv[] = "HARTSLAG_AUDIT_ADDR";
constexpr char kDefaultServer[] = "localhost:7404";

absl::StatusOr<KeyPtr> PublicKey(const Flags& flags) {
  if (flags.Get("public-key").empty()) return UsageError("--public-key ontbreekt (nodig bij --tree-head)");
  ASSIGN_OR_RETURN(std::string pem, ReadFile(flags.Get("public-key"), "--public-key"));
  return ParseEd25519Pem(pem, /*is_private=*/false);
}

absl::Status WriteText(const std::string& path, const std::string& text, absl::string_view flag) {
  std::ofstream out(path);
  if (!(out << text)) return absl::InvalidArgumentError(absl::StrCat(flag, ": kan ", path, " niet schrijven"));
  return absl::OkStatus();
}

void AddSubjectFlags(Flags& flags) {
  flags.Add("person", "", "", "subject: the person's name");
  flags.Add("birth-year", "", "0", "subject: the person's year of birth (0: unknown)");
  flags.Add("postcode", "", "", "subject: the address's postcode");
  flags.Add("house-number", "", "0", "subject: the address's house number");
  flags.Add("addition", "", "", "subject: the house number addition");
  flags.Add("pseudonym", "", "", "subject: a pseudonym as stored (person:<hex> or address:<hex>)");
}

// The subject the flags name; nullopt if they name none.
absl::StatusOr<std::optional<v1::Subject>> SubjectFromFlags(const Flags& flags) {
  v1::Subject subject;
  if (!flags.Get("person").empty()) {
    subject.mutable_person()->set_name(flags.Get("person"));
    ASSIGN_OR_RETURN(int year, flags.GetInt("birth-year"));
    subject.mutable_person()->set_birth_year(year);
  } else if (!flags.Get("postcode").empty()) {
    subject.mutable_address()->set_postcode(flags.Get("postcode"));
    ASSIGN_OR_RETURN(int number, flags.GetInt("house-number"));
    subject.mutable_address()->set_house_number(number);
    subject.mutable_address()->set_house_number_addition(flags.Get("addition"));
  } else if (!flags.Get("pseudonym").empty()) {
    subject.set_pseudonym(flags.Get("pseudonym"));
  } else {
    return std::nullopt;
  }
  return subject;
}

absl::StatusOr<v1::Subject> RequiredSubject(const Flags& flags) {
  ASSIGN_OR_RETURN(std::optional<v1::Subject> subject, SubjectFromFlags(flags));
  if (!subject) return UsageError("--person, --postcode of --pseudonym ontbreekt");
  return *subject;
}

// Parses the flags of an audit command that talks to the service.
absl::StatusOr<Connection> Connect(Flags& flags, const Args& args, Shape shape = Shape::kObject) {
  return Connection::Parse(flags, args, kServerEnv, kDefaultServer, shape);
}

absl::Status Verify(const Args& args) {
  Flags flags("hartslag audit verify",
              "recompute an exported audit log's Merkle root and check it against a signed tree head");
  flags.Add("log", "", "", "the exported log (JSON Lines)");
  flags.Add("tree-head", "", "", "a signed tree head (JSON) to check the log against");
  flags.Add("public-key", "HARTSLAG_AUDIT_PUBLIC_KEY", "",
            "the audit log's Ed25519 public key (PEM); needed with --tree-head");
  RETURN_IF_ERROR(flags.Parse(args));
  RETURN_IF_ERROR(Required(flags, {"log"}));
  std::ifstream log(flags.Get("log"));
  if (!log) return absl::InvalidArgumentError(absl::StrCat("--log: kan ", flags.Get("log"), " niet lezen"));
  std::optional<audit::TreeHead> head;
  KeyPtr key(nullptr, EVP_PKEY_free);
  if (!flags.Get("tree-head").empty()) {
    ASSIGN_OR_RETURN(std::string json, ReadFile(flags.Get("tree-head"), "--tree-head"));
    ASSIGN_OR_RETURN(head, audit::TreeHeadFromJson(json));
    ASSIGN_OR_RETURN(key, PublicKey(flags));
  }
  ASSIGN_OR_RETURN(audit::VerifiedLog verified, audit::VerifyExportedLog(log, head, key.get()));
  std::printf("tree_size=%llu root=%s\n", static_cast<unsigned long long>(verified.tree_size),
              HexEncode(verified.root_hash).c_str());
  if (head) {
    std::printf("de eerste %llu vermeldingen kloppen met de tree head, ondertekend door sleutel %s\n",
                static_cast<unsigned long long>(head->tree_size), head->key_id.c_str());
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::SignedTreeHead> FetchTreeHead(const Connection& c, bool fresh) {
  v1::GetTreeHeadRequest request;
  request.set_fresh(fresh);
  v1::SignedTreeHead head;
  RETURN_IF_ERROR(FromGrpcStatus(v1::AuditService::NewStub(c.channel())->GetTreeHead(
      c.NewCall().get(), request, &head)));
  return head;
}

absl::Status TreeHead(const Args& args) {
  Flags flags("hartslag audit tree-head", "fetch the latest signed tree head of your tenant's log");
  flags.AddBool("fresh", "", false, "have one signed now over the whole log");
  flags.Add("out", "", "", "write the tree head (JSON) to this file too");
  ASSIGN_OR_RETURN(Connection c, Connect(flags, args));
  ASSIGN_OR_RETURN(v1::SignedTreeHead head, FetchTreeHead(c, flags.GetBool("fresh")));
  std::string json = audit::TreeHeadToJson(audit::TreeHeadFromProto(head));
  if (!flags.Get("out").empty()) RETURN_IF_ERROR(WriteText(flags.Get("out"), json + "\n", "--out"));
  std::printf("%s\n", json.c_str());
  return absl::OkStatus();
}

absl::Status Export(const Args& args) {
  Flags flags("hartslag audit export", "write your tenant's audit log as JSON Lines, with a tree head");
  flags.Add("out", "", "", "the file for the log (JSON Lines)");
  flags.Add("tree-head-out", "", "", "also write a tree head signed now over the log (JSON)");
  ASSIGN_OR_RETURN(Connection c, Connect(flags, args));
  RETURN_IF_ERROR(Required(flags, {"out"}));
  // The tree head first: the export then holds at least the entries it covers.
  std::optional<v1::SignedTreeHead> head;
  if (!flags.Get("tree-head-out").empty()) {
    ASSIGN_OR_RETURN(head, FetchTreeHead(c, /*fresh=*/true));
  }
  std::ofstream out(flags.Get("out"));
  if (!out) return absl::InvalidArgumentError(absl::StrCat("--out: kan ", flags.Get("out"), " niet schrijven"));
  auto stub = v1::AuditService::NewStub(c.channel());
  ASSIGN_OR_RETURN(uint64_t written, client::ExportAuditLog(*stub, [&] { return c.NewCall(); }, out));
  out.close();
  if (!out) return absl::InvalidArgumentError(absl::StrCat("--out: kan ", flags.Get("out"), " niet schrijven"));
  std::printf("%llu vermeldingen geëxporteerd naar %s\n", static_cast<unsigned long long>(written),
              flags.Get("out").c_str());
  if (head) {
    RETURN_IF_ERROR(WriteText(flags.Get("tree-head-out"),
                              audit::TreeHeadToJson(audit::TreeHeadFromProto(*head)) + "\n",
                              "--tree-head-out"));
    std::printf("tree head (grootte %llu) in %s\n", static_cast<unsigned long long>(head->tree_size()),
                flags.Get("tree-head-out").c_str());
  }
  return absl::OkStatus();
}

absl::Status Proof(const Args& args) {
  Flags flags("hartslag audit proof",
              "fetch and check the inclusion proof of one entry against a signed tree head");
  flags.Add("index", "", "", "the entry's index in the log");
  flags.Add("tree-head", "", "", "a tree head (JSON) to prove against; default: the latest published");
  flags.Add("public-key", "HARTSLAG_AUDIT_PUBLIC_KEY", "",
            "the audit log's Ed25519 public key (PEM), to check the tree head's signature");
  ASSIGN_OR_RETURN(Connection c, Connect(flags, args));
  uint64_t index = 0;
  if (!absl::SimpleAtoi(flags.Get("index"), &index)) {
    return UsageError("--index: moet een getal zijn");
  }
  v1::GetInclusionProofRequest request;
  request.set_index(index);
  std::optional<audit::TreeHead> head;
  if (!flags.Get("tree-head").empty()) {
    ASSIGN_OR_RETURN(std::string json, ReadFile(flags.Get("tree-head"), "--tree-head"));
    ASSIGN_OR_RETURN(head, audit::TreeHeadFromJson(json));
    request.set_tree_size(head->tree_size);
  }
  v1::InclusionProof proof;
  RETURN_IF_ERROR(FromGrpcStatus(v1::AuditService::NewStub(c.channel())->GetInclusionProof(
      c.NewCall().get(), request, &proof)));
  if (!head) head = audit::TreeHeadFromProto(proof.tree_head());
  if (!flags.Get("public-key").empty()) {
    ASSIGN_OR_RETURN(KeyPtr key, PublicKey(flags));
    RETURN_IF_ERROR(audit::VerifyTreeHead(*head, key.get()));
  }
  std::vector<std::string> path(proof.audit_path().begin(), proof.audit_path().end());
  if (!audit::VerifyInclusion(audit::LeafHash(proof.entry()), index, head->tree_size, path,
                              head->root_hash)) {
    return absl::DataLossError(absl::StrCat("vermelding ", index, ": het bewijs leidt niet naar de root van de tree head"));
  }
  v1::AuditEvent event;
  event.ParseFromString(proof.entry());
  std::printf("vermelding %llu staat in het log: tree_size=%llu root=%s%s\n",
              static_cast<unsigned long long>(index), static_cast<unsigned long long>(head->tree_size),
              HexEncode(head->root_hash).c_str(),
              flags.Get("public-key").empty() ? " (handtekening niet gecontroleerd: geen --public-key)" : "");
  std::printf("%s %s %s %s door %s/%s op %s\n", EnumLabel(v1::Action_Name(event.action()), "ACTION_").c_str(),
              event.object().type().c_str(), event.object().id().c_str(),
              EnumLabel(v1::Outcome_Name(event.outcome()), "OUTCOME_").c_str(),
              event.actor().organisation_id().c_str(), event.actor().user_id().c_str(),
              LocalTime(event.occurred_at()).c_str());
  return absl::OkStatus();
}

absl::Status Query(const Args& args) {
  Flags flags("hartslag audit query", "search your tenant's audit log, newest first");
  AddSubjectFlags(flags);
  flags.Add("actor", "", "", "only this user's actions");
  flags.Add("organisation", "", "", "only this organisation's actions");
  flags.Add("object-type", "", "", "only objects of this type (signal, user, ...)");
  flags.Add("object-id", "", "", "only this object");
  flags.Add("action", "", "", "read, list, create, update, export or login");
  flags.Add("outcome", "", "", "success, denied, rejected or error");
  flags.Add("limit", "", "50", "at most this many records");
  ASSIGN_OR_RETURN(Connection c, Connect(flags, args, Shape::kList));
  v1::QueryEventsRequest request;
  ASSIGN_OR_RETURN(std::optional<v1::Subject> subject, SubjectFromFlags(flags));
  if (subject) *request.mutable_subject() = *subject;
  request.set_actor_user_id(flags.Get("actor"));
  request.set_organisation_id(flags.Get("organisation"));
  request.set_object_type(flags.Get("object-type"));
  request.set_object_id(flags.Get("object-id"));
  if (!flags.Get("action").empty()) {
    v1::Action action;
    if (!v1::Action_Parse("ACTION_" + absl::AsciiStrToUpper(flags.Get("action")), &action)) {
      return UsageError("--action: onbekende actie");
    }
    request.set_action(action);
  }
  if (!flags.Get("outcome").empty()) {
    v1::Outcome outcome;
    if (!v1::Outcome_Parse("OUTCOME_" + absl::AsciiStrToUpper(flags.Get("outcome")), &outcome)) {
      return UsageError("--outcome: onbekende uitkomst");
    }
    request.set_outcome(outcome);
  }
  ASSIGN_OR_RETURN(int limit, flags.GetInt("limit"));
  request.set_page_size(limit);
  v1::QueryEventsResponse response;
  RETURN_IF_ERROR(FromGrpcStatus(v1::AuditService::NewStub(c.channel())->QueryEvents(
      c.NewCall().get(), request, &response)));
  Rows rows;
  for (const v1::IndexedEvent& e : response.events()) {
    const v1::AuditEvent& a = e.event();
    rows.push_back({absl::StrCat(e.index()), LocalTime(a.occurred_at()),
                    EnumLabel(v1::Action_Name(a.action()), "ACTION_"),
                    absl::StrCat(a.object().type(), a.object().id().empty() ? "" : " ", a.object().id()),
                    EnumLabel(v1::Outcome_Name(a.outcome()), "OUTCOME_"), a.actor().user_id(),
                    a.actor().organisation_id(), a.purpose()});
  }
  PrintList(flags, response, {"INDEX", "WANNEER", "ACTIE", "OBJECT", "UITKOMST", "GEBRUIKER", "ORGANISATIE", "DOEL"},
            rows);
  return absl::OkStatus();
}

absl::Status Overview(const Args& args) {
  Flags flags("hartslag audit overview",
              "who saw a person's or address's data: when, which organisation and role, what, why");
  AddSubjectFlags(flags);
  ASSIGN_OR_RETURN(Connection c, Connect(flags, args, Shape::kList));
  v1::GetAccessOverviewRequest request;
  ASSIGN_OR_RETURN(*request.mutable_subject(), RequiredSubject(flags));
  request.set_page_size(500);
  v1::GetAccessOverviewResponse response;
  RETURN_IF_ERROR(FromGrpcStatus(v1::AuditService::NewStub(c.channel())->GetAccessOverview(
      c.NewCall().get(), request, &response)));
  Rows rows;
  for (const v1::Access& a : response.accesses()) {
    std::string roles;
    for (const std::string& r : a.roles()) roles += (roles.empty() ? "" : ",") + r;
    rows.push_back({LocalTime(a.occurred_at()), a.organisation_id(),
                    EnumLabel(common::v1::OrganisationKind_Name(a.organisation_kind()), "ORGANISATION_KIND_"),
                    roles, EnumLabel(v1::Action_Name(a.action()), "ACTION_"), a.object_type(), a.purpose()});
  }
  PrintList(flags, response, {"WANNEER", "ORGANISATIE", "SOORT", "ROL", "ACTIE", "WAT", "DOEL"}, rows);
  return absl::OkStatus();
}

const std::vector<std::string> kRestrictionHeaders = {"ID", "ORGANISATIE", "EVALUATIE", "STAAT", "REDEN"};

Rows RestrictionRows(const google::protobuf::RepeatedPtrField<v1::Restriction>& restrictions) {
  Rows rows;
  for (const v1::Restriction& r : restrictions) {
    rows.push_back({r.restriction_id(), r.organisation_id().empty() ? "(alle)" : r.organisation_id(),
                    r.review_date(), r.has_lifted_at() ? "opgeheven " + LocalTime(r.lifted_at()) : "actief",
                    r.reason()});
  }
  return rows;
}

void PrintRestriction(const v1::Restriction& restriction) {
  google::protobuf::RepeatedPtrField<v1::Restriction> one;
  *one.Add() = restriction;
  PrintTable(kRestrictionHeaders, RestrictionRows(one));
}

absl::Status Restrict(const Args& args) {
  Flags flags("hartslag audit restrict",
              "keep a subject's accesses (by one organisation, or all) out of the access overview");
  AddSubjectFlags(flags);
  flags.Add("organisation", "", "", "only accesses by this organisation (empty: all)");
  flags.Add("reason", "", "", "why, e.g. \"lopend politieonderzoek\"");
  flags.Add("review-date", "", "", "when to review the restriction, YYYY-MM-DD");
  AddRequestIdFlag(flags);
  ASSIGN_OR_RETURN(Connection c, Connect(flags, args));
  v1::AddRestrictionRequest request;
  request.set_request_id(RequestIdOf(flags));
  ASSIGN_OR_RETURN(*request.mutable_subject(), RequiredSubject(flags));
  request.set_organisation_id(flags.Get("organisation"));
  request.set_reason(flags.Get("reason"));
  request.set_review_date(flags.Get("review-date"));
  v1::Restriction restriction;
  RETURN_IF_ERROR(FromGrpcStatus(v1::AuditService::NewStub(c.channel())->AddRestriction(
      c.NewCall().get(), request, &restriction)));
  PrintObject(flags, restriction, PrintRestriction);
  return absl::OkStatus();
}

absl::Status Lift(const Args& args) {
  Flags flags("hartslag audit lift", "lift a restriction");
  flags.Add("id", "", "", "the restriction's id");
  ASSIGN_OR_RETURN(Connection c, Connect(flags, args));
  RETURN_IF_ERROR(Required(flags, {"id"}));
  v1::LiftRestrictionRequest request;
  request.set_restriction_id(flags.Get("id"));
  v1::Restriction restriction;
  RETURN_IF_ERROR(FromGrpcStatus(v1::AuditService::NewStub(c.channel())->LiftRestriction(
      c.NewCall().get(), request, &restriction)));
  PrintObject(flags, restriction, PrintRestriction);
  return absl::OkStatus();
}

absl::Status Restrictions(const Args& args) {
  Flags flags("hartslag audit restrictions", "list your tenant's restrictions, newest first");
  ASSIGN_OR_RETURN(Connection c, Connect(flags, args, Shape::kList));
  v1::ListRestrictionsResponse response;
  auto stub = v1::AuditService::NewStub(c.channel());
  RETURN_IF_ERROR(AllPages(v1::ListRestrictionsRequest(), response, [&](const auto& page_request, auto& page) {
    return FromGrpcStatus(stub->ListRestrictions(c.NewCall().get(), page_request, &page));
  }));
  PrintList(flags, response, kRestrictionHeaders, RestrictionRows(response.restrictions()));
  return absl::OkStatus();
}

}  // namespace

std::vector<Command> AuditCommands() {
  return {{"export", "het auditlog van uw gemeente exporteren (JSON Lines), met een tree head", Export},
          {"verify", "een export offline controleren tegen een ondertekende tree head", Verify},
          {"tree-head", "de laatste ondertekende tree head ophalen", TreeHead},
          {"proof", "het bewijs dat één vermelding in het log staat ophalen en controleren", Proof},
          {"query", "het auditlog doorzoeken, nieuwste eerst", Query},
          {"overview", "wie de gegevens van een persoon of adres zag, wanneer en waarom", Overview},
          {"restrict", "inzages van een betrokkene uit het inzageoverzicht houden", Restrict},
          {"lift", "een beperking opheffen", Lift},
          {"restrictions", "de beperkingen, nieuwste eerst", Restrictions}};
}

}  // namespace hartslag::cli
