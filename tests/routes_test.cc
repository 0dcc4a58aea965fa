// The route table (src/server/routes.cc) and docs/openapi.json describe the
// same API: every route is documented with its operation id and role, and
// every documented operation is a route. Adding a route without documenting
// it (or the reverse) fails here.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "server/routes.h"
#include "support/files.h"

namespace docgen {
namespace {

struct Documented {
  std::string operation_id;
  std::string role;
  bool public_route = false;
  std::set<std::string> responses;
};

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::map<std::string, Documented> DocumentedOperations() {
  const nlohmann::json doc = nlohmann::json::parse(testing::ReadFile(std::string(DOCGEN_SOURCE_DIR) + "/docs/openapi.json"));
  std::map<std::string, Documented> out;
  for (const auto& [path, item] : doc.at("paths").items()) {
    for (const auto& [method, operation] : item.items()) {
      if (method == "parameters" || method == "summary" || method == "description") continue;
      Documented d;
      d.operation_id = operation.value("operationId", "");
      d.role = operation.value("x-docgen-role", "");
      d.public_route = operation.contains("security") && operation["security"].empty();
      for (const auto& [status, unused] : operation.at("responses").items()) d.responses.insert(status);
      out[Lower(method) + " " + path] = d;
    }
  }
  return out;
}

std::string RoleName(Role role) { return role == Role::kNone ? "public" : ToString(role); }

// A route's path as the document writes it: a rest-of-path parameter
// {name*} is the path parameter {name}.
std::string DocumentedPath(std::string pattern) {
  for (size_t star; (star = pattern.find("*}")) != std::string::npos;) pattern.erase(star, 1);
  return pattern;
}

TEST(RouteTableTest, EveryRouteIsDocumentedWithItsOperationIdAndRole) {
  const auto documented = DocumentedOperations();
  for (const Route& route : RouteTable()) {
    const std::string key = Lower(route.method) + " " + DocumentedPath(route.pattern);
    auto it = documented.find(key);
    ASSERT_NE(it, documented.end()) << key << " is a route but not in docs/openapi.json";
    EXPECT_EQ(it->second.operation_id, route.operation_id) << key;
    EXPECT_EQ(it->second.role, RoleName(route.role)) << key;
    EXPECT_EQ(it->second.public_route, route.role == Role::kNone) << key << ": security must be [] exactly on public routes";
    if (route.role != Role::kNone) {
      EXPECT_TRUE(it->second.responses.count("401")) << key << " needs a token: document 401";
      EXPECT_TRUE(it->second.responses.count("403")) << key << " needs a role: document 403";
    }
  }
}

TEST(RouteTableTest, EveryDocumentedOperationIsARoute) {
  std::set<std::string> routes;
  for (const Route& route : RouteTable()) routes.insert(Lower(route.method) + " " + DocumentedPath(route.pattern));
  for (const auto& [key, unused] : DocumentedOperations()) {
    EXPECT_TRUE(routes.count(key)) << key << " is in docs/openapi.json but no route serves it";
  }
}

TEST(RouteTableTest, OperationIdsAndRoutesAreUniqueAndEveryRouteHasAHandler) {
  std::set<std::string> ids, routes;
  for (const Route& route : RouteTable()) {
    EXPECT_TRUE(ids.insert(route.operation_id).second) << route.operation_id;
    EXPECT_TRUE(routes.insert(std::string(route.method) + " " + route.pattern).second) << route.pattern;
    EXPECT_NE(route.handler, nullptr) << route.pattern;
  }
}

TEST(RouteTableTest, TheWorkerServesOnlyPublicHealthAndMetrics) {
  for (const Route& route : RouteTable()) {
    if (route.on_worker) {
      EXPECT_EQ(route.role, Role::kNone) << route.pattern << ": docgen worker has no tokens";
    }
  }
}

// Query and path numbers: digits only, inside the range, or refused.
TEST(WholeNumberTest, TakesDigitsInsideTheRange) {
  EXPECT_EQ(WholeNumber("0", 0, 10), 0);
  EXPECT_EQ(WholeNumber("10", 0, 10), 10);
  EXPECT_EQ(WholeNumber("007", 0, 10), 7);
  EXPECT_EQ(WholeNumber("9223372036854775807", 0, INT64_MAX), INT64_MAX);
}

TEST(WholeNumberTest, RefusesSignsSpacesOtherTextAndNumbersOutsideTheRange) {
  for (const char* text : {"", "+1", "-1", " 1", "1 ", "1.5", "1e3", "0x10", "ten", "9223372036854775808", "11"}) {
    EXPECT_EQ(WholeNumber(text, 0, 10), std::nullopt) << text;
  }
  EXPECT_EQ(WholeNumber("0", 1, 10), std::nullopt);
}

}  // namespace
}  // namespace docgen
