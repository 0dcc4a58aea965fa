#include "base/cron.h"

#include <array>
#include <cctype>
#include <ctime>
#include <string>
#include <vector>

namespace docgen {
namespace {

struct Field {
  const char* name;
  int min;
  int max;
  std::array<const char*, 13> names;  // by value - min; empty where a value has no name
};

constexpr Field kFields[] = {
    {"minute", 0, 59, {}},
    {"hour", 0, 23, {}},
    {"day of month", 1, 31, {}},
    {"month", 1, 12, {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}},
    {"day of week", 0, 7, {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"}},
};

std::string Upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// One value of a field: a number, or a name (months, weekdays).
Result<int> Value(const Field& f, std::string_view text) {
  const std::string word = Upper(text);
  for (size_t i = 0; i < f.names.size() && f.names[i] != nullptr; ++i) {
    if (word == f.names[i]) return f.min + static_cast<int>(i);
  }
  if (text.empty() || text.size() > 4 || text.find_first_not_of("0123456789") != std::string_view::npos) {
    return Status::InvalidArgument(std::string(f.name) + ": \"" + std::string(text.substr(0, 16)) + "\" is not a number" +
                                   (f.names[0] ? " or a name" : ""));
  }
  const int v = std::stoi(std::string(text));
  if (v < f.min || v > f.max) {
    return Status::InvalidArgument(std::string(f.name) + ": " + std::to_string(v) + " is outside " + std::to_string(f.min) + "-" +
                                   std::to_string(f.max));
  }
  return v;
}

// A field's values: a list of *, N, A-B, each with an optional /STEP.
Result<std::vector<bool>> Parse(const Field& f, std::string_view text, bool& any) {
  std::vector<bool> on(static_cast<size_t>(f.max + 1), false);
  any = !text.empty() && text[0] == '*';  // as cron: "*/2" leaves a day field unrestricted for the either-day rule
  while (true) {
    const size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    int step = 1;
    const bool stepped = item.find('/') != std::string_view::npos;
    if (const size_t slash = item.find('/'); slash != std::string_view::npos) {
      const std::string_view s = item.substr(slash + 1);
      if (s.empty() || s.size() > 3 || s.find_first_not_of("0123456789") != std::string_view::npos || std::stoi(std::string(s)) == 0) {
        return Status::InvalidArgument(std::string(f.name) + ": the step after / must be a whole number from 1, not \"" +
                                       std::string(s.substr(0, 16)) + "\"");
      }
      step = std::stoi(std::string(s));
      item = item.substr(0, slash);
    }
    int from = f.min, to = f.max;
    if (item != "*") {
      const size_t dash = item.find('-');
      Result<int> a = Value(f, item.substr(0, dash));
      if (!a.ok()) return a.status();
      from = to = *a;
      if (dash != std::string_view::npos) {
        Result<int> b = Value(f, item.substr(dash + 1));
        if (!b.ok()) return b.status();
        to = *b;
        if (to < from) {
          return Status::InvalidArgument(std::string(f.name) + ": the range " + std::string(item) + " runs backwards");
        }
      } else if (stepped) {
        to = f.max;  // N/S: from N on, every S
      }
    }
    for (int v = from; v <= to; v += step) on[static_cast<size_t>(v)] = true;
    if (comma == std::string_view::npos) break;
    text = text.substr(comma + 1);
  }
  return on;
}

}  // namespace

Result<CronSchedule> ParseCron(std::string_view text) {
  const std::string macro = Upper(text);
  if (macro == "@HOURLY") return ParseCron("0 * * * *");
  if (macro == "@DAILY" || macro == "@MIDNIGHT") return ParseCron("0 0 * * *");
  if (macro == "@WEEKLY") return ParseCron("0 0 * * 0");
  if (macro == "@MONTHLY") return ParseCron("0 0 1 * *");
  if (macro == "@YEARLY" || macro == "@ANNUALLY") return ParseCron("0 0 1 1 *");
  std::vector<std::string_view> parts;
  for (size_t i = 0; i < text.size();) {
    if (std::isspace(static_cast<unsigned char>(text[i]))) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end]))) ++end;
    parts.push_back(text.substr(i, end - i));
    i = end;
  }
  if (parts.size() != 5) {
    return Status::InvalidArgument("a schedule has five fields (minute hour day-of-month month day-of-week, e.g. \"0 3 * * *\"), not " +
                                   std::to_string(parts.size()));
  }
  CronSchedule s;
  bool any = false;
  std::vector<std::vector<bool>> fields;
  for (size_t i = 0; i < 5; ++i) {
    Result<std::vector<bool>> on = Parse(kFields[i], parts[i], any);
    if (!on.ok()) return on.status();
    if (i == 2) s.any_day = any;
    if (i == 4) s.any_weekday = any;
    fields.push_back(std::move(*on));
  }
  for (int v = 0; v < 60; ++v) s.minutes[static_cast<size_t>(v)] = fields[0][static_cast<size_t>(v)];
  for (int v = 0; v < 24; ++v) s.hours[static_cast<size_t>(v)] = fields[1][static_cast<size_t>(v)];
  for (int v = 1; v <= 31; ++v) s.days[static_cast<size_t>(v)] = fields[2][static_cast<size_t>(v)];
  for (int v = 1; v <= 12; ++v) s.months[static_cast<size_t>(v)] = fields[3][static_cast<size_t>(v)];
  for (int v = 0; v <= 7; ++v) {
    if (fields[4][static_cast<size_t>(v)]) s.weekdays[static_cast<size_t>(v % 7)] = true;
  }
  return s;
}

bool CronSchedule::Matches(int64_t epoch_ms) const {
  const std::time_t seconds = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm t{};
  gmtime_r(&seconds, &t);
  if (!minutes[static_cast<size_t>(t.tm_min)] || !hours[static_cast<size_t>(t.tm_hour)] ||
      !months[static_cast<size_t>(t.tm_mon + 1)]) {
    return false;
  }
  const bool day = days[static_cast<size_t>(t.tm_mday)];
  const bool weekday = weekdays[static_cast<size_t>(t.tm_wday)];
  // As cron: when either day field starts with '*', a day must match both
  // (a plain '*' matches every day); when both are restricted, either.
  if (any_day || any_weekday) return day && weekday;
  return day || weekday;
}

std::optional<int64_t> LastCronTick(const CronSchedule& schedule, int64_t now_ms, int lookback_minutes) {
  const int64_t minute = now_ms - now_ms % 60000;
  for (int back = 0; back <= lookback_minutes; ++back) {
    const int64_t at = minute - int64_t{back} * 60000;
    if (schedule.Matches(at)) return at;
  }
  return std::nullopt;
}

}  // namespace docgen
