// Prometheus metrics: counters, gauges and histograms with labels, rendered
// in the text exposition format. Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace docgen {

using Labels = std::vector<std::pair<std::string, std::string>>;

// Told of every counter increment and histogram observation, after the
// metrics have it (the SLO meter counts good and total events this way).
class MetricsListener {
 public:
  virtual ~MetricsListener() = default;
  virtual void Counted(const std::string& name, const Labels& labels, double by) = 0;
  virtual void Observed(const std::string& name, const Labels& labels, double value) = 0;
};

class Metrics {
 public:
  // Set once, before any thread records; null: none.
  void Listen(MetricsListener* listener) { listener_ = listener; }

  enum class Type { kCounter, kGauge, kHistogram };
  // Declares a metric once; `buckets` for histograms (upper bounds, base units).
  void Describe(const std::string& name, Type type, const std::string& help, std::vector<double> buckets = {});

  void Add(const std::string& name, const Labels& labels, double by = 1);
  void Set(const std::string& name, const Labels& labels, double value);
  void Observe(const std::string& name, const Labels& labels, double value);

  std::string Render() const;

 private:
  struct Series {
    double value = 0;              // counter, gauge
    std::vector<double> counts;    // histogram: per bucket (not cumulative)
    double sum = 0;
    double count = 0;
  };
  struct Family {
    Type type = Type::kCounter;
    std::string help;
    std::vector<double> buckets;
    std::map<Labels, Series> series;
  };
  mutable std::mutex mutex_;
  std::map<std::string, Family> families_;
  MetricsListener* listener_ = nullptr;
};

}  // namespace docgen
