#include "services/intake/signal_access.h"

namespace hartslag::intake {

SignalView ViewOf(const RequestContext& caller, const std::set<std::string>& coordinator_areas,
                  const v1::Signal& signal) {
  if (signal.tenant_id() != caller.tenant) return SignalView::kNone;
  if (caller.Has(Role::kCoordinator) && coordinator_areas.contains(signal.area().area_id())) {
    return SignalView::kFull;
  }
  if (caller.Has(Role::kReporter) && signal.reporter().organisation_id() == caller.organisation) {
    return signal.reporter().user_id() == caller.user ? SignalView::kFull
                                                      : SignalView::kStatusOnly;
  }
  return SignalView::kNone;
}

void ApplyView(SignalView view, v1::Signal& signal) {
  if (view != SignalView::kStatusOnly) return;
  signal.clear_location();
  signal.clear_description();
  signal.clear_persons();
  signal.clear_answers();
  signal.clear_attachments();
  signal.mutable_reporter()->clear_user_id();
  signal.set_status_only(true);
}

}  // namespace hartslag::intake
