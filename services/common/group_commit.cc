#include "services/common/group_commit.h"

namespace hartslag {
namespace {

struct AllCounts {
  std::mutex mutex;
  std::map<std::string, GroupCommitCounts> by_name;
};

AllCounts& Counts() {
  static AllCounts* all = new AllCounts();  // never destroyed: batches may end until exit
  return *all;
}

}  // namespace

void GroupCommitCounts::Add(const std::string& name, const GroupCommitCounts& counts) {
  AllCounts& all = Counts();
  std::lock_guard<std::mutex> lock(all.mutex);
  GroupCommitCounts& total = all.by_name[name];
  total.batches += counts.batches;
  total.items += counts.items;
  total.failed_batches += counts.failed_batches;
  total.queued_seconds += counts.queued_seconds;
  total.running_seconds += counts.running_seconds;
}

std::map<std::string, GroupCommitCounts> GroupCommitCounts::All() {
  AllCounts& all = Counts();
  std::lock_guard<std::mutex> lock(all.mutex);
  return all.by_name;
}

}  // namespace hartslag
