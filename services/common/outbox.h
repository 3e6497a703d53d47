// The outbox: how a service hands events to another service without losing
// any and without changing two databases in one step.
//
// A service writes an event into its own `<schema>.outbox` table in the same
// transaction as the work the event records, so the work cannot commit
// without it. An OutboxRelay in the same service delivers the events in
// batches to the receiver (which is idempotent by event id), deletes them
// only after the receiver acknowledged, backs off while the receiver is
// down, and after a restart simply carries on with what is left in the table.
// An event the receiver can never accept (it says so per event, or the event
// is larger than any receiver takes) is set aside into
// `<schema>.dead_letters` instead of blocking the events behind it.
//
//   Outbox outbox(intake::kSchema);   // the table: migrations/NNNN_outbox.sql
//   outbox.Add(tx, kAuditTarget, {event_id, tenant, bytes});
#ifndef HARTSLAG_SERVICES_COMMON_OUTBOX_H_
#define HARTSLAG_SERVICES_COMMON_OUTBOX_H_

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <google/protobuf/descriptor.h>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "hartslag/common/v1/common.pb.h"
#include "services/common/db.h"
#include "services/common/periodic_task.h"

namespace hartslag {

struct OutboxEvent {
  std::string event_id;  // UUID, the receiver's idempotency key
  std::string tenant;
  std::string payload;   // serialized protobuf, as the receiver expects it
};

class Outbox {
 public:
  // `schema` is the owning service's schema constant, never input.
  explicit Outbox(absl::string_view schema);

  // An event whose id the outbox holds already is the same event written
  // again (work done twice because the answer of its first commit was lost)
  // and is not added a second time; once delivered, the receiver drops it.
  // The event is written with the transaction's COMMIT, in its round trip,
  // and a failure to write it fails the commit.
  // intake's batch of signals writes its records with a statement of its own
  // (kStoreSignals, services/intake/signal_store.cc), as Add does: a change
  // to how events are written changes both.
  void Add(db::Transaction& tx, absl::string_view target, const OutboxEvent& event) const;
  // Several events in one statement (a group commit).
  void AddAll(db::Transaction& tx, absl::string_view target, const std::vector<OutboxEvent>& events) const;
  // How many events wait for `target`.
  absl::StatusOr<int64_t> Pending(db::Pool& pool, absl::string_view target) const;

  // How the outbox fares for one receiver.
  struct Backlog {
    std::string target;
    int64_t pending = 0;
    std::optional<absl::Time> oldest_pending;
    int64_t dead_letters = 0;
  };
  // Per receiver, by target, each of `targets` included (with zeros when it
  // has no events); of `tenant` only if given.
  absl::StatusOr<std::vector<Backlog>> Backlogs(db::Pool& pool, const std::vector<std::string>& targets,
                                                const std::optional<std::string>& tenant) const;

  // An event set aside, without its payload (which may hold personal data).
  struct DeadLetter {
    int64_t seq = 0;
    std::string target;
    std::string tenant;
    std::string event_id;
    int64_t payload_bytes = 0;
    absl::Time created_at;
    absl::Time set_aside_at;
    std::string reason;
  };
  // The events of `tenant` set aside, newest first (by seq), at most `limit`
  // of those before `before_seq` (all when nullopt), and how many there are
  // in all.
  absl::StatusOr<std::pair<std::vector<DeadLetter>, int64_t>> DeadLetters(db::Pool& pool,
                                                                          const std::string& tenant,
                                                                          std::optional<int64_t> before_seq,
                                                                          int limit,
                                                                          absl::Time deadline = absl::InfiniteFuture()) const;

 private:
  friend class OutboxRelay;
  // The statements of every record and every delivery, prepared once per
  // connection under a name of this schema.
  db::Statement insert_, insert_all_, select_batch_, payloads_, delete_batch_;
  std::string backlogs_, count_, set_aside_, dead_letters_, dead_letter_count_;
};

// Delivers one target's events from an outbox, in the background. Several
// instances of a service may run relays on the same table: a batch is locked
// while it is being delivered (SKIP LOCKED), and the receiver is idempotent,
// so an event delivered twice after a crash is still stored once.
class OutboxRelay {
 public:
  // A receiver's refusal of one event of a batch, for good: retrying cannot
  // help (the event is invalid or too large).
  struct Refusal {
    int index = 0;  // position in the batch
    std::string reason;
  };
  // A receiver's answer (common::v1::RefusedItem, by position in the batch
  // it was sent) as refusals.
  static std::vector<Refusal> Refusals(const google::protobuf::RepeatedPtrField<common::v1::RefusedItem>& refused);
  // Delivers a batch of payloads, in outbox order. OK means every event not
  // refused is stored; an error means the batch is to be retried.
  using Deliver =
      std::function<absl::StatusOr<std::vector<Refusal>>(const std::vector<std::string>& payloads)>;
  // Called in the transaction that sets `event` aside, to record that it did
  // (the audit trail writes a record of it to the outbox).
  using OnSetAside = std::function<absl::Status(db::Transaction& tx, const Outbox::DeadLetter& event,
                                                absl::string_view payload)>;

