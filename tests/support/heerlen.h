// The areas of the first tenant, Heerlen, as the directory hands them to
// intake and cases: Heerlen-Noord and its wijken.
#ifndef HARTSLAG_TESTS_SUPPORT_HEERLEN_H_
#define HARTSLAG_TESTS_SUPPORT_HEERLEN_H_

#include <vector>

#include "absl/status/status.h"
#include "services/common/area_sync.h"

namespace hartslag::testing {

inline const std::vector<AreaRow>& HeerlenAreas() {
  static const std::vector<AreaRow> areas = {
      {"heerlen-noord", "", "Heerlen-Noord"},
      {"vrieheide", "heerlen-noord", "Vrieheide"},
      {"kasteelbuurt", "heerlen-noord", "Kasteelbuurt"},
      {"hoofdstraat-west", "heerlen-noord", "Hoofdstraat-West (Hoensbroek)"},
      {"gms", "heerlen-noord", "GMS"},
  };
  return areas;
}

// Sets up tenant "heerlen" with HeerlenAreas() in a service's tables
// (intake's or cases' store), as the area sync would.
template <typename Store>
absl::Status SeedHeerlen(Store& store) {
  return store.CreateTenant("heerlen", "Gemeente Heerlen", HeerlenAreas());
}

}  // namespace hartslag::testing

#endif  // HARTSLAG_TESTS_SUPPORT_HEERLEN_H_
