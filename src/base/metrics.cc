#include "base/metrics.h"

#include <algorithm>
#include <cstdio>

#include "util/text.h"

namespace docgen {
namespace {

std::string Escape(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string LabelText(const Labels& labels, const std::string& extra_name = "", const std::string& extra_value = "") {
  std::string out;
  for (const auto& [k, v] : labels) out += (out.empty() ? "" : ",") + k + "=\"" + Escape(v) + "\"";
  if (!extra_name.empty()) out += (out.empty() ? "" : ",") + extra_name + "=\"" + extra_value + "\"";
  return out.empty() ? "" : "{" + out + "}";
}


}  // namespace

void Metrics::Describe(const std::string& name, Type type, const std::string& help, std::vector<double> buckets) {
  std::lock_guard lock(mutex_);
  Family& f = families_[name];
  f.type = type;
  f.help = help;
  std::sort(buckets.begin(), buckets.end());
  f.buckets = std::move(buckets);
}

void Metrics::Add(const std::string& name, const Labels& labels, double by) {
  {
    std::lock_guard lock(mutex_);
    families_[name].series[labels].value += by;
  }
  if (listener_ != nullptr) listener_->Counted(name, labels, by);
}

void Metrics::Set(const std::string& name, const Labels& labels, double value) {
  std::lock_guard lock(mutex_);
  families_[name].series[labels].value = value;
}

void Metrics::Observe(const std::string& name, const Labels& labels, double value) {
  {
    std::lock_guard lock(mutex_);
    Family& f = families_[name];
    Series& s = f.series[labels];
    if (s.counts.empty()) s.counts.assign(f.buckets.size(), 0);
    for (size_t i = 0; i < f.buckets.size(); ++i) {
      if (value <= f.buckets[i]) {
        ++s.counts[i];
        break;
      }
    }
    s.sum += value;
    ++s.count;
  }
  if (listener_ != nullptr) listener_->Observed(name, labels, value);
}

std::string Metrics::Render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, f] : families_) {
    const char* type = f.type == Type::kCounter ? "counter" : f.type == Type::kGauge ? "gauge" : "histogram";
    out += "# HELP " + name + " " + f.help + "\n# TYPE " + name + " " + type + "\n";
    for (const auto& [labels, s] : f.series) {
      if (f.type != Type::kHistogram) {
        out += name + LabelText(labels) + " " + ShortestNumber(s.value) + "\n";
        continue;
      }
      double cumulative = 0;
      for (size_t i = 0; i < f.buckets.size(); ++i) {
        cumulative += i < s.counts.size() ? s.counts[i] : 0;
        out += name + "_bucket" + LabelText(labels, "le", LabelNumber(f.buckets[i])) + " " + ShortestNumber(cumulative) + "\n";
      }
      out += name + "_bucket" + LabelText(labels, "le", "+Inf") + " " + ShortestNumber(s.count) + "\n";
      out += name + "_sum" + LabelText(labels) + " " + ShortestNumber(s.sum) + "\n";
      out += name + "_count" + LabelText(labels) + " " + ShortestNumber(s.count) + "\n";
    }
  }
  return out;
}

}  // namespace docgen