  struct Options {
    int batch_size = 500;
    // A batch ends before this many payload bytes, so that it always fits
    // the receiver's message limit (4 MiB).
    int64_t batch_bytes = 2 << 20;
    // Larger events are set aside without being sent: no receiver takes them.
    int64_t max_event_bytes = 1 << 20;
    absl::Duration idle_poll = absl::Milliseconds(200);
    // After a batch that was not full (it ended before batch_size events
    // and batch_bytes), the wait before the next, which a
    // nudge does not cut short (its event goes with the next batch): a
    // steady trickle of events then travels in batches instead of one by
    // one, each a transaction here and a call to the receiver. Delivery is
    // that much later; the events are durable in the outbox meanwhile.
    absl::Duration gather = absl::Milliseconds(5);
    // A batch is looked for after the last event taken, and from the
    // outbox's first event (a sweep) when that finds none, and at least this
    // often. An event can commit after events with a higher seq were taken
    // (its transaction took its seq first and committed later), and a batch
    // another relay locked and then failed to deliver lies behind them too:
    // those wait for a sweep. Looking from the first event every time would
    // step, in the index, over every event deleted since the last vacuum: at
    // 2,000 events a second that made the look-up 1.8 ms instead of 0.13.
    absl::Duration sweep = absl::Seconds(1);
    absl::Duration min_backoff = absl::Milliseconds(100);
    absl::Duration max_backoff = absl::Seconds(10);

    // Held to a receiver that takes the events as the items of `events`, a
    // field of its request. The receiver refuses a whole call for one event
    // over that field's bound (request_bounds.h), and the relay would send
    // such a batch again for ever, the events behind it with it: a larger
    // event is set aside unsent instead, and a batch holds no more events
    // than the field admits.
    Options& WithinReceiverBounds(const google::protobuf::FieldDescriptor* events);
  };

  OutboxRelay(db::Pool* pool, const Outbox* outbox, std::string target, Deliver deliver,
              Options options);
  OutboxRelay(db::Pool* pool, const Outbox* outbox, std::string target, Deliver deliver)
      : OutboxRelay(pool, outbox, std::move(target), std::move(deliver), Options()) {}
  ~OutboxRelay() = default;  // stops the background thread (task_)

  // Optional; set before Start.
  void SetOnSetAside(OnSetAside on_set_aside) { on_set_aside_ = std::move(on_set_aside); }

  // Starts delivering in the background until destruction.
  void Start();
  // Wakes the background thread, for example right after a commit; cuts an
  // idle wait short, never a backoff or a gathering wait (its event goes
  // with the batch after it).
  void Nudge();

 private:
  struct Delivery {
    int taken = 0;      // events delivered or set aside
    bool full = false;  // the batch ended at batch_size or batch_bytes: more may wait
  };
  absl::StatusOr<Delivery> DeliverBatch();
  // One background round: delivers a batch and says how long to wait.
  absl::Duration DeliverAndWait();

  db::Pool* pool_;
  const Outbox* outbox_;
  const std::string target_;
  const Deliver deliver_;
  OnSetAside on_set_aside_;
  const Options options_;
  // Only the background thread writes these.
  absl::Duration backoff_;
  std::atomic<bool> failing_{false};
  absl::Time gathering_until_ = absl::InfinitePast();  // no delivery before
  int64_t last_taken_ = 0;                             // the seq of the last event taken
  absl::Time next_sweep_ = absl::InfinitePast();       // look from the first event then
  std::unique_ptr<PeriodicTask> task_;  // last: stops before the members above go
};

}  // namespace hartslag

#endif  // HARTSLAG_SERVICES_COMMON_OUTBOX_H_
