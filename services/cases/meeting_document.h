// The documents of a meeting: its agenda, or once closed its minutes
// (notulen), as Markdown or as a self-contained HTML page with Dutch labels.
// Pure functions of what the reader may see; thread-safe.
#ifndef HARTSLAG_SERVICES_CASES_MEETING_DOCUMENT_H_
#define HARTSLAG_SERVICES_CASES_MEETING_DOCUMENT_H_

#include <map>
#include <string>

#include "absl/time/time.h"
#include "hartslag/cases/v1/cases.pb.h"

namespace hartslag::cases {

// `cases` holds, by case id, the cases of the meeting's items (the items
// passed are those the reader may see).
v1::MeetingDocument MeetingDocument(const v1::Meeting& meeting, const std::map<std::string, v1::Case>& cases,
                                    v1::DocumentFormat format, absl::TimeZone zone);

}  // namespace hartslag::cases

#endif  // HARTSLAG_SERVICES_CASES_MEETING_DOCUMENT_H_
