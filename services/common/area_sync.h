// AreaSync keeps a service's copy of tenants and their area trees in step
// with hartslag-directory, which owns them. Intake and cases need the tree
// locally to check an area and to expand a coordinator's areas to their
// wijken on every request, without a call to the directory on that path.
//
// It calls the directory's LookupService as the service itself (mutual TLS),
// once at start-up and then every interval on its own thread, and hands each
// tenant with its areas (parents before children) to the service's store.
// Areas are added and renamed, never removed, so data always keeps its area.
#ifndef HARTSLAG_SERVICES_COMMON_AREA_SYNC_H_
#define HARTSLAG_SERVICES_COMMON_AREA_SYNC_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "hartslag/directory/v1/directory.grpc.pb.h"
#include "absl/status/statusor.h"
#include "services/common/config.h"
#include "services/common/db.h"
#include "services/common/periodic_task.h"

namespace hartslag {

struct AreaRow {
  std::string area_id;
  std::string parent_area_id;  // empty for a top-level area
  std::string name;
};

// The SQL of a service's copy: the tables <schema>.tenants and
// <schema>.areas that the service's own migrations create.
class AreaCopy {
 public:
  explicit AreaCopy(absl::string_view schema);

  // Stores or updates a tenant with its areas (parents before children).
  absl::Status Store(db::Transaction& tx, const std::string& tenant, const std::string& name,
                     const std::vector<AreaRow>& areas) const;
  // `roots` and every area below them, each once, parents before children
  // (by depth below the roots, then name); unknown roots are left out.
  absl::StatusOr<std::vector<AreaRow>> Tree(db::Pool& pool, const std::string& tenant,
                                            const std::vector<std::string>& roots, absl::Time deadline) const;
  // The ids of Tree(pool, tenant, roots, deadline).
  absl::StatusOr<std::set<std::string>> Within(db::Pool& pool, const std::string& tenant,
                                               const std::vector<std::string>& roots, absl::Time deadline) const;

 private:
  std::string insert_tenant_, insert_area_, within_;
};

class AreaSync {
 public:
  // Stores one tenant (id, name, settings) with its areas; idempotent.
  using Sink = std::function<absl::Status(const directory::v1::Tenant& tenant, const std::vector<AreaRow>& areas)>;

  // Stores one tenant's organisations and users by name; idempotent. Only
  // for a service the directory lets list them (cases, for its meeting
  // documents): called after the tenant's Sink.
  using NamesSink = std::function<absl::Status(const std::string& tenant,
                                               const std::vector<directory::v1::Organisation>& organisations,
                                               const std::vector<directory::v1::UserName>& users)>;

  AreaSync(std::shared_ptr<grpc::Channel> directory, Sink sink, absl::Duration interval,
           NamesSink names = nullptr);
  ~AreaSync() = default;  // stops the background thread (task_)

  // Copies every tenant and its areas once.
  absl::Status SyncOnce();
  // Syncs every interval until destruction; failures are logged and retried.
  void Start();

 private:
  std::unique_ptr<directory::v1::LookupService::Stub> directory_;
  Sink sink_;
  NamesSink names_;
  const absl::Duration interval_;
  std::unique_ptr<PeriodicTask> task_;  // last: stops before the members above go
};

// From --directory, --directory-ca and --area-sync-interval (declared by
// AddAreaSyncFlags): an AreaSync that has tried once and runs in the
// background; null without --directory.
void AddAreaSyncFlags(Flags& flags);
absl::StatusOr<std::unique_ptr<AreaSync>> StartAreaSync(const Flags& flags, AreaSync::Sink sink,
                                                        AreaSync::NamesSink names = nullptr);

}  // namespace hartslag

#endif  // HARTSLAG_SERVICES_COMMON_AREA_SYNC_H_
