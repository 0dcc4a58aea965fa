// Fuzzes what an operator types for a registered operation (SPEC §10): the
// times of --since/--until and ?since= (ParseIsoTime) and the --param
// KEY=VALUE pairs of each operation (OpParamsFromPairs). Whatever the input,
// neither may crash; a time that parses must print as an ISO time that
// parses back to itself (to the millisecond); accepted pairs must give
// values of the types the operation's schema declares.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "jobs/job_json.h"
#include "jobs/operations.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (std::optional<int64_t> at = docgen::ParseIsoTime(text); at && *at > 0 && *at < int64_t{253402300800000}) {
    const std::string printed = docgen::IsoTime(*at);
    if (docgen::ParseIsoTime(printed) != at) std::abort();
  }
  std::vector<std::string> pairs;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) pairs.push_back(line);
  for (const auto& op : docgen::Operations()) {
    docgen::Result<nlohmann::json> params = docgen::OpParamsFromPairs(op, pairs);
    if (!params.ok()) continue;
    for (const auto& [key, value] : params->items()) {
      const std::string type = op.params_schema["properties"][key].value("type", "");
      if ((type == "integer") != value.is_number_integer()) std::abort();
    }
  }
  return 0;
}
