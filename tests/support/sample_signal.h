// A valid signal as a street coach would submit it, with a fresh request id.
// Tests change what their rule is about and keep the rest valid.
#ifndef HARTSLAG_TESTS_SUPPORT_SAMPLE_SIGNAL_H_
#define HARTSLAG_TESTS_SUPPORT_SAMPLE_SIGNAL_H_

#include <string>

#include "hartslag/intake/v1/intake.pb.h"
#include "services/common/crypto.h"

namespace hartslag::testing {

inline intake::v1::SubmitSignalRequest SampleSignal(std::string area = "vrieheide",
                                                    std::string category = "afval-dumping") {
  intake::v1::SubmitSignalRequest r;
  r.set_request_id(RandomUuid());
  r.set_area_id(std::move(area));
  auto* a = r.mutable_location()->mutable_address();
  a->set_street("Heerenweg");
  a->set_house_number(12);
  a->set_postcode("6414 AB");
  a->set_city("Heerlen");
  r.set_category_id(std::move(category));
  r.set_description("Matrassen en huisraad naast de container.");
  r.set_source(intake::v1::SOURCE_STREET_COACH);
  return r;
}

}  // namespace hartslag::testing

#endif  // HARTSLAG_TESTS_SUPPORT_SAMPLE_SIGNAL_H_
