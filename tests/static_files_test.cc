// The admin UI's files under /ui/: types, caching, deep links, and nothing
// outside the folder.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "server/static_files.h"

namespace docgen {
namespace {

namespace fs = std::filesystem;

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("docgen-ui-test-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "dist" / "assets");
    std::ofstream(root_ / "dist" / "index.html") << "<!doctype html><title>docgen</title>";
    std::ofstream(root_ / "dist" / "assets" / "index-3f2a9c.js") << "console.log(1)";
    std::ofstream(root_ / "dist" / "favicon.svg") << "<svg/>";
    std::ofstream(root_ / "secret.txt") << "not for the web";
    fs::create_symlink(root_ / "secret.txt", root_ / "dist" / "assets" / "link.txt");
  }
  void TearDown() override { fs::remove_all(root_); }
  std::string Header(const HttpResponse& r, const std::string& name) {
    for (const auto& [key, value] : r.headers) {
      if (key == name) return value;
    }
    return "";
  }
  fs::path root_;
};

TEST_F(StaticFilesTest, DeepLinksGetTheAppAndAssetsAreCachedForever) {
  StaticFiles ui(root_ / "dist", "/ui");
  EXPECT_TRUE(ui.Serves("/ui/jobs"));
  EXPECT_FALSE(ui.Serves("/uix"));
  EXPECT_FALSE(ui.Serves("/v1/jobs"));
  HttpResponse app = ui.Get("/ui/jobs/job_123");
  EXPECT_EQ(app.status, 200);
  EXPECT_EQ(app.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(Header(app, "Cache-Control"), "no-cache");
  EXPECT_NE(Header(app, "Content-Security-Policy").find("script-src 'self'"), std::string::npos);
  HttpResponse script = ui.Get("/ui/assets/index-3f2a9c.js");
  EXPECT_EQ(script.body, "console.log(1)");
  EXPECT_EQ(script.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(Header(script, "Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(ui.Get("/ui/favicon.svg").content_type, "image/svg+xml");
  EXPECT_EQ(ui.Get("/ui").status, 308);
}

TEST_F(StaticFilesTest, NothingOutsideTheFolderIsServed) {
  StaticFiles ui(root_ / "dist", "/ui");
  EXPECT_EQ(ui.Get("/ui/../secret.txt").status, 404);
  EXPECT_EQ(ui.Get("/ui/assets/../../secret.txt").status, 404);
  EXPECT_EQ(ui.Get("/ui/assets/link.txt").status, 404);  // a link that leaves the folder
  EXPECT_EQ(ui.Get("/ui/.env").status, 404);
  EXPECT_EQ(ui.Get("/ui/assets/missing.js").status, 404);
}

TEST_F(StaticFilesTest, AnUnbuiltUiSaysHowToBuildIt) {
  StaticFiles ui(root_ / "nothing-here", "/ui");
  HttpResponse r = ui.Get("/ui/");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("scripts/web.sh"), std::string::npos) << r.body;
}

}  // namespace
}  // namespace docgen
