// AreaSync keeps intake's copy of tenants and their area trees in step with
// hartslag-directory, which owns them. Intake needs the tree locally to
// validate a signal's area and to expand a coordinator's areas to their
// wijken on every request, without a call to the directory on that path.
//
// It calls the directory's LookupService as the service "intake" (mutual
// TLS), once at start-up and then every interval on its own thread. Areas are
// added and renamed, never removed, so a signal always keeps its area.
#ifndef HARTSLAG_SERVICES_INTAKE_AREA_SYNC_H_
#define HARTSLAG_SERVICES_INTAKE_AREA_SYNC_H_

#include <grpcpp/grpcpp.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "hartslag/directory/v1/directory.grpc.pb.h"
#include "services/intake/signal_store.h"

namespace hartslag::intake {

class AreaSync {
 public:
  AreaSync(std::shared_ptr<grpc::Channel> directory, SignalStore* store, absl::Duration interval);
  ~AreaSync();  // stops the background thread

  // Copies every tenant and its areas once.
  absl::Status SyncOnce();
  // Syncs every interval until destruction; failures are logged and retried.
  void Start();

 private:
  std::unique_ptr<directory::v1::LookupService::Stub> directory_;
  SignalStore* store_;
  const absl::Duration interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  std::thread thread_;
};

}  // namespace hartslag::intake

#endif  // HARTSLAG_SERVICES_INTAKE_AREA_SYNC_H_
