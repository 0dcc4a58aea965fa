// Golden tests for rendering. Each case is a folder:
//
//   tests/golden/examples/QUOTE/        the package of examples/quotes/QUOTE.json
//   tests/golden/typesetting/NAME/      template.md rendered with a fixed quote
//
// holding the approved references: text.txt (text of every page in reading
// order, pages separated by form feeds), page-N.png (each page at 36 dpi),
// structure.txt (the tagged PDF's structure tree with each element's text,
// as poppler's `pdfinfo -struct-text` reads it back), or errors.txt for a
// case that must fail. Pages are compared with a small
// tolerance (at most 0.5% of pixels may differ by more than 48 grey levels).
// Every PDF (each document's and the package's) is also checked against
// the PDF/A-2b requirements docgen meets by default.
// DOCGEN_UPDATE=1 rewrites the references; review them (they are images) before committing.
#include <docgen/render.h>
#include <docgen/resolve.h>

#include <cairo.h>
#include <gtest/gtest.h>
#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-image.h>
#include <poppler/cpp/poppler-page-renderer.h>
#include <poppler/cpp/poppler-page.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/catalog_builder.h"
#include "support/files.h"
#include "support/pdf_objects.h"

namespace docgen {
namespace {

namespace fs = std::filesystem;
const fs::path kSource = DOCGEN_SOURCE_DIR;
constexpr double kDpi = 36;

bool UpdateMode() {
  const char* v = std::getenv("DOCGEN_UPDATE");
  return v != nullptr && std::string(v) == "1";
}

using testing::ReadFile;

void WriteFile(const fs::path& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

nlohmann::json FixedQuote() {
  nlohmann::json quote = testing::Quote();
  quote["insured"] = {{"name", "A*B | C & Co <x> #1 _y_"}, {"address", "12 Pier Rd. \\ Suite #4 & [annex]"}};
  return quote;
}

// Fraction of pixels whose grey levels differ by more than 48.
double DifferingPixels(const poppler::image& actual, const fs::path& reference, std::string& why) {
  cairo_surface_t* expected = cairo_image_surface_create_from_png(reference.c_str());
  if (cairo_surface_status(expected) != CAIRO_STATUS_SUCCESS) {
    cairo_surface_destroy(expected);
    why = "cannot read " + reference.string();
    return 1;
  }
  const int width = cairo_image_surface_get_width(expected), height = cairo_image_surface_get_height(expected);
  if (width != actual.width() || height != actual.height()) {
    cairo_surface_destroy(expected);
    why = "page size differs";
    return 1;
  }
  cairo_surface_flush(expected);
  const unsigned char* e = cairo_image_surface_get_data(expected);
  const int e_stride = cairo_image_surface_get_stride(expected);
  const char* a = actual.const_data();
  const int a_stride = actual.bytes_per_row();
  long differing = 0;
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      auto grey = [](const unsigned char* p) { return (p[0] + p[1] + p[2]) / 3; };  // BGRA / ARGB32 little-endian
      const int ge = grey(e + y * e_stride + x * 4);
      const int ga = grey(reinterpret_cast<const unsigned char*>(a) + y * a_stride + x * 4);
      if (std::abs(ge - ga) > 48) ++differing;
    }
  }
  cairo_surface_destroy(expected);
  return static_cast<double>(differing) / (static_cast<double>(width) * height);
}

// The structure tree of a tagged PDF, as a screen reader would walk it:
// element types in reading order, with their text (poppler's pdfinfo).
std::string StructureText(const std::string& pdf_bytes) {
  const fs::path file = fs::temp_directory_path() / ("docgen-golden-" + std::to_string(::getpid()) + ".pdf");
  WriteFile(file, pdf_bytes);
  std::string out;
  if (FILE* pipe = ::popen(("pdfinfo -struct-text " + file.string() + " 2>&1").c_str(), "r")) {
    char buffer[4096];
    for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
    if (::pclose(pipe) != 0) out += "(pdfinfo failed)\n";
  }
  fs::remove(file);
  return out;
}

void CheckAgainstReferences(const RenderResult& result, const fs::path& dir) {
  if (!result.output) {
    std::string errors;
    for (const auto& e : result.errors) errors += e.code + " " + e.file + ":" + std::to_string(e.line) + "\n";
    if (UpdateMode()) {
      for (const auto& entry : fs::directory_iterator(dir)) {
        if (entry.path().extension() == ".png" || entry.path().filename() == "text.txt") fs::remove(entry.path());
      }
      WriteFile(dir / "errors.txt", errors);
      return;
    }
    ASSERT_TRUE(fs::exists(dir / "errors.txt")) << "rendering failed: " << errors;
    EXPECT_EQ(ReadFile(dir / "errors.txt"), errors);
    return;
  }
  ASSERT_FALSE(fs::exists(dir / "errors.txt")) << "expected an error, but the package rendered";
  testing::ExpectArchival(result.output->package_pdf, dir.filename().string() + " package");
  for (const RenderedDocument& document : result.output->documents) {
    testing::ExpectArchival(document.pdf, dir.filename().string() + " " + document.file_name);
  }
  const std::string& bytes = result.output->package_pdf;
  std::unique_ptr<poppler::document> pdf(poppler::document::load_from_raw_data(bytes.data(), static_cast<int>(bytes.size())));
  ASSERT_TRUE(pdf);
  std::string text;
  poppler::page_renderer renderer;
  renderer.set_render_hint(poppler::page_renderer::antialiasing, true);
  renderer.set_render_hint(poppler::page_renderer::text_antialiasing, true);
  if (UpdateMode()) {
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.path().extension() == ".png") fs::remove(entry.path());
    }
  }
  int reference_pages = 0;
  while (fs::exists(dir / ("page-" + std::to_string(reference_pages + 1) + ".png"))) ++reference_pages;
  if (!UpdateMode()) {
    EXPECT_EQ(pdf->pages(), reference_pages) << "page count";
  }
  for (int p = 0; p < pdf->pages(); ++p) {
    std::unique_ptr<poppler::page> page(pdf->create_page(p));
    auto utf8 = page->text().to_utf8();
    text += std::string(utf8.begin(), utf8.end()) + "\f\n";
    poppler::image image = renderer.render_page(page.get(), kDpi, kDpi);
    const fs::path png = dir / ("page-" + std::to_string(p + 1) + ".png");
    if (UpdateMode()) {
      image.save(png.string(), "png");
      continue;
    }
    if (p >= reference_pages) continue;
    std::string why;
    const double differing = DifferingPixels(image, png, why);
    EXPECT_LE(differing, 0.005) << png << ": " << differing * 100 << "% of pixels differ " << why
                                << " (DOCGEN_UPDATE=1 to approve the new rendering)";
  }
  const std::string structure = StructureText(bytes);
  if (UpdateMode()) {
    WriteFile(dir / "text.txt", text);
    WriteFile(dir / "structure.txt", structure);
    return;
  }
  EXPECT_EQ(ReadFile(dir / "text.txt"), text) << "extracted text differs in " << dir;
  EXPECT_EQ(ReadFile(dir / "structure.txt"), structure) << "the structure tree differs in " << dir;
}

