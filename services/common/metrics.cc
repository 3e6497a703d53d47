#include "services/common/metrics.h"

#include <exception>

#include "absl/strings/str_cat.h"
#include "prometheus/collectable.h"
#include "prometheus/exposer.h"

namespace hartslag {

namespace {

class CollectFunction : public prometheus::Collectable {
 public:
  explicit CollectFunction(MetricsEndpoint::Collect collect) : collect_(std::move(collect)) {}
  std::vector<prometheus::MetricFamily> Collect() const override { return collect_(); }

 private:
  const MetricsEndpoint::Collect collect_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::Start(const std::string& address,
                                                                        Collect collect) {
  if (address.empty()) return nullptr;
  std::unique_ptr<MetricsEndpoint> endpoint(new MetricsEndpoint());
  try {
    // One thread: scrapes come from one Prometheus, seconds apart.
    endpoint->exposer_ = std::make_unique<prometheus::Exposer>(address, 1);
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("metrics-address: cannot listen on ", address, ": ", e.what()));
  }
  endpoint->collectable_ = std::make_shared<CollectFunction>(std::move(collect));
  endpoint->exposer_->RegisterCollectable(endpoint->collectable_);
  return endpoint;
}

MetricsEndpoint::~MetricsEndpoint() = default;

int MetricsEndpoint::port() const {
  std::vector<int> ports = exposer_->GetListeningPorts();
  return ports.empty() ? 0 : ports.front();
}

prometheus::MetricFamily GaugeFamily(const std::string& name, const std::string& help, const std::string& label,
                                     const std::vector<std::pair<std::string, double>>& values) {
  prometheus::MetricFamily family;
  family.name = name;
  family.help = help;
  family.type = prometheus::MetricType::Gauge;
  for (const auto& [label_value, value] : values) {
    prometheus::ClientMetric& metric = family.metric.emplace_back();
    if (!label.empty()) metric.label.push_back({label, label_value});
    metric.gauge.value = value;
  }
  return family;
}

}  // namespace hartslag
