#include "base/trace.h"

#include "util/text.h"

namespace docgen {
namespace {

bool LowerHex(std::string_view text) {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool AllZero(std::string_view text) { return text.find_first_not_of('0') == std::string_view::npos; }

std::string NonZeroHex(size_t bytes) {
  for (;;) {
    std::string id = RandomHex(bytes);
    if (!AllZero(id)) return id;
  }
}

}  // namespace

std::optional<TraceParent> ParseTraceParent(std::string_view header) {
  // version "-" trace-id "-" parent-id "-" trace-flags
  constexpr size_t kLength = 2 + 1 + 32 + 1 + 16 + 1 + 2;
  if (header.size() < kLength || header[2] != '-' || header[35] != '-' || header[52] != '-') return std::nullopt;
  const std::string_view version = header.substr(0, 2), trace = header.substr(3, 32), parent = header.substr(36, 16),
                         flags = header.substr(53, 2);
  if (!LowerHex(version) || version == "ff" || !LowerHex(trace) || !LowerHex(parent) || !LowerHex(flags)) return std::nullopt;
  if (AllZero(trace) || AllZero(parent)) return std::nullopt;
  if (version == "00" ? header.size() != kLength : header.size() > kLength && header[kLength] != '-') return std::nullopt;
  TraceParent out;
  out.trace_id = std::string(trace);
  out.parent_id = std::string(parent);
  out.sampled = (std::stoi(std::string(flags), nullptr, 16) & 1) != 0;
  return out;
}

std::string FormatTraceParent(const TraceParent& parent) {
  return "00-" + parent.trace_id + "-" + parent.parent_id + (parent.sampled ? "-01" : "-00");
}

std::string NewTraceId() { return NonZeroHex(16); }
std::string NewSpanId() { return NonZeroHex(8); }

}  // namespace docgen
