// The documents of a meeting: its agenda, or once closed its minutes
// (notulen), as Markdown or as a self-contained HTML page, as a secretary
// files them: in Dutch, people and organisations by name, dates in the
// tenant's zone written out ("woensdag 9 december 2026, 14:00"), who
// attended, per item the decision, rationale and actions, a closing list of
// all actions, whether the minutes are approved (vastgesteld) or still a
// concept, and a confidentiality banner on every page.
// Pure functions of what the reader may see; thread-safe.
#ifndef HARTSLAG_SERVICES_CASES_MEETING_DOCUMENT_H_
#define HARTSLAG_SERVICES_CASES_MEETING_DOCUMENT_H_

#include <map>
#include <optional>
#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "hartslag/cases/v1/cases.pb.h"
#include "services/cases/meeting_names.h"

namespace hartslag::cases {

// What a document needs besides the meeting and its cases.
struct DocumentContext {
  // The tenant's zone: every date and time is local to it.
  absl::TimeZone zone;
  // Names of the chair, authors, assignees and organisations.
  NameBook names;
  // When the meeting that approved the minutes started; unset until then.
  std::optional<absl::Time> approved_in_starts_at;
};

// `cases` holds, by case id, the cases of the meeting's items (the items
// passed are those the reader may see).
v1::MeetingDocument MeetingDocument(const v1::Meeting& meeting, const std::map<std::string, v1::Case>& cases,
                                    v1::DocumentFormat format, const DocumentContext& context);

// "woensdag 9 december 2026, 14:00" in `zone`.
std::string DutchDateTime(absl::Time t, absl::TimeZone zone);
// "vrijdag 18 december 2026".
std::string DutchDate(absl::CivilDay day);

}  // namespace hartslag::cases

#endif  // HARTSLAG_SERVICES_CASES_MEETING_DOCUMENT_H_
