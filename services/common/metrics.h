// A service's Prometheus endpoint: GET /metrics on --metrics-address, plain
// HTTP on a port of its own, for the operator's network only (it tells
// counts, never personal data). Off when the address is empty. What it tells
// is read when it is scraped, so an idle service does no work for it;
// `collect` runs on the endpoint's own thread, beside the service's.
//
//   ASSIGN_OR_RETURN(auto metrics, MetricsEndpoint::Start(flags.Get("metrics-address"),
//                                                         [&] { return OutboxMetrics(*pool, outbox); }));
#ifndef HARTSLAG_SERVICES_COMMON_METRICS_H_
#define HARTSLAG_SERVICES_COMMON_METRICS_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "prometheus/collectable.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/histogram.h"
#include "prometheus/metric_family.h"
#include "prometheus/registry.h"

namespace prometheus {
class Exposer;
}

namespace hartslag {

class MetricsEndpoint {
 public:
  using Collect = std::function<std::vector<prometheus::MetricFamily>()>;
  // nullptr when `address` is empty; an error when it cannot listen there.
  static absl::StatusOr<std::unique_ptr<MetricsEndpoint>> Start(const std::string& address, Collect collect);
  ~MetricsEndpoint();

  // The port it listens on (useful with port 0).
  int port() const;

 private:
  MetricsEndpoint() = default;
  std::shared_ptr<prometheus::Collectable> collectable_;
  bool knock_on_loopback_ = false;  // see the destructor
  // Destroyed first: its threads stop before what they collect goes.
  std::unique_ptr<prometheus::Exposer> exposer_;
};

// The calls a server answered, by method and status code, and how long each
// took, under the names other gRPC servers use (grpc_server_handled_total,
// grpc_server_handling_seconds with grpc_service, grpc_method, grpc_code), so
// that common dashboards and alerts read them. One per process: every
// server of the process counts into it (RunServer's interceptor), and every
// metrics endpoint shows it. Thread-safe.
class RpcMetrics {
 public:
  static RpcMetrics& Global();

  // `method` as gRPC names it, "/hartslag.intake.v1.SignalService/SubmitSignal".
  void Handled(absl::string_view method, grpc::StatusCode code, absl::Duration took);
  std::shared_ptr<prometheus::Registry> registry() const { return registry_; }

 private:
  RpcMetrics();
  // Method names come from callers (an unknown one is answered UNIMPLEMENTED):
  // only the methods this process has count under their own name, the rest
  // as "other", and never more than this many, so that no caller can grow
  // the label set or push the real names out.
  static constexpr size_t kMaxMethods = 256;

  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>* handled_;
  prometheus::Family<prometheus::Histogram>* handling_;
  std::mutex mutex_;
  std::set<std::string, std::less<>> methods_;  // guarded by mutex_
};

// One counter per label value, like GaugeFamily.
prometheus::MetricFamily CounterFamily(const std::string& name, const std::string& help, const std::string& label,
                                       const std::vector<std::pair<std::string, double>>& values);

// One gauge per label value: {{"audit", 3}, {"intake", 0}} with label
// "target"; label "" for a single gauge: {{"", 1}}.
// A histogram from counts the caller kept: `counts[i]` observations at or
// below `bounds[i]` (not cumulative; one more element for those above the
// last bound), and their sum.
prometheus::MetricFamily HistogramFamily(const std::string& name, const std::string& help,
                                         const std::vector<double>& bounds, const std::vector<uint64_t>& counts,
                                         double sum);

prometheus::MetricFamily GaugeFamily(const std::string& name, const std::string& help, const std::string& label,
                                     const std::vector<std::pair<std::string, double>>& values);

}  // namespace hartslag

#endif  // HARTSLAG_SERVICES_COMMON_METRICS_H_
