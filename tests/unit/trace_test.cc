// W3C Trace Context's traceparent header (https://www.w3.org/TR/trace-context/#traceparent-header).
#include "base/trace.h"

#include <gtest/gtest.h>

namespace docgen {
namespace {

TEST(TraceParent, Version00IsReadExactly) {
  auto parent = ParseTraceParent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  ASSERT_TRUE(parent);
  EXPECT_EQ(parent->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(parent->parent_id, "00f067aa0ba902b7");
  EXPECT_TRUE(parent->sampled);
  EXPECT_FALSE(ParseTraceParent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")->sampled);
  EXPECT_FALSE(ParseTraceParent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra")) << "version 00 has no more fields";
}

TEST(TraceParent, LaterVersionsMayAddFieldsAfterADash) {
  EXPECT_TRUE(ParseTraceParent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future"));
  EXPECT_TRUE(ParseTraceParent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
  EXPECT_FALSE(ParseTraceParent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x"));
  EXPECT_FALSE(ParseTraceParent("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")) << "version ff is invalid";
}

TEST(TraceParent, MalformedValuesAreNoTraceParent) {
  for (const char* bad : {"", "00", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
                          "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",  // upper case
                          "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  // all-zero trace id
                          "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  // all-zero parent id
                          "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",  // not hex
                          "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01", "0-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}) {
    EXPECT_FALSE(ParseTraceParent(bad)) << bad;
  }
}

TEST(TraceParent, FormattedAsVersion00AndReadBack) {
  const TraceParent parent{NewTraceId(), NewSpanId(), true};
  EXPECT_EQ(parent.trace_id.size(), 32u);
  EXPECT_EQ(parent.parent_id.size(), 16u);
  const std::string header = FormatTraceParent(parent);
  EXPECT_EQ(header.size(), 55u);
  auto again = ParseTraceParent(header);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->trace_id, parent.trace_id);
  EXPECT_EQ(again->parent_id, parent.parent_id);
  EXPECT_NE(NewTraceId(), NewTraceId());
}

}  // namespace
}  // namespace docgen
