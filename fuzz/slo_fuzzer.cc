// libFuzzer target: arbitrary bytes as a config file's `slos:` list. A list
// is accepted or refused with messages, never a crash; what is accepted
// gives rules, a dashboard and a report, and its selectors parse again and
// match series without failing. The bytes as one selector are fuzzed too.
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "slo/dashboard.h"
#include "slo/prometheus_rules.h"
#include "slo/selector.h"
#include "slo/slo.h"
#include "slo/slo_report.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (auto selector = docgen::SeriesSelector::Parse(text); selector.ok()) {
    (void)selector->Matches(selector->name(), {{"outcome", "failed"}, {"le", "0.1"}});
  }
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception&) {
    return 0;
  }
  if (!root.IsMap() || !root["slos"]) return 0;
  docgen::Result<std::vector<docgen::Slo>> slos = docgen::ParseSlos(root["slos"], "fuzz.yaml");
  if (!slos.ok()) {
    if (slos.status().message().rfind("fuzz.yaml", 0) != 0) std::abort();  // every message names the file
    return 0;
  }
  for (const docgen::Slo& slo : *slos) {
    const docgen::SloIndicator ratio = docgen::AsRatio(slo.indicator);
    if (!docgen::SeriesSelector::Parse(ratio.good).ok() || !docgen::SeriesSelector::Parse(ratio.total).ok()) std::abort();
  }
  (void)docgen::SloRulesYaml(*slos);
  (void)docgen::SloDashboard(*slos).dump();
  const int64_t now = 6 * 60000;
  const std::vector<docgen::SloMinute> minutes = {{(*slos)[0].name, 5, 1, 2}};
  (void)docgen::SloReport(*slos, docgen::SumMinutes(minutes, docgen::SloReportSince(*slos, now), now / 60000));
  (void)docgen::SloKeepSince(*slos, now);
  return 0;
}
