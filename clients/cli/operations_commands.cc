// hartslag admin dead-letters <service>: the outbox events a service set
// aside because their receiver can never accept them; hartslag admin outbox:
// how each service's outbox fares.
#include <cstdio>
#include <map>

#include "absl/strings/str_cat.h"
#include "clients/cli/commands.h"
#include "clients/cli/connection.h"
#include "clients/cli/output.h"
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

absl::Status OutboxCommand(const std::vector<std::string>& args) {
  std::vector<std::vector<std::string>> rows;
  absl::Status first_error;
  for (const auto& [name, address] : kServices) {
    // Each service at its own address (HARTSLAG_<SERVICE>_ADDR).
    Flags flags("hartslag admin outbox",
                "how each service's outbox fares: events waiting per receiver, the oldest's age, dead letters (ADMIN)");
    ASSIGN_OR_RETURN(Connection connection, Connection::Parse(flags, args, address.first, address.second));
    auto stub = operations::v1::OperationsService::NewStub(connection.channel());
    operations::v1::GetOutboxStatusResponse response;
    absl::Status status = FromGrpcStatus(stub->GetOutboxStatus(connection.NewCall().get(), {}, &response));
    if (!status.ok()) {
      rows.push_back({name, "-", "-", "-", "-", std::string(status.message())});
      if (first_error.ok()) first_error = status;
      continue;
    }
    for (const auto& outbox : response.outboxes()) {
      rows.push_back({name, outbox.target(), absl::StrCat(outbox.pending()),
                      outbox.has_oldest_pending_at() ? LocalTime(outbox.oldest_pending_at()) : "-",
                      absl::StrCat(outbox.dead_letters()), "ok"});
    }
    if (response.outboxes().empty()) rows.push_back({name, "-", "0", "-", "0", "ok"});
  }
  PrintTable({"SERVICE", "TO", "WAITING", "OLDEST", "DEAD LETTERS", "STATUS"}, rows);
  return first_error;
}

absl::Status DeadLettersCommand(const std::vector<std::string>& args) {
  auto service = args.empty() ? kServices.end() : kServices.find(args[0]);
  if (service == kServices.end()) {
    std::printf("usage: hartslag admin dead-letters audit|cases|directory|intake [--limit N] [--page-token T] [--json]\n");
    return absl::InvalidArgumentError("name the service: audit, cases, directory or intake");
  }
  Flags flags(absl::StrCat("hartslag admin dead-letters ", args[0]),
              "the outbox events the service set aside because their receiver can never accept them (ADMIN)");
  flags.Add("limit", "", "50", "show at most this many, newest first (up to 500)");
  flags.Add("page-token", "", "", "continue with the older ones a previous listing named");
  ASSIGN_OR_RETURN(Connection connection,
                   Connection::Parse(flags, std::vector<std::string>(args.begin() + 1, args.end()),
                                     service->second.first, service->second.second));
  operations::v1::ListDeadLettersRequest request;
  ASSIGN_OR_RETURN(int limit, flags.GetInt("limit"));
  request.set_page_size(limit);
  request.set_page_token(flags.Get("page-token"));
  operations::v1::ListDeadLettersResponse response;
  auto stub = operations::v1::OperationsService::NewStub(connection.channel());
  RETURN_IF_ERROR(FromGrpcStatus(stub->ListDeadLetters(connection.NewCall().get(), request, &response)));
  if (flags.GetBool("json")) {
    PrintJson(response);
    return absl::OkStatus();
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& d : response.dead_letters()) {
    rows.push_back({LocalTime(d.set_aside_at()), d.target(), d.event_id(), absl::StrCat(d.payload_bytes()),
                    d.reason()});
  }
  PrintTable({"SET ASIDE", "TARGET", "EVENT", "BYTES", "REASON"}, rows);
  std::printf("%lld set aside in all", static_cast<long long>(response.total()));
  if (!response.next_page_token().empty()) {
    std::printf("; older ones with --page-token %s", response.next_page_token().c_str());
  }
  std::printf("\n");
  return absl::OkStatus();
}

}  // namespace hartslag::cli
