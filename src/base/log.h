// Structured logs: one JSON object per line on stderr (spdlog), with the
// time, level, message and the ids the line is about (request_id, job_id,
// quote_id). Tokens never go into a line, nor a quote's contents beyond
// the dimensions of a wide event (product, jurisdiction, transaction).
// Thread-safe.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

namespace spdlog {
class logger;
}

namespace docgen {

class Log {
 public:
  Log();  // to stderr
  void Info(const std::string& message, nlohmann::json fields = nlohmann::json::object()) const;
  void Warn(const std::string& message, nlohmann::json fields = nlohmann::json::object()) const;
  void Error(const std::string& message, nlohmann::json fields = nlohmann::json::object()) const;

 private:
  void Write(int level, const char* name, const std::string& message, nlohmann::json fields) const;
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace docgen
