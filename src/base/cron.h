// Cron schedules (the five fields of crontab(5), in UTC): when the service
// starts a scheduled test run (SPEC §8, `test_runs: {schedule: "0 3 * * *"}`).
//
//   minute hour day-of-month month day-of-week
//   *  N  A-B  */S  A-B/S  N/S  and lists of them (1,15,30); months JAN-DEC
//   and weekdays SUN-SAT by name; 0 and 7 are both Sunday; @hourly, @daily
//   (@midnight), @weekly, @monthly, @yearly (@annually).
// As in cron, when both day fields are restricted a day matching either runs;
// when either starts with '*' ("*/2"), a day must match both.
#pragma once

#include <docgen/status.h>

#include <bitset>
#include <cstdint>
#include <optional>
#include <string_view>

namespace docgen {

struct CronSchedule {
  std::bitset<60> minutes;
  std::bitset<24> hours;
  std::bitset<32> days;      // 1..31
  std::bitset<13> months;    // 1..12
  std::bitset<7> weekdays;   // 0 (Sunday)..6
  bool any_day = true;       // the day-of-month field starts with *
  bool any_weekday = true;   // the day-of-week field starts with *

  // True when the minute that starts at `epoch_ms` (UTC) is a tick.
  bool Matches(int64_t epoch_ms) const;
};

// The schedule, or what is wrong and in which field ("hour: 24 is outside 0-23").
Result<CronSchedule> ParseCron(std::string_view text);

// The latest tick at or before `now_ms` within the last `lookback_minutes`
// minutes (milliseconds since the epoch, a whole minute); nullopt when none.
std::optional<int64_t> LastCronTick(const CronSchedule& schedule, int64_t now_ms, int lookback_minutes);

}  // namespace docgen
