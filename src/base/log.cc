#include "base/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <ctime>

namespace docgen {

Log::Log() : logger_(std::make_shared<spdlog::logger>("docgen", std::make_shared<spdlog::sinks::stderr_sink_mt>())) {
  logger_->set_pattern("%v");
  logger_->flush_on(spdlog::level::info);
}

void Log::Write(int level, const char* name, const std::string& message, nlohmann::json fields) const {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char stamp[40];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
  nlohmann::ordered_json line;
  line["ts"] = std::string(stamp) + "." + (millis < 100 ? (millis < 10 ? "00" : "0") : "") + std::to_string(millis) + "Z";
  line["level"] = name;
  line["msg"] = message;
  for (auto& [key, value] : fields.items()) line[key] = value;
  logger_->log(static_cast<spdlog::level::level_enum>(level),
               line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
}

void Log::Info(const std::string& message, nlohmann::json fields) const { Write(spdlog::level::info, "info", message, std::move(fields)); }
void Log::Warn(const std::string& message, nlohmann::json fields) const { Write(spdlog::level::warn, "warn", message, std::move(fields)); }
void Log::Error(const std::string& message, nlohmann::json fields) const { Write(spdlog::level::err, "error", message, std::move(fields)); }

}  // namespace docgen
