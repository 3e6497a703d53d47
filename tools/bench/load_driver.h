// The load of a benchmark: calls started by a closed loop (a fixed number in
// flight, the next one as soon as one ends) or an open loop (a fixed arrival
// rate, whatever the answers do), and what came of them.
//
//   LoadOptions options;
//   options.concurrency = 64;
//   options.duration = absl::Seconds(10);
//   LoadResult result = RunLoad(options, [&](CallDone done) {
//     StartSubmitSignal(std::move(done));  // calls done(status) exactly once
//   });
//   std::printf("%.0f/s, p99 %.2f ms\n", result.Throughput(), result.Percentile(0.99));
//
// In the open loop each call's latency runs from the moment it was meant to
// start, not the moment it did: a stalled service cannot hide its stall by
// holding back the calls that would have measured it (coordinated
// omission). Calls are started on the caller's thread and on whatever thread
// ends a call (gRPC's callback threads): `issue` must not block.
#ifndef HARTSLAG_TOOLS_BENCH_LOAD_DRIVER_H_
#define HARTSLAG_TOOLS_BENCH_LOAD_DRIVER_H_

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace hartslag::bench {

// Ends one call: its status, once.
using CallDone = std::function<void(const grpc::Status&)>;
// Starts one call and arranges for `done` to be called when it ends.
using IssueCall = std::function<void(CallDone done)>;

struct LoadOptions {
  // Closed loop: calls in flight. Open loop (rate > 0): the most calls in
  // flight before a call that is due is counted as CLIENT_OVERLOADED
  // instead of started.
  int concurrency = 1;
  // Calls per second; 0 runs the closed loop.
  double rate = 0;
  // Calls ending before warmup has passed are not counted.
  absl::Duration warmup = absl::ZeroDuration();
  // How long calls are started after the warm-up.
  absl::Duration duration = absl::Seconds(10);
  // Closed loop: called once the window has ended, to cut short the calls
  // still in flight (they are not counted; the run returns when all ended).
  std::function<void()> cancel_in_flight;
  // When positive, the run ends after this many calls, or when `duration`
  // has passed if that comes first; no warm-up (closed loop only).
  int64_t max_calls = 0;
};

struct LoadResult {
  double seconds = 0;  // the measured window
  int64_t calls = 0;   // counted calls, failed ones included
  int64_t ok = 0;
  std::vector<double> latencies_ms;        // of the counted calls, sorted
  std::map<std::string, int64_t> errors;   // by status code name

  // Successful calls per second of the window.
  double Throughput() const { return seconds > 0 ? ok / seconds : 0; }
  // The latency below which a share `p` of the counted calls stayed; 0 with none.
  double Percentile(double p) const;
};

LoadResult RunLoad(const LoadOptions& options, const IssueCall& issue);

}  // namespace hartslag::bench

#endif  // HARTSLAG_TOOLS_BENCH_LOAD_DRIVER_H_
