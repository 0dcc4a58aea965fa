// `docgen doctor` (issue 17): checks an installation as `docgen serve` with
// the same settings would use it, changing nothing, and says in words what
// is wrong and what to do.
#pragma once

#include <string>
#include <vector>

#include "server/service.h"

namespace docgen {

struct DoctorFinding {
  std::string check;  // "data folder", "database", ...
  bool ok = true;
  std::string says;   // what was found; for a problem, also what to do
};

// The data folder (there, writable, private), its free disk space, the
// database (reachable, migrated), the catalog folder (lints clean, fonts
// installed), the token file, and the shared cache and introspection
// provider when configured.
std::vector<DoctorFinding> Diagnose(const ServiceOptions& options);

}  // namespace docgen
