// A valid Casuïstiek case as a coordinator opens it: the household Jansen in
// Kasteelbuurt, with the care team and the police taking part, and a fresh
// request id. Tests change what their rule is about and keep the rest valid.
#ifndef HARTSLAG_TESTS_SUPPORT_SAMPLE_CASE_H_
#define HARTSLAG_TESTS_SUPPORT_SAMPLE_CASE_H_

#include "hartslag/cases/v1/cases.pb.h"
#include "services/common/crypto.h"

namespace hartslag::testing {

inline cases::v1::OpenCaseRequest SampleHousehold() {
  cases::v1::OpenCaseRequest r;
  r.set_request_id(RandomUuid());
  r.set_kind(cases::v1::CASE_KIND_CASUISTIEK);
  r.set_title("Zorgen om gezin Kasteelweg");
  r.set_area_id("kasteelbuurt");
  cases::v1::CasePerson* p = r.add_persons();
  p->set_name("Jan Jansen");
  p->set_birth_year(1970);
  p->set_role("bewoner");
  r.add_participating_organisations("buurtteam");
  r.add_participating_organisations("politie");
  return r;
}

}  // namespace hartslag::testing

#endif  // HARTSLAG_TESTS_SUPPORT_SAMPLE_CASE_H_
