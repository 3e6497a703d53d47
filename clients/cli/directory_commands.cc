// hartslag login|refresh|client-token and hartslag admin ...: tokens from the
// directory, and its administration.
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
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

Flags DirectoryFlags(const std::string& name, const std::string& summary) {
  Flags flags(name, summary);
  Connection::AddFlags(flags, kServerEnv, kDefaultServer);
  flags.AddBool("json", "", false, "print JSON");
  return flags;
}

// The password from --password-file, HARTSLAG_PASSWORD, or typed without echo.
absl::StatusOr<std::string> ReadPassword(const Flags& flags) {
  if (!flags.Get("password-file").empty()) {
    ASSIGN_OR_RETURN(std::string text, ReadFile(flags.Get("password-file"), "--password-file"));
    return std::string(absl::StripTrailingAsciiWhitespace(text));
  }
  if (const char* env = std::getenv("HARTSLAG_PASSWORD"); env != nullptr) return std::string(env);
  if (!isatty(STDIN_FILENO)) {
    return absl::InvalidArgumentError("no password: use --password-file or HARTSLAG_PASSWORD");
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
    if (!out) return absl::InvalidArgumentError(absl::StrCat("--save: cannot write ", file));
    chmod(file.c_str(), 0600);
    out << text << "\n";
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(write(path, tokens.access_token()));
  if (!tokens.refresh_token().empty()) RETURN_IF_ERROR(write(path + ".refresh", tokens.refresh_token()));
  std::fprintf(stderr, "token saved in %s (valid until %s)\n", path.c_str(),
               LocalTime(tokens.expires_at()).c_str());
  return absl::OkStatus();
}

absl::Status Login(const std::vector<std::string>& args) {
  Flags flags = DirectoryFlags("hartslag login", "log in with a password and get a token");
  flags.Add("tenant", "HARTSLAG_TENANT", "heerlen", "municipality");
  flags.Add("user", "HARTSLAG_USER", "", "user id");
  flags.Add("password-file", "", "", "file holding the password (else HARTSLAG_PASSWORD or a prompt)");
  flags.Add("save", "", "", "write the token to this file instead of printing it");
  RETURN_IF_ERROR(flags.Parse(args));
  ASSIGN_OR_RETURN(Connection connection, Connection::FromFlags(flags));
  v1::LoginRequest request;
  request.set_tenant_id(flags.Get("tenant"));
  request.set_user_id(flags.Get("user"));
  ASSIGN_OR_RETURN(*request.mutable_password(), ReadPassword(flags));
  v1::TokenResponse tokens;
  RETURN_IF_ERROR(FromGrpcStatus(v1::AuthService::NewStub(connection.channel())
                               ->Login(connection.NewCall().get(), request, &tokens)));
  return Deliver(flags, tokens);
}

absl::Status Refresh(const std::vector<std::string>& args) {
  Flags flags = DirectoryFlags("hartslag refresh", "renew a saved token with its refresh token");
  flags.Add("save", "", "", "the file `hartslag login --save` wrote");
  RETURN_IF_ERROR(flags.Parse(args));
  if (flags.Get("save").empty()) return absl::InvalidArgumentError("--save is required");
  ASSIGN_OR_RETURN(Connection connection, Connection::FromFlags(flags));
  v1::RefreshTokenRequest request;
  ASSIGN_OR_RETURN(std::string refresh, ReadFile(flags.Get("save") + ".refresh", "--save"));
  request.set_refresh_token(std::string(absl::StripAsciiWhitespace(refresh)));
  v1::TokenResponse tokens;
  RETURN_IF_ERROR(FromGrpcStatus(v1::AuthService::NewStub(connection.channel())
                               ->RefreshToken(connection.NewCall().get(), request, &tokens)));
  return Deliver(flags, tokens);
}

absl::Status ClientToken(const std::vector<std::string>& args) {
  Flags flags = DirectoryFlags("hartslag client-token",
                               "as an integrated client (--cert/--key), get a token for a user");
  flags.Add("user", "", "", "the user of your organisation to act for");
  flags.Add("save", "", "", "write the token to this file instead of printing it");
  RETURN_IF_ERROR(flags.Parse(args));
  ASSIGN_OR_RETURN(Connection connection, Connection::FromFlags(flags));
  v1::IssueClientTokenRequest request;
  request.set_user_id(flags.Get("user"));
  v1::TokenResponse tokens;
  RETURN_IF_ERROR(FromGrpcStatus(v1::AuthService::NewStub(connection.channel())
                               ->IssueClientToken(connection.NewCall().get(), request, &tokens)));
  return Deliver(flags, tokens);
}

std::vector<std::string> List(const std::string& text) {
  return absl::StrSplit(text, ',', absl::SkipWhitespace());
}

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
  return absl::InvalidArgumentError("--active: true or false");
}

