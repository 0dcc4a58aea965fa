// Cron schedules (base/cron.h): crontab(5)'s five fields, in UTC.
#include "base/cron.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>
#include <string>

namespace docgen {
namespace {

// Milliseconds since the epoch of "YYYY-MM-DDTHH:MM:SSZ".
int64_t At(const std::string& iso) {
  std::tm t{};
  EXPECT_EQ(std::sscanf(iso.c_str(), "%d-%d-%dT%d:%d:%dZ", &t.tm_year, &t.tm_mon, &t.tm_mday, &t.tm_hour, &t.tm_min, &t.tm_sec), 6);
  t.tm_year -= 1900;
  t.tm_mon -= 1;
  return static_cast<int64_t>(timegm(&t)) * 1000;
}

CronSchedule Parsed(const std::string& text) {
  Result<CronSchedule> s = ParseCron(text);
  EXPECT_TRUE(s.ok()) << text << ": " << s.status().message();
  return s.ok() ? *s : CronSchedule{};
}

TEST(Cron, DailyAtThreeMatchesThatMinuteOnly) {
  const CronSchedule s = Parsed("0 3 * * *");
  EXPECT_TRUE(s.Matches(At("2026-12-01T03:00:00Z")));
  EXPECT_TRUE(s.Matches(At("2026-12-01T03:00:59Z")));  // any second of the minute
  EXPECT_FALSE(s.Matches(At("2026-12-01T03:01:00Z")));
  EXPECT_FALSE(s.Matches(At("2026-12-01T15:00:00Z")));
}

TEST(Cron, ListsRangesStepsAndNames) {
  const CronSchedule s = Parsed("*/15 9-17/4 * JAN,jul MON-FRI");
  EXPECT_TRUE(s.Matches(At("2027-01-04T09:45:00Z")));   // a Monday
  EXPECT_TRUE(s.Matches(At("2027-07-02T17:30:00Z")));   // a Friday; 9, 13, 17
  EXPECT_FALSE(s.Matches(At("2027-01-04T10:00:00Z")));  // 10 is not a step of 9-17/4
  EXPECT_FALSE(s.Matches(At("2027-01-09T09:00:00Z")));  // a Saturday
  EXPECT_FALSE(s.Matches(At("2027-02-01T09:00:00Z")));  // February
  EXPECT_TRUE(Parsed("5/20 * * * *").Matches(At("2027-01-01T00:45:00Z")));  // 5, 25, 45
}

TEST(Cron, SundayIsZeroAndSeven) {
  EXPECT_TRUE(Parsed("0 0 * * 7").Matches(At("2026-12-06T00:00:00Z")));
  EXPECT_TRUE(Parsed("0 0 * * 0").Matches(At("2026-12-06T00:00:00Z")));
  EXPECT_TRUE(Parsed("@weekly").Matches(At("2026-12-06T00:00:00Z")));
}

TEST(Cron, BothDayFieldsRestrictedMatchEither) {
  const CronSchedule s = Parsed("0 0 1 * MON");
  EXPECT_TRUE(s.Matches(At("2026-12-01T00:00:00Z")));   // the 1st (a Tuesday)
  EXPECT_TRUE(s.Matches(At("2026-12-07T00:00:00Z")));   // a Monday
  EXPECT_FALSE(s.Matches(At("2026-12-08T00:00:00Z")));
}

TEST(Cron, AStarredDayFieldWithAStepIsUnrestrictedAsInCron) {
  // "*/2" in the day of month leaves the either-day rule out: odd days that are Mondays.
  const CronSchedule s = Parsed("0 0 */2 * MON");
  EXPECT_TRUE(s.Matches(At("2026-12-07T00:00:00Z")));   // the 7th, a Monday
  EXPECT_FALSE(s.Matches(At("2026-12-14T00:00:00Z")));  // a Monday, but the 14th
  EXPECT_FALSE(s.Matches(At("2026-12-09T00:00:00Z")));  // the 9th, a Wednesday
}

TEST(Cron, AStepAfterANumberRunsToTheEnd) {
  const CronSchedule s = Parsed("50/1 * * * *");
  EXPECT_TRUE(s.Matches(At("2026-12-01T10:50:00Z")));
  EXPECT_TRUE(s.Matches(At("2026-12-01T10:59:00Z")));
  EXPECT_FALSE(s.Matches(At("2026-12-01T10:49:00Z")));
}

TEST(Cron, LastTickLooksBackAWhileOnly) {
  const CronSchedule s = Parsed("0 3 * * *");
  EXPECT_EQ(LastCronTick(s, At("2026-12-01T03:07:30Z"), 10), At("2026-12-01T03:00:00Z"));
  EXPECT_EQ(LastCronTick(s, At("2026-12-01T03:00:00Z"), 10), At("2026-12-01T03:00:00Z"));
  EXPECT_EQ(LastCronTick(s, At("2026-12-01T03:11:00Z"), 10), std::nullopt);
  EXPECT_EQ(LastCronTick(Parsed("* * * * *"), At("2026-12-01T03:11:42Z"), 0), At("2026-12-01T03:11:00Z"));
}

TEST(Cron, MistakesSayWhichFieldAndWhy) {
  auto error = [](const std::string& text) { return ParseCron(text).status().message(); };
  EXPECT_EQ(error("0 24 * * *"), "hour: 24 is outside 0-23");
  EXPECT_EQ(error("0 3 * *"), "a schedule has five fields (minute hour day-of-month month day-of-week, e.g. \"0 3 * * *\"), not 4");
  EXPECT_EQ(error("*/0 * * * *"), "minute: the step after / must be a whole number from 1, not \"0\"");
  EXPECT_EQ(error("0 0 * FOO *"), "month: \"FOO\" is not a number or a name");
  EXPECT_EQ(error("0 0 10-2 * *"), "day of month: the range 10-2 runs backwards");
  EXPECT_EQ(error("0 0 0 * *"), "day of month: 0 is outside 1-31");
  EXPECT_EQ(error(""), "a schedule has five fields (minute hour day-of-month month day-of-week, e.g. \"0 3 * * *\"), not 0");
}

}  // namespace
}  // namespace docgen
