#include "services/common/operations_service.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/common/group_commit.h"
#include "services/common/page_token.h"
#include "services/common/proto_time.h"
#include "services/common/status_macros.h"

namespace hartslag {

const AccessPolicy kOperationsPolicy({
    {"ListDeadLetters", Roles({Role::kAdmin}).Audit(audit::v1::ACTION_LIST, "outbox_event")},
    {"GetOutboxStatus", Roles({Role::kAdmin}).Audit(audit::v1::ACTION_READ, "outbox")},
    {"Ping", Roles({Role::kReporter, Role::kCoordinator, Role::kPartner, Role::kPrivacyOfficer, Role::kAdmin})
                 .Unaudited()},
});

grpc::ServerUnaryReactor* OperationsServiceImpl::Ping(grpc::CallbackServerContext* call,
                                                      const operations::v1::PingRequest* request,
                                                      operations::v1::PingResponse* response) {
  auto pong = [response](const RequestContext&, AuditRecord&) {
    *response->mutable_server_time() = TimeToProto(absl::Now());
    return absl::OkStatus();
  };
  // Answered on gRPC's own thread, the way SubmitSignal goes up to its
  // batch: the bench's echo is the cost of that way with nothing to store.
  return runner_.Run(call, "Ping", *request, pong,
                     [pong](const RequestContext& c, AuditRecord& audit, std::shared_ptr<RpcRunner::Later> later) {
                       later->Finish(pong(c, audit));
                       return true;
                     });
}

grpc::ServerUnaryReactor* OperationsServiceImpl::GetOutboxStatus(grpc::CallbackServerContext* call,
                                                                 const operations::v1::GetOutboxStatusRequest* request,
                                                                 operations::v1::GetOutboxStatusResponse* response) {
  return runner_.Run(call, "GetOutboxStatus", *request,
                     Into(response, [this](const RequestContext& caller, AuditRecord&)
                                        -> absl::StatusOr<operations::v1::GetOutboxStatusResponse> {
                       ASSIGN_OR_RETURN(std::vector<Outbox::Backlog> backlogs,
                                        audit_->outbox().Backlogs(*pool_, targets_, caller.tenant));
                       operations::v1::GetOutboxStatusResponse out;
                       for (const Outbox::Backlog& b : backlogs) {
                         operations::v1::OutboxStatus& status = *out.add_outboxes();
                         status.set_target(b.target);
                         status.set_pending(b.pending);
                         if (b.oldest_pending) *status.mutable_oldest_pending_at() = TimeToProto(*b.oldest_pending);
                         status.set_dead_letters(b.dead_letters);
                       }
                       return out;
                     }));
}

absl::StatusOr<std::unique_ptr<MetricsEndpoint>> ServeMetrics(const Flags& flags, db::Pool* pool,
                                                              const ServiceAudit* audit,
                                                              std::vector<std::string> targets,
                                                              MetricsEndpoint::Collect more) {
  return MetricsEndpoint::Start(flags.Get("metrics-address"), [pool, audit, targets, more] {
    std::vector<prometheus::MetricFamily> families;
    db::PoolStats stats = pool->Stats();
    families.push_back(GaugeFamily("hartslag_db_pool_connections", "the database pool's connections by state",
                                   "state", {{"in_use", stats.open - stats.idle}, {"idle", stats.idle}}));
    families.push_back(GaugeFamily("hartslag_db_pool_size", "the most connections the pool keeps", "",
                                   {{"", stats.size}}));
    families.push_back(HistogramFamily(
        "hartslag_db_pool_wait_seconds", "how long transactions waited for a database connection",
        std::vector<double>(db::PoolStats::kWaitBounds.begin(), db::PoolStats::kWaitBounds.end()),
        std::vector<uint64_t>(stats.waits.begin(), stats.waits.end()), stats.wait_seconds));
    // Counted in this process: shown also while the database is away,
    // when failed batches matter most.
    std::vector<std::pair<std::string, double>> batches, items, failed, queued, running;
    for (const auto& [name, counts] : GroupCommitCounts::All()) {
      batches.emplace_back(name, static_cast<double>(counts.batches));
      items.emplace_back(name, static_cast<double>(counts.items));
      failed.emplace_back(name, static_cast<double>(counts.failed_batches));
      queued.emplace_back(name, counts.queued_seconds);
      running.emplace_back(name, counts.running_seconds);
    }
    families.push_back(CounterFamily("hartslag_group_commit_batches_total",
                                     "batches of a group commit (submit: signals; audit_records: the records of "
                                     "reads and refusals)",
                                     "batch", batches));
    families.push_back(CounterFamily("hartslag_group_commit_items_total", "items the batches held", "batch", items));
    families.push_back(CounterFamily("hartslag_group_commit_failed_batches_total",
                                     "batches that failed as a whole", "batch", failed));
    families.push_back(CounterFamily("hartslag_group_commit_queued_seconds_total",
                                     "time items waited for their batch to start, summed", "batch", queued));
    families.push_back(CounterFamily("hartslag_group_commit_running_seconds_total",
                                     "time batches ran, summed", "batch", running));
    // A scrape must answer within Prometheus's timeout also while the
    // database is away: one quick look, and only then the queries.
    db::TransactionOptions quick;
    quick.deadline = absl::Now() + absl::Seconds(2);
    quick.max_attempts = 1;
    quick.retry_unavailable_for = absl::ZeroDuration();
    auto reachable = [&](bool answered) {
      families.push_back(GaugeFamily("hartslag_database_reachable",
                                     "1 when the service's database answered the last scrape", "", {{"", answered}}));
    };
    // No connection free for 2 s counts as out of reach too: a database that
    // hangs keeps every connection busy (the alert waits minutes first).
    if (!pool->Query("SELECT 1", {}, quick).ok()) {
      reachable(false);
      return families;
    }
    if (more) {
      for (prometheus::MetricFamily& family : more()) families.push_back(std::move(family));
    }
    absl::StatusOr<std::vector<Outbox::Backlog>> backlogs = audit->outbox().Backlogs(*pool, targets, std::nullopt);
    reachable(backlogs.ok());
    if (!backlogs.ok()) return families;
    std::vector<std::pair<std::string, double>> pending, age, dead;
    absl::Time now = absl::Now();
    for (const Outbox::Backlog& b : *backlogs) {
      pending.emplace_back(b.target, b.pending);
      age.emplace_back(b.target, b.oldest_pending ? absl::ToDoubleSeconds(now - *b.oldest_pending) : 0);
      dead.emplace_back(b.target, b.dead_letters);
    }
    families.push_back(GaugeFamily("hartslag_outbox_pending", "outbox events waiting for their receiver", "target",
                                   pending));
    families.push_back(GaugeFamily("hartslag_outbox_oldest_pending_seconds",
                                   "age of the oldest event waiting; 0 when none wait", "target", age));
    families.push_back(GaugeFamily("hartslag_outbox_dead_letters",
                                   "events set aside because their receiver can never accept them (never deleted)",
                                   "target", dead));
    return families;
  });
}

grpc::ServerUnaryReactor* OperationsServiceImpl::ListDeadLetters(
    grpc::CallbackServerContext* call, const operations::v1::ListDeadLettersRequest* request,
    operations::v1::ListDeadLettersResponse* response) {
  return runner_.Run(call, "ListDeadLetters", *request,
                     Into(response, [this, request](const RequestContext& caller, AuditRecord& audit)
                                        -> absl::StatusOr<operations::v1::ListDeadLettersResponse> {
                       ASSIGN_OR_RETURN(Paging paging, PagingOf(*request, 50, 500, 1));
                       std::optional<int64_t> before_seq;
                       if (!paging.after.empty()) {
                         int64_t seq = 0;
                         if (!absl::SimpleAtoi(paging.after[0], &seq)) {
                           return absl::InvalidArgumentError("page_token: not a token from a previous page");
                         }
                         before_seq = seq;
                       }
                       ASSIGN_OR_RETURN(auto letters, audit_->outbox().DeadLetters(*pool_, caller.tenant, before_seq,
                                                                                   paging.size + 1, caller.deadline));
                       std::vector<operations::v1::DeadLetter> page;
                       for (const Outbox::DeadLetter& letter : letters.first) {
                         operations::v1::DeadLetter& d = page.emplace_back();
                         d.set_seq(letter.seq);
                         d.set_target(letter.target);
                         d.set_event_id(letter.event_id);
                         d.set_payload_bytes(letter.payload_bytes);
                         *d.mutable_created_at() = TimeToProto(letter.created_at);
                         *d.mutable_set_aside_at() = TimeToProto(letter.set_aside_at);
                         d.set_reason(letter.reason);
                       }
                       operations::v1::ListDeadLettersResponse out;
                       out.set_next_page_token(CutPage(page, paging, [](const operations::v1::DeadLetter& last) {
                         return std::vector<std::string>{absl::StrCat(last.seq())};
                       }));
                       for (operations::v1::DeadLetter& d : page) *out.add_dead_letters() = std::move(d);
                       out.set_total(letters.second);
                       audit.SetResultCount(out.dead_letters_size());
                       return out;
                     }));
}

}  // namespace hartslag
