// A Prometheus series selector, `name{label="v", label!="v", label=~"re", label!~"re"}`,
// parsed and matched against docgen's own series: SLO indicators are such
// selectors, and /v1/slos counts the events that match them without Prometheus.
#pragma once

#include <docgen/status.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace docgen {

class SeriesSelector {
 public:
  // What is wrong with `text` is said in words ("label matcher 2 has no value").
  static Result<SeriesSelector> Parse(const std::string& text);

  const std::string& name() const { return name_; }
  // The label `key`'s required value when the selector has `key="value"`, else "".
  std::string Equal(const std::string& key) const;
  // True when the series `name{labels}` is selected; regexes match whole values, as Prometheus's do.
  bool Matches(const std::string& name, const std::vector<std::pair<std::string, std::string>>& labels) const;

 private:
  struct Matcher;
  std::string name_;
  std::vector<std::shared_ptr<const Matcher>> matchers_;
};

}  // namespace docgen
