// Need-to-know for signals: how much of a signal a caller may see.
//
// - A coordinator sees every signal in its areas (including their sub-areas)
//   in full.
// - A reporter sees the signals its own organisation submitted: in full the
//   ones it submitted itself, status and feedback only for its colleagues'.
// - Anyone else sees nothing; to them the signal does not exist.
#ifndef HARTSLAG_SERVICES_INTAKE_SIGNAL_ACCESS_H_
#define HARTSLAG_SERVICES_INTAKE_SIGNAL_ACCESS_H_

#include <set>
#include <string>

#include "hartslag/intake/v1/intake.pb.h"
#include "services/common/auth.h"

namespace hartslag::intake {

enum class SignalView { kNone, kStatusOnly, kFull };

// `coordinator_areas` is the caller's areas with all their sub-areas.
SignalView ViewOf(const RequestContext& caller, const std::set<std::string>& coordinator_areas,
                  const v1::Signal& signal);

// Reduces `signal` to what `view` admits. kNone must not be passed.
void ApplyView(SignalView view, v1::Signal& signal);

}  // namespace hartslag::intake

#endif  // HARTSLAG_SERVICES_INTAKE_SIGNAL_ACCESS_H_
