#include <docgen/catalog.h>

#include <gtest/gtest.h>

namespace docgen {
namespace {

TEST(IsoDate, ParsesRealDatesOnly) {
  EXPECT_TRUE(ParseIsoDate("2024-02-29"));
  EXPECT_FALSE(ParseIsoDate("2025-02-29"));
  EXPECT_FALSE(ParseIsoDate("2025-13-01"));
  EXPECT_FALSE(ParseIsoDate("2025-1-01"));
  EXPECT_FALSE(ParseIsoDate("2025-01-01T00:00"));
  EXPECT_FALSE(ParseIsoDate(""));
}

TEST(IsoDate, OrdersAndRoundTrips) {
  EXPECT_LT(*ParseIsoDate("2024-12-31"), *ParseIsoDate("2025-01-01"));
  EXPECT_EQ(FormatIsoDate(*ParseIsoDate("1999-03-01")), "1999-03-01");
  EXPECT_EQ(ParseIsoDate("1970-01-01")->days, 0);
}

}  // namespace
}  // namespace docgen