// Runs one admin RPC: parse flags, call, print the result. A list is read
// to its end and printed as one.
template <typename Request, typename Response, typename Call>
absl::Status AdminCall(Flags& flags, const std::vector<std::string>& args,
                       const std::function<absl::Status(Request&)>& fill, Call call,
                       const std::function<void(const Response&)>& print) {
  RETURN_IF_ERROR(flags.Parse(args));
  ASSIGN_OR_RETURN(Connection connection, Connection::FromFlags(flags));
  Request request;
  RETURN_IF_ERROR(fill(request));
  Response response;
  auto stub = v1::DirectoryService::NewStub(connection.channel());
  auto fetch = [&](const Request& page_request, Response& page) {
    return FromGrpcStatus(((*stub).*call)(connection.NewCall().get(), page_request, &page));
  };
  if constexpr (requires { response.next_page_token(); }) {
    RETURN_IF_ERROR(AllPages(request, response, fetch));
  } else {
    RETURN_IF_ERROR(fetch(request, response));
  }
  if (flags.GetBool("json")) {
    PrintJson(response);
  } else {
    print(response);
  }
  return absl::OkStatus();
}

void PrintUsers(const google::protobuf::RepeatedPtrField<v1::User>& users) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& u : users) {
    rows.push_back({u.user_id(), u.organisation_id(), u.display_name(), absl::StrJoin(u.roles(), ","),
                    absl::StrJoin(u.areas(), ","), u.active() ? "actief" : "inactief"});
  }
  PrintTable({"USER", "ORGANISATION", "NAME", "ROLES", "AREAS", "STATUS"}, rows);
}

