// The person tests make audited store changes as.
#pragma once

#include <docgen/audit.h>

#include <cstdint>

namespace docgen::testing {

inline Actor By(int64_t at) { return {"test", "admin", "", "", at}; }

}  // namespace docgen::testing
