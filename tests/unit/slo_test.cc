// SLOs from docgen's own records: selectors match series as Prometheus's do,
// the meter counts good and total events per minute of a (fake) clock, and
// the report's budget and burn rates are the ones computed by hand below.
#include <gtest/gtest.h>

#include "base/clock.h"
#include "slo/selector.h"
#include "slo/slo_meter.h"
#include "slo/slo_report.h"

namespace docgen {
namespace {

class FakeClock final : public Clock {
 public:
  int64_t NowMs() const override { return now; }
  int64_t now = int64_t{1'000} * 60'000;  // minute 1,000
};

TEST(SeriesSelector, MatchesNamesAndLabelsAsPrometheusDoes) {
  auto s = SeriesSelector::Parse(R"(docgen_jobs_finished_total{outcome=~"succeeded|invalid", code!="x"})");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_TRUE(s->Matches("docgen_jobs_finished_total", {{"outcome", "succeeded"}}));
  EXPECT_TRUE(s->Matches("docgen_jobs_finished_total", {{"outcome", "invalid"}, {"code", "y"}}));
  EXPECT_FALSE(s->Matches("docgen_jobs_finished_total", {{"outcome", "failed"}}));
  EXPECT_FALSE(s->Matches("docgen_jobs_finished_total", {{"outcome", "succeededx"}}));  // the regex matches whole values
  EXPECT_FALSE(s->Matches("docgen_jobs_finished_total", {{"outcome", "invalid"}, {"code", "x"}}));
  EXPECT_FALSE(s->Matches("docgen_jobs_created_total", {{"outcome", "succeeded"}}));
  auto bare = SeriesSelector::Parse("docgen_http_requests_total");
  ASSERT_TRUE(bare.ok());
  EXPECT_TRUE(bare->Matches("docgen_http_requests_total", {{"status", "500"}}));
  auto absent = SeriesSelector::Parse(R"(m{status!~"5.."})");
  ASSERT_TRUE(absent.ok());
  EXPECT_TRUE(absent->Matches("m", {}));  // a missing label is ""
  EXPECT_FALSE(absent->Matches("m", {{"status", "503"}}));
}

TEST(SeriesSelector, SaysWhatIsWrong) {
  for (const auto& [text, words] : std::vector<std::pair<std::string, std::string>>{
           {"", "starts with a metric name"},
           {"sum(rate(x[5m]))", "after the metric name"},
           {"m{a}", "label matcher 1 (a) has no =, !=, =~ or !~"},
           {"m{a=b}", "label matcher 1 (a) needs its value in double quotes"},
           {R"(m{a="b)", "after the metric name"},
           {R"(m{a="b" c="d"})", "label matcher 1 (a) is followed by something other than a comma"},
           {R"(m{a=~"(("})", "label matcher 1 (a): not a regular expression"},
       }) {
    auto s = SeriesSelector::Parse(text);
    ASSERT_FALSE(s.ok()) << text;
    EXPECT_NE(s.status().message().find(words), std::string::npos) << text << ": " << s.status().message();
  }
}

Slo JobsSlo() {
  Slo slo;
  slo.name = "jobs-succeed";
  slo.objective = 99;  // 1% of jobs may fail
  slo.window_days = 28;
  slo.indicator.good = R"(docgen_jobs_finished_total{outcome=~"succeeded|invalid"})";
  slo.indicator.total = "docgen_jobs_finished_total";
  return slo;
}

Slo ResolveSlo() {
  Slo slo;
  slo.name = "resolve-fast";
  slo.objective = 90;
  slo.indicator.route = "POST /v1/packages:resolve";
  slo.indicator.threshold_seconds = 0.1;
  return slo;
}

TEST(SloMeter, CountsGoodAndTotalEventsPerMinute) {
  FakeClock clock;
  SloMeter meter({JobsSlo(), ResolveSlo()}, clock);
  meter.Counted("docgen_jobs_finished_total", {{"outcome", "succeeded"}}, 3);
  meter.Counted("docgen_jobs_finished_total", {{"outcome", "invalid"}}, 1);
  meter.Counted("docgen_jobs_finished_total", {{"outcome", "failed"}}, 1);
  meter.Counted("docgen_jobs_created_total", {}, 9);  // selected by neither
  const Labels resolve = {{"method", "POST"}, {"route", "/v1/packages:resolve"}};
  meter.Observed("docgen_http_request_duration_seconds", resolve, 0.05);
  meter.Observed("docgen_http_request_duration_seconds", resolve, 0.1);  // on the bound: within it
  clock.now += 60'000;
  meter.Observed("docgen_http_request_duration_seconds", resolve, 0.3);
  meter.Observed("docgen_http_request_duration_seconds", {{"method", "POST"}, {"route", "/v1/packages:render"}}, 0.01);
  std::vector<SloMinute> counts = meter.Drain();
  ASSERT_EQ(counts.size(), 3u);
  auto find = [&](const std::string& slo, int64_t minute) {
    for (const auto& c : counts) {
      if (c.slo == slo && c.minute == minute) return std::make_pair(c.good, c.total);
    }
    return std::make_pair(int64_t{-1}, int64_t{-1});
  };
  EXPECT_EQ(find("jobs-succeed", 1000), std::make_pair(int64_t{4}, int64_t{5}));
  EXPECT_EQ(find("resolve-fast", 1000), std::make_pair(int64_t{2}, int64_t{2}));
  EXPECT_EQ(find("resolve-fast", 1001), std::make_pair(int64_t{0}, int64_t{1}));
  EXPECT_TRUE(meter.Drain().empty());  // handed out once
  meter.Restore(counts);               // a failed store: nothing lost
  EXPECT_EQ(meter.Drain().size(), 3u);
}

// The report of `slos` at `now` from per-minute counts, summed as the store sums them.
nlohmann::ordered_json Report(const std::vector<Slo>& slos, const std::vector<SloMinute>& minutes, int64_t now) {
  return SloReport(slos, SumMinutes(minutes, SloReportSince(slos, now), now / 60000));
}

TEST(SloReport, ABurstOfFailuresMovesBurnRatesAndBudgetAsComputedByHand) {
  const int64_t now = int64_t{100'000} * 60'000;  // minute 100,000
  // A day of healthy traffic: 1,000 jobs a minute, 1 failing (0.1%: a tenth of the 1% budget)...
  std::vector<SloMinute> minutes;
  for (int64_t m = 100'000 - 1439; m <= 100'000; ++m) minutes.push_back({"jobs-succeed", m, 999, 1000});
  auto report = Report({JobsSlo()}, minutes, now)[0];
  EXPECT_EQ(report["total"], 1'440'000);
  EXPECT_NEAR(report["compliance"].get<double>(), 99.9, 1e-9);
  EXPECT_NEAR(report["error_budget_left"].get<double>(), 0.9, 1e-9);  // 1 - 0.001 / 0.01
  EXPECT_NEAR(report["burn_rates"]["5m"].get<double>(), 0.1, 1e-9);
  EXPECT_NEAR(report["burn_rates"]["3d"].get<double>(), 0.1, 1e-9);

  // ...then the last 5 minutes fail 200 of 1,000 jobs each.
  for (auto& m : minutes) {
    if (m.minute > 100'000 - 5) m.good = 800;
  }
  report = Report({JobsSlo()}, minutes, now)[0];
  // 5m: 1,000 bad of 5,000 = 20% = 20x the budget.
  EXPECT_NEAR(report["burn_rates"]["5m"].get<double>(), 20, 1e-9);
  // 30m: 1,000 + 25 bad of 30,000 = 3.41667% = 3.41667x.
  EXPECT_NEAR(report["burn_rates"]["30m"].get<double>(), 1025.0 / 30000 / 0.01, 1e-9);
  // 1h: 1,000 + 55 bad of 60,000.
  EXPECT_NEAR(report["burn_rates"]["1h"].get<double>(), 1055.0 / 60000 / 0.01, 1e-9);
  // Window (the day there is): 1,435 + 1,000 bad of 1,440,000; budget left 1 - 0.16910% / 1%.
  const double bad_share = (1435.0 + 1000) / 1'440'000;
  EXPECT_NEAR(report["compliance"].get<double>(), 100 * (1 - bad_share), 1e-9);
  EXPECT_NEAR(report["error_budget_left"].get<double>(), 1 - bad_share / 0.01, 1e-9);
  EXPECT_EQ(report["good"], 1'440'000 - 2435);
}

TEST(SloReport, WindowsWithoutEventsHaveNoRateAndAnUntouchedBudget) {
  const int64_t now = int64_t{100'000} * 60'000;
  // One minute of events two hours ago, and one of another SLO now.
  const std::vector<SloMinute> minutes = {{"jobs-succeed", 100'000 - 120, 90, 100}, {"resolve-fast", 100'000, 0, 5}};
  const auto report = Report({JobsSlo()}, minutes, now)[0];
  EXPECT_TRUE(report["burn_rates"]["5m"].is_null());
  EXPECT_TRUE(report["burn_rates"]["1h"].is_null());
  EXPECT_NEAR(report["burn_rates"]["6h"].get<double>(), 10, 1e-9);  // 10% bad of a 1% budget
  EXPECT_EQ(report["total"], 100);

  const auto empty = Report({JobsSlo()}, {}, now)[0];
  EXPECT_TRUE(empty["compliance"].is_null());
  EXPECT_EQ(empty["error_budget_left"], 1.0);
  // Minutes older than the window do not count: the spans start at the
  // window's first minute, then at each burn window's (5m ... 3d).
  const std::vector<int64_t> since = SloReportSince({JobsSlo()}, now);
  ASSERT_EQ(since.size(), 8u);
  EXPECT_EQ(since[0], 100'000 - 28 * 1440 + 1);
  EXPECT_EQ(since[1], 100'000 - 5 + 1);
  EXPECT_EQ(since[7], 100'000 - 3 * 1440 + 1);
  // Charts read further back than a short SLO's window: nothing they show is pruned.
  Slo day = JobsSlo();
  day.window_days = 1;
  const SloHistorySpan& month = SloHistorySpans().back();
  EXPECT_STREQ(month.name, "28d");
  EXPECT_EQ(SloHistoryFirstStep(month, now), 100'000 - 100'000 % 360 - 111 * 360);  // 112 steps of 6 hours
  EXPECT_EQ(SloKeepSince({day}, now), SloHistoryFirstStep(month, now));
  EXPECT_EQ(SloKeepSince({JobsSlo()}, now), 100'000 - 28 * 1440 + 1);  // a 28-day window starts before the 28d chart's first step
  // A minute after `now` (another process's clock ahead) is not counted yet.
  EXPECT_EQ(Report({JobsSlo()}, {{"jobs-succeed", 100'001, 0, 7}}, now)[0]["total"], 0);
}

}  // namespace
}  // namespace docgen