absl::Status Admin(const std::vector<std::string>& args) {
  if (!args.empty() && args[0] == "outbox") {
    return OutboxCommand(std::vector<std::string>(args.begin() + 1, args.end()));
  }
  if (!args.empty() && args[0] == "dead-letters") {
    return DeadLettersCommand(std::vector<std::string>(args.begin() + 1, args.end()));
  }
  const std::string what = args.size() >= 2 ? args[0] + " " + args[1] : "";
  std::vector<std::string> rest(args.begin() + std::min<size_t>(2, args.size()), args.end());
  Flags flags = DirectoryFlags("hartslag admin " + what, "administer the directory (ADMIN role)");
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
        &S::CreateArea, [](const v1::Area& a) { std::printf("area %s created\n", a.area_id().c_str()); });
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
        &S::UpdateArea, [](const v1::Area& a) { std::printf("area %s updated\n", a.area_id().c_str()); });
  }
  if (what == "area list") {
    return AdminCall<v1::ListAreasRequest, v1::ListAreasResponse>(
        flags, rest, [](auto&) { return absl::OkStatus(); }, &S::ListAreas,
        [](const v1::ListAreasResponse& r) {
          std::vector<std::vector<std::string>> rows;
          for (const auto& a : r.areas()) rows.push_back({a.area_id(), a.parent_area_id(), a.name()});
          PrintTable({"AREA", "PARENT", "NAME"}, rows);
        });
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
          if (!kind) return absl::InvalidArgumentError("--kind: unknown organisation kind");
          r.set_request_id(RequestIdOf(flags));
          r.mutable_organisation()->set_organisation_id(flags.Get("id"));
          r.mutable_organisation()->set_name(flags.Get("name"));
          r.mutable_organisation()->set_kind(*kind);
          return absl::OkStatus();
        },
        &S::CreateOrganisation,
        [](const v1::Organisation& o) { std::printf("organisation %s created\n", o.organisation_id().c_str()); });
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
        [](const v1::Organisation& o) { std::printf("organisation %s renamed\n", o.organisation_id().c_str()); });
  }
  if (what == "org list") {
    return AdminCall<v1::ListOrganisationsRequest, v1::ListOrganisationsResponse>(
        flags, rest, [](auto&) { return absl::OkStatus(); }, &S::ListOrganisations,
        [](const v1::ListOrganisationsResponse& r) {
          std::vector<std::vector<std::string>> rows;
          for (const auto& o : r.organisations()) {
            rows.push_back({o.organisation_id(), std::string(OrganisationKindName(o.kind())), o.name()});
          }
          PrintTable({"ORGANISATION", "KIND", "NAME"}, rows);
        });
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
          for (auto& role : List(flags.Get("roles"))) r.mutable_user()->add_roles(role);
          for (auto& area : List(flags.Get("areas"))) r.mutable_user()->add_areas(area);
          ASSIGN_OR_RETURN(*r.mutable_password(), ReadPassword(flags));
          r.set_request_id(RequestIdOf(flags));
          return absl::OkStatus();
        },
        &S::CreateUser, [](const v1::User& u) { std::printf("user %s created\n", u.user_id().c_str()); });
  }
  if (what == "user update") {
    flags.Add("id", "", "", "user id");
    flags.Add("roles", "", "", "new comma-separated roles (--roles= for none)");
    flags.Add("areas", "", "", "new comma-separated areas (--areas= for none)");
    flags.Add("active", "", "", "true or false");
    return AdminCall<v1::UpdateUserRequest, v1::User>(
        flags, rest,
        [&](auto& r) -> absl::Status {
          r.set_user_id(flags.Get("id"));
          // Only what is given changes.
          if (flags.IsSet("roles")) {
            Change(r, "roles");
            for (auto& role : List(flags.Get("roles"))) r.add_roles(role);
          }
          if (flags.IsSet("areas")) {
            Change(r, "areas");
            for (auto& area : List(flags.Get("areas"))) r.add_areas(area);
          }
          if (flags.IsSet("active")) {
            ASSIGN_OR_RETURN(bool active, ParseActive(flags.Get("active")));
            Change(r, "active").set_active(active);
          }
          return absl::OkStatus();
        },
        &S::UpdateUser, [](const v1::User& u) {
          std::printf("user %s %s\n", u.user_id().c_str(), u.active() ? "active" : "deactivated");
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
        &S::ListUsers, [](const v1::ListUsersResponse& r) { PrintUsers(r.users()); });
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
        [](const v1::IntegratedClient& c) { std::printf("integrated client %s registered\n", c.client_id().c_str()); });
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
          std::printf("integrated client %s %s\n", c.client_id().c_str(), c.active() ? "active" : "deactivated");
        });
  }
  std::printf(
      "usage: hartslag admin area create|update|list, org create|update|list, user create|update|list,\n"
      "       client create|update, outbox, dead-letters audit|cases|directory|intake  (each takes --help)\n");
  return absl::InvalidArgumentError(absl::StrCat("unknown admin command ", what));
}

}  // namespace

absl::Status DirectoryCommand(const std::string& command, const std::vector<std::string>& args) {
  if (command == "login") return Login(args);
  if (command == "refresh") return Refresh(args);
  if (command == "client-token") return ClientToken(args);
  return Admin(args);
}

}  // namespace hartslag::cli
