// W3C Trace Context (https://www.w3.org/TR/trace-context/): the `traceparent`
// header a caller sends, and the one docgen sends on with its webhooks, so a
// job's request, its log events and its callback share one trace id.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace docgen {

struct TraceParent {
  std::string trace_id;   // 32 lowercase hex digits, not all zero
  std::string parent_id;  // 16 lowercase hex digits, not all zero
  bool sampled = false;   // trace-flags bit 0
};

// A `traceparent` value as the specification reads it: version 00 exactly
// (55 characters), a later version with at least those fields (and more only
// after a '-'); version ff, upper case, all-zero ids and anything else are
// refused (nullopt), which a receiver treats as no header.
std::optional<TraceParent> ParseTraceParent(std::string_view header);

// "00-TRACE_ID-PARENT_ID-01" (or -00 when not sampled).
std::string FormatTraceParent(const TraceParent& parent);

// Fresh random ids (a new trace when a request brings none; a span per webhook delivery).
std::string NewTraceId();
std::string NewSpanId();

}  // namespace docgen