class ExampleCase : public ::testing::Test {
 public:
  ExampleCase(fs::path quote, fs::path dir) : quote_(std::move(quote)), dir_(std::move(dir)) {}
  void TestBody() override {
    static const std::shared_ptr<const Catalog> catalog = LoadCatalogDirectory(kSource / "examples" / "acme-cyber").catalog;
    ASSERT_TRUE(catalog);
    const nlohmann::json quote = nlohmann::json::parse(ReadFile(quote_));
    Package package = Resolve(*catalog, quote);
    ASSERT_TRUE(package.valid);
    Renderer renderer;
    fs::create_directories(dir_);
    CheckAgainstReferences(renderer.Render(*catalog, package, quote), dir_);
  }

 private:
  fs::path quote_, dir_;
};

class TypesettingCase : public ::testing::Test {
 public:
  explicit TypesettingCase(fs::path dir) : dir_(std::move(dir)) {}
  void TestBody() override {
    CatalogLoad load = testing::CatalogBuilder()
                           .File("catalog.yaml", testing::BaseCatalogYaml() + "defaults: {pdf: {tagged: true}}\n")
                           .Document("T", "id: T\ntitle: Typesetting case\nkind: form\nedition: '1'\nattach: {new: yes}\n",
                                     ReadFile(dir_ / "template.md"))
                           .Load();
    ASSERT_TRUE(load.catalog) << (load.diagnostics.empty() ? "" : FormatDiagnostic(load.diagnostics[0]));
    const nlohmann::json quote = FixedQuote();
    Package package = Resolve(*load.catalog, quote);
    Renderer renderer;
    CheckAgainstReferences(renderer.Render(*load.catalog, package, quote), dir_);
  }

 private:
  fs::path dir_;
};

std::string Name(std::string s) {
  for (char& c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return s;
}

}  // namespace
}  // namespace docgen

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  ::testing::InitGoogleTest(&argc, argv);
  std::vector<fs::path> quotes, cases;
  for (const auto& e : fs::directory_iterator(docgen::kSource / "examples" / "quotes")) quotes.push_back(e.path());
  for (const auto& e : fs::directory_iterator(docgen::kSource / "tests" / "golden" / "typesetting")) cases.push_back(e.path());
  std::sort(quotes.begin(), quotes.end());
  std::sort(cases.begin(), cases.end());
  const std::shared_ptr<const docgen::Catalog> catalog =
      docgen::LoadCatalogDirectory(docgen::kSource / "examples" / "acme-cyber").catalog;
  for (const auto& quote : quotes) {
    if (!catalog || !docgen::ResolveText(*catalog, docgen::ReadFile(quote)).valid) continue;
    const fs::path dir = docgen::kSource / "tests" / "golden" / "examples" / quote.stem();
    ::testing::RegisterTest("GoldenExample", docgen::Name(quote.stem().string()).c_str(), nullptr, nullptr, __FILE__,
                            __LINE__, [=]() -> ::testing::Test* { return new docgen::ExampleCase(quote, dir); });
  }
  for (const auto& dir : cases) {
    ::testing::RegisterTest("GoldenTypesetting", docgen::Name(dir.filename().string()).c_str(), nullptr, nullptr, __FILE__,
                            __LINE__, [=]() -> ::testing::Test* { return new docgen::TypesettingCase(dir); });
  }
  return RUN_ALL_TESTS();
}
