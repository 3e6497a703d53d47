// hartslag login|refresh|client-token and hartslag admin ...: tokens from the
// directory, and its administration.
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "clients/cli/commands.h"
#include "clients/cli/connection.h"
#include "clients/cli/flag_values.h"
#include "clients/cli/output.h"
#include "hartslag/directory/v1/directory.grpc.pb.h"
#include "services/common/all_pages.h"
#include "services/common/files.h"
#include "services/common/grpc_status.h"
#include "services/common/roles.h"
#include "services/common/status_macros.h"

namespace hartslag::cli {
namespace {

namespace v1 = hartslag::directory::v1;

constexpr char kServerEnv[] = "HARTSLAG_DIRECTORY_ADDR";
constexpr char kDefaultServer[] = "localhost:7401";

absl::StatusOr<Connection> Connect(Flags& flags, const Args& args, Shape shape = Shape::kObject) {
  return Connection::Parse(flags, args, kServerEnv, kDefaultServer, shape);
}

// The password from --password-file, HARTSLAG_PASSWORD, or typed without echo.
absl::StatusOr<std::string> ReadPassword(const Flags& flags) {
  if (!flags.Get("password-file").empty()) {
    ASSIGN_OR_RETURN(std::string text, ReadFile(flags.Get("password-file"), "--password-file"));
    return std::string(absl::StripTrailingAsciiWhitespace(text));
  }
  if (const char* env = std::getenv("HARTSLAG_PASSWORD"); env != nullptr) return std::string(env);
  if (!isatty(STDIN_FILENO)) {
    return UsageError("geen wachtwoord: gebruik --password-file of HARTSLAG_PASSWORD");
  }
  std::fprintf(stderr, "Wachtwoord: ");
  termios old_mode;
  tcgetattr(STDIN_FILENO, &old_mode);
  termios quiet = old_mode;
  quiet.c_lflag &= ~ECHO;
  tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  std::string password;
  std::getline(std::cin, password);
  tcsetattr(STDIN_FILENO, TCSANOW, &old_mode);
  std::fprintf(stderr, "\n");
  return password;
}

// Prints the access token, or with --save writes it (and the refresh token to
// FILE.refresh) readable by the owner only.
absl::Status Deliver(const Flags& flags, const v1::TokenResponse& tokens) {
  const std::string path = flags.Get("save");
  if (path.empty()) {
    std::printf("%s\n", tokens.access_token().c_str());
    return absl::OkStatus();
  }
  auto write = [](const std::string& file, const std::string& text) -> absl::Status {
    std::ofstream out(file, std::ios::trunc);
    if (!out) return absl::InvalidArgumentError(absl::StrCat("--save: kan ", file, " niet schrijven"));
    chmod(file.c_str(), 0600);
    out << text << "\n";
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(write(path, tokens.access_token()));
  if (!tokens.refresh_token().empty()) RETURN_IF_ERROR(write(path + ".refresh", tokens.refresh_token()));
  std::fprintf(stderr, "token bewaard in %s (geldig tot %s)\n", path.c_str(),
               LocalTime(tokens.expires_at()).c_str());
  return absl::OkStatus();
}

}  // namespace

absl::Status LoginCommand(const Args& args) {
  Flags flags("hartslag login", "log in with a password and get a token");
  flags.Add("tenant", "HARTSLAG_TENANT", "heerlen", "municipality");
  flags.Add("user", "HARTSLAG_USER", "", "user id");
  flags.Add("password-file", "", "", "file holding the password (else HARTSLAG_PASSWORD or a prompt)");
  flags.Add("save", "", "", "write the token to this file instead of printing it");
  ASSIGN_OR_RETURN(Connection connection, Connect(flags, args));
  RETURN_IF_ERROR(Required(flags, {"user"}));
  v1::LoginRequest request;
  request.set_tenant_id(flags.Get("tenant"));
  request.set_user_id(flags.Get("user"));
  ASSIGN_OR_RETURN(*request.mutable_password(), ReadPassword(flags));
  v1::TokenResponse tokens;
  RETURN_IF_ERROR(FromGrpcStatus(v1::AuthService::NewStub(connection.channel())
                               ->Login(connection.NewCall().get(), request, &tokens)));
  return Deliver(flags, tokens);
}

absl::Status RefreshCommand(const Args& args) {
  Flags flags("hartslag refresh", "renew a saved token with its refresh token");
  flags.Add("save", "", "", "the file `hartslag login --save` wrote");
  ASSIGN_OR_RETURN(Connection connection, Connect(flags, args));
  RETURN_IF_ERROR(Required(flags, {"save"}));
  v1::RefreshTokenRequest request;
  ASSIGN_OR_RETURN(std::string refresh, ReadFile(flags.Get("save") + ".refresh", "--save"));
  request.set_refresh_token(std::string(absl::StripAsciiWhitespace(refresh)));
  v1::TokenResponse tokens;
  RETURN_IF_ERROR(FromGrpcStatus(v1::AuthService::NewStub(connection.channel())
                               ->RefreshToken(connection.NewCall().get(), request, &tokens)));
  return Deliver(flags, tokens);
}

absl::Status ClientTokenCommand(const Args& args) {
  Flags flags("hartslag client-token", "as an integrated client (--cert/--key), get a token for a user");
  flags.Add("user", "", "", "the user of your organisation to act for");
  flags.Add("save", "", "", "write the token to this file instead of printing it");
  ASSIGN_OR_RETURN(Connection connection, Connect(flags, args));
  RETURN_IF_ERROR(Required(flags, {"user"}));
  v1::IssueClientTokenRequest request;
  request.set_user_id(flags.Get("user"));
  v1::TokenResponse tokens;
  RETURN_IF_ERROR(FromGrpcStatus(v1::AuthService::NewStub(connection.channel())
                               ->IssueClientToken(connection.NewCall().get(), request, &tokens)));
  return Deliver(flags, tokens);
}

namespace {

// Names `path` in the request's update_mask (once) and gives the request
// back, to set the field: an update sends only what the user gave.
template <typename Request>
Request& Change(Request& r, const std::string& path) {
  const auto& paths = r.update_mask().paths();
  if (std::find(paths.begin(), paths.end(), path) == paths.end()) r.mutable_update_mask()->add_paths(path);
  return r;
}

absl::StatusOr<bool> ParseActive(const std::string& text) {
  if (text == "true") return true;
  if (text == "false") return false;
  return UsageError("--active: true of false");
}

// Runs one admin RPC: parse flags, call, print the result. A list is read
// to its end and printed as one; `print` gives an object's confirmation, or
// a list's rows under `headers`.
template <typename Request, typename Response, typename Call, typename Print>
absl::Status AdminCall(Flags& flags, const Args& args, const std::function<absl::Status(Request&)>& fill, Call call,
                       Print print, const std::vector<std::string>& headers = {}) {
  constexpr bool kList = requires(Response r) { r.next_page_token(); };
  ASSIGN_OR_RETURN(Connection connection, Connect(flags, args, kList ? Shape::kList : Shape::kObject));
  Request request;
  RETURN_IF_ERROR(fill(request));
  Response response;
  auto stub = v1::DirectoryService::NewStub(connection.channel());
  auto fetch = [&](const Request& page_request, Response& page) {
    return FromGrpcStatus(((*stub).*call)(connection.NewCall().get(), page_request, &page));
  };
  if constexpr (kList) {
    RETURN_IF_ERROR(AllPages(request, response, fetch));
    PrintList(flags, response, headers, print(response));
  } else {
    RETURN_IF_ERROR(fetch(request, response));
    PrintObject(flags, response, print);
  }
  return absl::OkStatus();
}

// hartslag admin <what> (e.g. "area create") with the words after it.
absl::Status Admin(const std::string& what, const Args& rest) {
  Flags flags("hartslag admin " + what, "administer the directory (ADMIN role)");
  using S = v1::DirectoryService::Stub;

  if (what == "area create") {
    AddRequestIdFlag(flags);
    flags.Add("id", "", "", "area id");
    flags.Add("name", "", "", "display name");
    flags.Add("parent", "", "", "parent area id (for a wijk)");
    return AdminCall<v1::CreateAreaRequest, v1::Area>(
        flags, rest,
        [&](auto& r) {
          r.set_request_id(RequestIdOf(flags));
          r.mutable_area()->set_area_id(flags.Get("id"));
          r.mutable_area()->set_name(flags.Get("name"));
          r.mutable_area()->set_parent_area_id(flags.Get("parent"));
          return absl::OkStatus();
        },
        &S::CreateArea, [](const v1::Area& a) { std::printf("gebied %s aangemaakt\n", a.area_id().c_str()); });
  }
  if (what == "area update") {
    flags.Add("id", "", "", "area id");
    flags.Add("name", "", "", "new display name");
    flags.Add("parent", "", "", "new parent area id");
    return AdminCall<v1::UpdateAreaRequest, v1::Area>(
        flags, rest,
        [&](auto& r) {
          r.set_area_id(flags.Get("id"));
          if (flags.IsSet("name")) Change(r, "name").set_name(flags.Get("name"));
          if (flags.IsSet("parent")) Change(r, "parent_area_id").set_parent_area_id(flags.Get("parent"));
          return absl::OkStatus();
        },
        &S::UpdateArea, [](const v1::Area& a) { std::printf("gebied %s bijgewerkt\n", a.area_id().c_str()); });
  }
  if (what == "area list") {
    return AdminCall<v1::ListAreasRequest, v1::ListAreasResponse>(
        flags, rest, [](auto&) { return absl::OkStatus(); }, &S::ListAreas,
        [](const v1::ListAreasResponse& r) {
          Rows rows;
          for (const auto& a : r.areas()) rows.push_back({a.area_id(), a.parent_area_id(), a.name()});
          return rows;
        },
        {"GEBIED", "VALT ONDER", "NAAM"});
  }
  if (what == "org create") {
    AddRequestIdFlag(flags);
    flags.Add("id", "", "", "organisation id");
    flags.Add("name", "", "", "display name");
    flags.Add("kind", "", "", "MUNICIPALITY, ENFORCEMENT, POLICE, CARE, HOUSING or OTHER");
    return AdminCall<v1::CreateOrganisationRequest, v1::Organisation>(
        flags, rest,
        [&](auto& r) -> absl::Status {
          auto kind = ParseOrganisationKind(absl::AsciiStrToUpper(flags.Get("kind")));
          if (!kind) return UsageError("--kind: onbekende soort organisatie");
          r.set_request_id(RequestIdOf(flags));
          r.mutable_organisation()->set_organisation_id(flags.Get("id"));
          r.mutable_organisation()->set_name(flags.Get("name"));
          r.mutable_organisation()->set_kind(*kind);
          return absl::OkStatus();
        },
        &S::CreateOrganisation,
        [](const v1::Organisation& o) { std::printf("organisatie %s aangemaakt\n", o.organisation_id().c_str()); });
  }
  if (what == "org update") {
    flags.Add("id", "", "", "organisation id");
    flags.Add("name", "", "", "new display name");
    return AdminCall<v1::UpdateOrganisationRequest, v1::Organisation>(
        flags, rest,
        [&](auto& r) {
          r.set_organisation_id(flags.Get("id"));
          if (flags.IsSet("name")) Change(r, "name").set_name(flags.Get("name"));
          return absl::OkStatus();
        },
        &S::UpdateOrganisation,
        [](const v1::Organisation& o) { std::printf("organisatie %s hernoemd\n", o.organisation_id().c_str()); });
  }
  if (what == "tenant show" || what == "tenant settings") {
    // Each flag names one setting; only the flags given change.
    const std::vector<std::pair<std::string, std::string>> settings = {
        {"time-zone", "time_zone"},
        {"cut-off-weekday", "triage_cut_off_weekday"},
        {"cut-off-time", "triage_cut_off_time"},
        {"signal-prefix", "signal_reference_prefix"},
        {"case-prefix", "case_reference_prefix"},
        {"signal-retention-days", "signal_retention_days"},
        {"leefbaarheid-retention-days", "leefbaarheid_retention_days"},
        {"casuistiek-retention-days", "casuistiek_retention_days"},
        {"max-attachment-bytes", "max_attachment_bytes"},
        {"max-attachments", "max_attachments_per_signal"},
        {"closing-days", "closing_days"}};
    auto print = [](const v1::Tenant& t) {
      const auto& s = t.settings();
      std::printf("gemeente          %s (%s)\ntijdzone          %s\npeilmoment        dag %d, %s\n"
                  "voorvoegsels      meldingen %s, casussen %s\nbewaartermijnen   meldingen %d, Leefbaarheid %d, "
                  "Casuïstiek %d dagen\nbijlagen          hoogstens %d, elk tot %lld bytes\nsluitingsdagen    %s\n",
                  t.name().c_str(), t.tenant_id().c_str(), s.time_zone().c_str(), s.triage_cut_off_weekday(),
                  s.triage_cut_off_time().c_str(), s.signal_reference_prefix().c_str(),
                  s.case_reference_prefix().c_str(), s.signal_retention_days(), s.leefbaarheid_retention_days(),
                  s.casuistiek_retention_days(), s.max_attachments_per_signal(),
                  static_cast<long long>(s.max_attachment_bytes()), absl::StrJoin(s.closing_days(), ", ").c_str());
    };
    if (what == "tenant show") {
      return AdminCall<v1::GetTenantRequest, v1::Tenant>(
          flags, rest, [](auto&) { return absl::OkStatus(); }, &S::GetTenant, print);
    }
    for (const auto& [flag, field] : settings) flags.Add(flag, "", "", "new " + field + " (see hartslag admin tenant show)");
    return AdminCall<v1::UpdateTenantSettingsRequest, v1::Tenant>(
        flags, rest,
        [&](v1::UpdateTenantSettingsRequest& r) -> absl::Status {
          const google::protobuf::Descriptor* type = v1::TenantSettings::descriptor();
          const google::protobuf::Reflection* reflection = r.settings().GetReflection();
          for (const auto& [flag, name] : settings) {
            if (!flags.IsSet(flag)) continue;
            const google::protobuf::FieldDescriptor* field = type->FindFieldByName(name);
            google::protobuf::Message* out = Change(r, name).mutable_settings();
            const std::string value = flags.Get(flag);
            if (field->is_repeated()) {
              for (absl::string_view day : absl::StrSplit(value, ',', absl::SkipEmpty())) {
                reflection->AddString(out, field, std::string(day));
              }
            } else if (field->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_STRING) {
              reflection->SetString(out, field, value);
            } else {
              int64_t number = 0;
              if (!absl::SimpleAtoi(value, &number)) return UsageError(absl::StrCat("--", flag, ": a whole number"));
              if (field->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_INT64) reflection->SetInt64(out, field, number);
              else reflection->SetInt32(out, field, static_cast<int32_t>(number));
            }
          }
          return absl::OkStatus();
        },
        &S::UpdateTenantSettings, print);
  }
  if (what == "org list") {
    return AdminCall<v1::ListOrganisationsRequest, v1::ListOrganisationsResponse>(
        flags, rest, [](auto&) { return absl::OkStatus(); }, &S::ListOrganisations,
        [](const v1::ListOrganisationsResponse& r) {
          Rows rows;
          for (const auto& o : r.organisations()) {
            rows.push_back({o.organisation_id(), std::string(OrganisationKindName(o.kind())), o.name()});
          }
          return rows;
        },
        {"ORGANISATIE", "SOORT", "NAAM"});
  }
  if (what == "user create") {
    AddRequestIdFlag(flags);
    flags.Add("id", "", "", "user id (login name)");
    flags.Add("org", "", "", "organisation id");
    flags.Add("name", "", "", "display name");
    flags.Add("roles", "", "", "comma-separated roles");
    flags.Add("areas", "", "", "comma-separated area ids");
    flags.Add("password-file", "", "", "file holding the initial password");
    return AdminCall<v1::CreateUserRequest, v1::User>(
        flags, rest,
        [&](auto& r) -> absl::Status {
          r.mutable_user()->set_user_id(flags.Get("id"));
          r.mutable_user()->set_organisation_id(flags.Get("org"));
          r.mutable_user()->set_display_name(flags.Get("name"));
          for (auto& role : ListFlag(flags.Get("roles"))) r.mutable_user()->add_roles(role);
          for (auto& area : ListFlag(flags.Get("areas"))) r.mutable_user()->add_areas(area);
          ASSIGN_OR_RETURN(*r.mutable_password(), ReadPassword(flags));
          r.set_request_id(RequestIdOf(flags));
          return absl::OkStatus();
        },
        &S::CreateUser, [](const v1::User& u) { std::printf("gebruiker %s aangemaakt\n", u.user_id().c_str()); });
  }
  if (what == "user update") {
    flags.Add("id", "", "", "user id");
    flags.Add("roles", "", "", "new comma-separated roles (--roles= for none)");
    flags.Add("areas", "", "", "new comma-separated areas (--areas= for none)");
    flags.Add("active", "", "", "true or false");
    flags.Add("password-file", "", "", "file holding a new password (for a user who forgot theirs)");
    return AdminCall<v1::UpdateUserRequest, v1::User>(
        flags, rest,
        [&](auto& r) -> absl::Status {
          r.set_user_id(flags.Get("id"));
          // Only what is given changes.
          if (flags.IsSet("roles")) {
            Change(r, "roles");
            for (auto& role : ListFlag(flags.Get("roles"))) r.add_roles(role);
          }
          if (flags.IsSet("areas")) {
            Change(r, "areas");
            for (auto& area : ListFlag(flags.Get("areas"))) r.add_areas(area);
          }
          if (flags.IsSet("active")) {
            ASSIGN_OR_RETURN(bool active, ParseActive(flags.Get("active")));
            Change(r, "active").set_active(active);
          }
          // Only from a file: a password on the command line would be in the
          // shell's history and the process list.
          if (flags.IsSet("password-file")) {
            if (flags.Get("password-file").empty()) return UsageError("--password-file: geef een bestand op");
            ASSIGN_OR_RETURN(*Change(r, "password").mutable_password(), ReadPassword(flags));
          }
          return absl::OkStatus();
        },
        &S::UpdateUser, [](const v1::User& u) {
          std::printf("gebruiker %s %s\n", u.user_id().c_str(), u.active() ? "actief" : "gedeactiveerd");
          // Refresh tokens are refused at once; an access token handed out
          // before lives until it expires.
          if (u.has_sessions_end_by()) {
            std::printf("lopende sessies worden niet meer verlengd; wie nu ingelogd is, is uiterlijk %s afgemeld\n",
                        absl::FormatTime("%Y-%m-%d %H:%M", absl::FromUnixSeconds(u.sessions_end_by().seconds()), CliTimeZone()).c_str());
          }
        });
  }
  if (what == "user list") {
    flags.Add("org", "", "", "only this organisation");
    return AdminCall<v1::ListUsersRequest, v1::ListUsersResponse>(
        flags, rest,
        [&](auto& r) {
          r.set_organisation_id(flags.Get("org"));
          return absl::OkStatus();
        },
        &S::ListUsers,
        [](const v1::ListUsersResponse& r) {
          Rows rows;
          for (const auto& u : r.users()) {
            rows.push_back({u.user_id(), u.organisation_id(), u.display_name(), absl::StrJoin(u.roles(), ","),
                            absl::StrJoin(u.areas(), ","), u.active() ? "actief" : "inactief"});
          }
          return rows;
        },
        {"GEBRUIKER", "ORGANISATIE", "NAAM", "ROLLEN", "GEBIEDEN", "STATUS"});
  }
  if (what == "client create") {
    AddRequestIdFlag(flags);
    flags.Add("id", "", "", "client id");
    flags.Add("org", "", "", "the organisation it acts for");
    flags.Add("uri", "", "", "the URI SAN of its certificate (hartslag pki client --uri)");
    return AdminCall<v1::CreateIntegratedClientRequest, v1::IntegratedClient>(
        flags, rest,
        [&](auto& r) {
          r.set_request_id(RequestIdOf(flags));
          r.mutable_client()->set_client_id(flags.Get("id"));
          r.mutable_client()->set_organisation_id(flags.Get("org"));
          r.mutable_client()->set_certificate_uri(flags.Get("uri"));
          return absl::OkStatus();
        },
        &S::CreateIntegratedClient,
        [](const v1::IntegratedClient& c) { std::printf("gekoppeld systeem %s geregistreerd\n", c.client_id().c_str()); });
  }
  if (what == "client update") {
    flags.Add("id", "", "", "client id");
    flags.Add("active", "", "", "true or false");
    return AdminCall<v1::UpdateIntegratedClientRequest, v1::IntegratedClient>(
        flags, rest,
        [&](auto& r) -> absl::Status {
          r.set_client_id(flags.Get("id"));
          if (flags.IsSet("active")) {
            ASSIGN_OR_RETURN(bool active, ParseActive(flags.Get("active")));
            Change(r, "active").set_active(active);
          }
          return absl::OkStatus();
        },
        &S::UpdateIntegratedClient, [](const v1::IntegratedClient& c) {
          std::printf("gekoppeld systeem %s %s\n", c.client_id().c_str(), c.active() ? "actief" : "gedeactiveerd");
        });
  }
  return absl::InternalError(absl::StrCat("admin ", what, ": not in the command table"));
}

// Runs `hartslag admin <what>`.
std::function<absl::Status(const Args&)> AdminRun(std::string what) {
  return [what](const Args& args) { return Admin(what, args); };
}

}  // namespace

std::vector<Command> AdminCommands() {
  return {{"tenant", "de gemeente en haar instellingen", nullptr,
           {{"show", "de instellingen van de gemeente", AdminRun("tenant show")},
            {"settings", "instellingen wijzigen (tijdzone, peilmoment, termijnen, sluitingsdagen)",
             AdminRun("tenant settings")}}},
          {"category", "meldingscategorieën met hun vragen en termijnen", nullptr, CategoryAdminCommands()},
          {"area", "gebieden en wijken", nullptr,
           {{"create", "een gebied aanmaken", AdminRun("area create")},
            {"update", "een gebied wijzigen", AdminRun("area update")},
            {"list", "de gebieden", AdminRun("area list")}}},
          {"org", "organisaties", nullptr,
           {{"create", "een organisatie aanmaken", AdminRun("org create")},
            {"update", "een organisatie hernoemen", AdminRun("org update")},
            {"list", "de organisaties", AdminRun("org list")}}},
          {"user", "gebruikers", nullptr,
           {{"create", "een gebruiker aanmaken", AdminRun("user create")},
            {"update", "rollen, gebieden, actief of wachtwoord wijzigen", AdminRun("user update")},
            {"list", "de gebruikers", AdminRun("user list")}}},
          {"client", "gekoppelde systemen (mTLS)", nullptr,
           {{"create", "een gekoppeld systeem registreren", AdminRun("client create")},
            {"update", "een gekoppeld systeem (de)activeren", AdminRun("client update")}}},
          {"outbox", "hoe de outbox van elke dienst ervoor staat", OutboxCommand},
          {"dead-letters", "de gebeurtenissen die een dienst heeft afgezet", nullptr, DeadLettersCommands()}};
}

}  // namespace hartslag::cli
