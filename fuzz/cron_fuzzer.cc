// Cron schedules as an operator types them (test_runs.schedule): any text
// parses to a schedule or to an error naming the field, never a crash; a
// schedule answers Matches and LastCronTick for any time.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "base/cron.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  int64_t at = 0;  // the first bytes pick a time, the rest is the schedule
  if (size >= sizeof at) {
    std::memcpy(&at, data, sizeof at);
    data += sizeof at;
    size -= sizeof at;
  }
  at = static_cast<int64_t>(static_cast<uint64_t>(at) % (int64_t{4102444800} * 1000));  // 1970 to 2100
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  docgen::Result<docgen::CronSchedule> schedule = docgen::ParseCron(text);
  if (!schedule.ok()) {
    if (schedule.status().message().empty()) __builtin_trap();  // every refusal says why
    return 0;
  }
  (void)schedule->Matches(at);
  if (auto tick = docgen::LastCronTick(*schedule, at, 60)) {
    if (*tick > at || *tick % 60000 != 0 || !schedule->Matches(*tick)) __builtin_trap();
  }
  return 0;
}
