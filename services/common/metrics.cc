#include "services/common/metrics.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <limits>
#include <set>
#include <system_error>
#include <thread>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
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
  const std::string host = address.substr(0, address.rfind(':'));
  endpoint->knock_on_loopback_ = host.empty() || host == "0.0.0.0" || host == "127.0.0.1" || host == "localhost";
  endpoint->collectable_ = std::make_shared<CollectFunction>(std::move(collect));
  endpoint->exposer_->RegisterCollectable(endpoint->collectable_);
  endpoint->exposer_->RegisterCollectable(RpcMetrics::Global().registry());
  return endpoint;
}

namespace {

// Opens and closes a connection to `port` on the loopback address.
void Knock(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  sockaddr_in address = {};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  (void)connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  close(fd);
}

}  // namespace

MetricsEndpoint::~MetricsEndpoint() {
  if (exposer_ == nullptr) return;  // it never listened (Start failed)
  // CivetWeb, under the Exposer, sees that it is to stop only when its
  // listener's poll returns: after up to two seconds of nobody connecting,
  // which every shutdown of a service (and every test that starts one) waited
  // out. A connection while it stops wakes it at once. Only where the
  // endpoint listens on the loopback: elsewhere another program could have
  // the port there, and the wait is as before.
  const int port = knock_on_loopback_ ? this->port() : 0;
  if (port <= 0) return;
  std::atomic<bool> stopped = false;
  std::thread knocking;
  try {
    knocking = std::thread([&stopped, port] {
      while (!stopped.load()) {
        Knock(port);
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    });
  } catch (const std::system_error&) {
    // No thread to spare: stop the slow way.
  }
  exposer_.reset();
  stopped = true;
  if (knocking.joinable()) knocking.join();
}

int MetricsEndpoint::port() const {
  std::vector<int> ports = exposer_->GetListeningPorts();
  return ports.empty() ? 0 : ports.front();
}

namespace {

// Whether `method` ("/package.Service/Method") is one this process was
// built with, or gRPC's own health check and reflection: a caller may send
// any name, and a made-up one must not take a label of its own.
bool IsServedMethod(absl::string_view method) {
  static const std::set<std::string, std::less<>> kGrpcOwn = {
      "/grpc.health.v1.Health/Check", "/grpc.health.v1.Health/Watch",
      "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"};
  if (kGrpcOwn.contains(method)) return true;
  size_t slash = method.rfind('/');
  if (method.size() < 2 || method[0] != '/' || slash == 0 || slash == absl::string_view::npos) return false;
  std::string full_name = absl::StrCat(method.substr(1, slash - 1), ".", method.substr(slash + 1));
  return google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(full_name) != nullptr;
}

}  // namespace

RpcMetrics& RpcMetrics::Global() {
  static RpcMetrics* metrics = new RpcMetrics();  // never destroyed: servers may count until exit
  return *metrics;
}

RpcMetrics::RpcMetrics() : registry_(std::make_shared<prometheus::Registry>()) {
  handled_ = &prometheus::BuildCounter()
                  .Name("grpc_server_handled_total")
                  .Help("RPCs completed on the server, by method and status code")
                  .Register(*registry_);
  handling_ = &prometheus::BuildHistogram()
                   .Name("grpc_server_handling_seconds")
                   .Help("time from an RPC's start until its status was sent, by method")
                   .Register(*registry_);
}

void RpcMetrics::Handled(absl::string_view method, grpc::StatusCode code, absl::Duration took) {
  // "/package.Service/Method" -> ("package.Service", "Method").
  std::string service = "other", name = "other";
  {
    std::lock_guard<std::mutex> lock(mutex_);
    bool known = methods_.contains(method);
    if (!known && methods_.size() < kMaxMethods && IsServedMethod(method)) {
      methods_.emplace(method);
      known = true;
    }
    size_t slash = method.rfind('/');
    if (known && slash != absl::string_view::npos && slash > 0) {
      service = std::string(method.substr(method[0] == '/' ? 1 : 0, slash - (method[0] == '/' ? 1 : 0)));
      name = std::string(method.substr(slash + 1));
    }
  }
  static const prometheus::Histogram::BucketBoundaries kBounds = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                                   0.25,  0.5,    1,     2.5,  5,     10};
  handled_
      ->Add({{"grpc_service", service},
             {"grpc_method", name},
             {"grpc_code", absl::StatusCodeToString(static_cast<absl::StatusCode>(code))}})
      .Increment();
  handling_->Add({{"grpc_service", service}, {"grpc_method", name}}, kBounds).Observe(absl::ToDoubleSeconds(took));
}

prometheus::MetricFamily HistogramFamily(const std::string& name, const std::string& help,
                                         const std::vector<double>& bounds, const std::vector<uint64_t>& counts,
                                         double sum) {
  prometheus::MetricFamily family;
  family.name = name;
  family.help = help;
  family.type = prometheus::MetricType::Histogram;
  prometheus::ClientMetric& metric = family.metric.emplace_back();
  uint64_t cumulative = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    cumulative += counts[i];
    prometheus::ClientMetric::Bucket& bucket = metric.histogram.bucket.emplace_back();
    bucket.cumulative_count = cumulative;
    bucket.upper_bound = i < bounds.size() ? bounds[i] : std::numeric_limits<double>::infinity();
  }
  metric.histogram.sample_count = cumulative;
  metric.histogram.sample_sum = sum;
  return family;
}

prometheus::MetricFamily CounterFamily(const std::string& name, const std::string& help, const std::string& label,
                                       const std::vector<std::pair<std::string, double>>& values) {
  prometheus::MetricFamily family = GaugeFamily(name, help, label, values);
  family.type = prometheus::MetricType::Counter;
  for (prometheus::ClientMetric& metric : family.metric) metric.counter.value = metric.gauge.value;
  return family;
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
