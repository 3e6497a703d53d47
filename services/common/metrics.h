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

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"

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
  // Destroyed first: its threads stop before what they collect goes.
  std::unique_ptr<prometheus::Exposer> exposer_;
};

// One gauge per label value: {{"audit", 3}, {"intake", 0}} with label
// "target"; label "" for a single gauge: {{"", 1}}.
prometheus::MetricFamily GaugeFamily(const std::string& name, const std::string& help, const std::string& label,
                                     const std::vector<std::pair<std::string, double>>& values);

}  // namespace hartslag

#endif  // HARTSLAG_SERVICES_COMMON_METRICS_H_
