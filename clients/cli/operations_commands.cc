// hartslag admin dead-letters <service>: the outbox events a service set
// aside because their receiver can never accept them; hartslag admin outbox:
// how each service's outbox fares; hartslag health: whether a service can
// work (a readiness probe runs it).
#include <cstdio>
#include <map>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clients/cli/commands.h"
#include "clients/cli/connection.h"
#include "clients/cli/flag_values.h"
#include "clients/cli/output.h"
#include "clients/cpp/health.h"
#include "hartslag/operations/v1/operations.grpc.pb.h"
#include "services/common/grpc_status.h"
#include "services/common/status_macros.h"

namespace hartslag::cli {

namespace {

// Each service: the variable naming its address, and its default address.
const std::map<std::string, std::pair<std::string, std::string>> kServices = {
    {"audit", {"HARTSLAG_AUDIT_ADDR", "localhost:7404"}},
    {"cases", {"HARTSLAG_CASES_ADDR", "localhost:7403"}},
    {"directory", {"HARTSLAG_DIRECTORY_ADDR", "localhost:7401"}},
    {"intake", {"HARTSLAG_INTAKE_ADDR", "localhost:7402"}},
};

}  // namespace

absl::Status OutboxCommand(const Args& args) {
  Rows rows;
  // As JSON, one object with each service's answer under its name.
  std::vector<std::string> json;
  absl::Status first_error;
  std::optional<Flags> parsed;
  for (const auto& [name, address] : kServices) {
    // Each service at its own address (HARTSLAG_<SERVICE>_ADDR).
    Flags flags("hartslag admin outbox",
                "how each service's outbox fares: events waiting per receiver, the oldest's age, dead letters (ADMIN)");
    ASSIGN_OR_RETURN(Connection connection,
                     Connection::Parse(flags, args, address.first, address.second, Shape::kList));
    parsed = std::move(flags);
    auto stub = operations::v1::OperationsService::NewStub(connection.channel());
    operations::v1::GetOutboxStatusResponse response;
    absl::Status status = FromGrpcStatus(stub->GetOutboxStatus(connection.NewCall().get(), {}, &response));
    if (!status.ok()) {
      rows.push_back({name, "", "", "", "", std::string(status.message())});
      if (first_error.ok()) first_error = status;
      continue;
    }
    json.push_back(absl::StrCat("\"", name, "\":", JsonOf(response)));
    for (const auto& outbox : response.outboxes()) {
      rows.push_back({name, outbox.target(), absl::StrCat(outbox.pending()),
                      outbox.has_oldest_pending_at() ? LocalTime(outbox.oldest_pending_at()) : "",
                      absl::StrCat(outbox.dead_letters()), "ok"});
    }
    if (response.outboxes().empty()) rows.push_back({name, "", "0", "", "0", "ok"});
  }
  if (FormatOf(*parsed) == Format::kJson) {
    std::printf("{%s}\n", absl::StrJoin(json, ",").c_str());
  } else {
    PrintRows(*parsed, {"DIENST", "NAAR", "WACHTEND", "OUDSTE", "AFGEZET", "STATUS"}, rows);
  }
  return first_error;
}

absl::Status HealthCommand(const Args& args) {
  Flags flags("hartslag health",
              "of een dienst kan werken: 0 als hij SERVING antwoordt, 1 als niet (bijvoorbeeld zonder database) of "
              "als hij niet antwoordt; geen token nodig");
  ASSIGN_OR_RETURN(Connection connection, Connection::Parse(flags, args, "", ""));
  ASSIGN_OR_RETURN(absl::Duration timeout, flags.GetDuration("timeout"));
  ASSIGN_OR_RETURN(bool serving, client::IsServing(connection.channel(), timeout));
  if (!serving) return absl::UnavailableError("NOT_SERVING: de dienst draait maar kan nu niet werken (database?)");
  std::printf("SERVING\n");
  return absl::OkStatus();
}

namespace {

absl::Status DeadLetters(const std::string& service, const Args& args) {
  Flags flags(absl::StrCat("hartslag admin dead-letters ", service),
              "the outbox events the service set aside because their receiver can never accept them (ADMIN)");
  flags.Add("limit", "", "50", "show at most this many, newest first (up to 500)");
  flags.Add("page-token", "", "", "continue with the older ones a previous listing named");
  const auto& [env, default_address] = kServices.at(service);
  ASSIGN_OR_RETURN(Connection connection, Connection::Parse(flags, args, env, default_address, Shape::kList));
  operations::v1::ListDeadLettersRequest request;
  ASSIGN_OR_RETURN(int limit, flags.GetInt("limit"));
  request.set_page_size(limit);
  request.set_page_token(flags.Get("page-token"));
  operations::v1::ListDeadLettersResponse response;
  auto stub = operations::v1::OperationsService::NewStub(connection.channel());
  RETURN_IF_ERROR(FromGrpcStatus(stub->ListDeadLetters(connection.NewCall().get(), request, &response)));
  Rows rows;
  for (const auto& d : response.dead_letters()) {
    rows.push_back({LocalTime(d.set_aside_at()), d.target(), d.event_id(), absl::StrCat(d.payload_bytes()),
                    d.reason()});
  }
  std::string note = absl::StrCat(response.total(), " afgezet in totaal");
  if (!response.next_page_token().empty()) absl::StrAppend(&note, "; oudere met --page-token ", response.next_page_token());
  PrintList(flags, response, {"AFGEZET OP", "ONTVANGER", "GEBEURTENIS", "BYTES", "REDEN"}, rows, note);
  return absl::OkStatus();
}

}  // namespace

std::vector<Command> DeadLettersCommands() {
  std::vector<Command> commands;
  for (const auto& [service, address] : kServices) {
    commands.push_back({service, absl::StrCat("wat hartslag-", service, " heeft afgezet"),
                        [service](const Args& args) { return DeadLetters(service, args); }});
  }
  return commands;
}

}  // namespace hartslag::cli
