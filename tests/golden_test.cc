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
#include <unistd.h>
#include <gtest/gtest.h>
#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-image.h>
#include <poppler/cpp/poppler-page-renderer.h>
#include <poppler/cpp/poppler-page.h>
#define POINTERHOLDER_TRANSITION 4  // qpdf: std::shared_ptr only
#include <qpdf/QPDF.hh>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "support/catalog_builder.h"
#include "support/files.h"

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

// The text of the first <tag>...</tag> in `xml`, with the five XML entities undone.
std::string XmlText(const std::string& xml, const std::string& tag) {
  const size_t open = xml.find("<" + tag + ">");
  if (open == std::string::npos) return "(no " + tag + ")";
  const size_t start = open + tag.size() + 2;
  const std::string name = tag.substr(0, tag.find(' '));  // the closing tag has no attributes
  std::string text = xml.substr(start, xml.find("</" + name + ">", start) - start);
  for (const auto& [entity, c] : std::vector<std::pair<std::string, std::string>>{
           {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}, {"&amp;", "&"}}) {
    for (size_t at = text.find(entity); at != std::string::npos; at = text.find(entity, at + 1)) text.replace(at, entity.size(), c);
  }
  return text;
}

// Every font of `resources` (and of the forms and Type 3 glyphs they use)
// embedded, and a TrueType CID font mapping CIDs to glyphs; no image asking
// to be interpolated.
void CheckResources(QPDFObjectHandle resources, const std::string& where, int depth = 0) {
  if (!resources.isDictionary() || depth > 8) return;
  QPDFObjectHandle fonts = resources.getKey("/Font");
  for (const std::string& name : fonts.isDictionary() ? fonts.getKeys() : std::set<std::string>{}) {
    QPDFObjectHandle font = fonts.getKey(name);
    const std::string subtype = font.getKey("/Subtype").getName();
    if (subtype == "/Type3") {
      CheckResources(font.getKey("/Resources"), where, depth + 1);
      continue;
    }
    QPDFObjectHandle described = subtype == "/Type0" ? font.getKey("/DescendantFonts").getArrayItem(0) : font;
    QPDFObjectHandle descriptor = described.getKey("/FontDescriptor");
    EXPECT_TRUE(descriptor.hasKey("/FontFile") || descriptor.hasKey("/FontFile2") || descriptor.hasKey("/FontFile3"))
        << where << ": font " << font.getKey("/BaseFont").unparse() << " is not embedded";
    if (described.getKey("/Subtype").isNameAndEquals("/CIDFontType2")) {
      EXPECT_TRUE(described.hasKey("/CIDToGIDMap")) << where << ": " << font.getKey("/BaseFont").unparse() << " has no CIDToGIDMap";
    }
  }
  QPDFObjectHandle xobjects = resources.getKey("/XObject");
  for (const std::string& name : xobjects.isDictionary() ? xobjects.getKeys() : std::set<std::string>{}) {
    QPDFObjectHandle dict = xobjects.getKey(name).getDict();
    if (dict.getKey("/Subtype").isNameAndEquals("/Image")) {
      EXPECT_FALSE(dict.getKey("/Interpolate").isBool() && dict.getKey("/Interpolate").getBoolValue()) << where << ": an image interpolates";
    } else {
      CheckResources(dict.getKey("/Resources"), where, depth + 1);
    }
  }
}

// PDF/A-2b, as far as the file itself shows it: the XMP identification,
// equal to the document information; the sRGB output intent; every font
// embedded; no encryption and nothing that runs.
void CheckArchival(const std::string& bytes, const std::string& where) {
  QPDF pdf;
  pdf.processMemoryFile(where.c_str(), bytes.data(), bytes.size());
  EXPECT_FALSE(pdf.getTrailer().hasKey("/Encrypt")) << where;
  EXPECT_TRUE(pdf.getTrailer().getKey("/ID").isArray()) << where;
  QPDFObjectHandle root = pdf.getRoot();
  EXPECT_FALSE(root.hasKey("/OpenAction") || root.hasKey("/AA") || root.getKey("/Names").hasKey("/JavaScript")) << where;
  QPDFObjectHandle metadata = root.getKey("/Metadata");
  ASSERT_TRUE(metadata.isStream()) << where << ": no XMP metadata";
  EXPECT_TRUE(metadata.getDict().getKey("/Subtype").isNameAndEquals("/XML")) << where;
  EXPECT_FALSE(metadata.getDict().hasKey("/Filter")) << where << ": PDF/A metadata must not be compressed";
  std::shared_ptr<Buffer> xmp_buffer = metadata.getStreamData();
  const std::string xmp(reinterpret_cast<const char*>(xmp_buffer->getBuffer()), xmp_buffer->getSize());
  EXPECT_EQ(XmlText(xmp, "pdfaid:part"), "2") << where;
  EXPECT_EQ(XmlText(xmp, "pdfaid:conformance"), "B") << where;
  QPDFObjectHandle info = pdf.getTrailer().getKey("/Info");
  EXPECT_EQ(XmlText(xmp, "rdf:li xml:lang=\"x-default\""), info.getKey("/Title").getUTF8Value()) << where << ": title";
  EXPECT_EQ(XmlText(xmp, "pdf:Producer"), info.getKey("/Producer").getUTF8Value()) << where;
  EXPECT_EQ(XmlText(xmp, "xmp:CreatorTool"), info.getKey("/Creator").getUTF8Value()) << where;
  for (const auto& [key, tag] : {std::pair{"/CreationDate", "xmp:CreateDate"}, std::pair{"/ModDate", "xmp:ModifyDate"}}) {
    const std::string d = info.getKey(key).getUTF8Value();  // D:YYYYMMDDHHmmSSZ
    ASSERT_EQ(d.size(), 17u) << where << " " << key << " " << d;
    EXPECT_EQ(XmlText(xmp, tag), d.substr(2, 4) + "-" + d.substr(6, 2) + "-" + d.substr(8, 2) + "T" + d.substr(10, 2) + ":" +
                                     d.substr(12, 2) + ":" + d.substr(14, 2) + "Z")
        << where << " " << key;
  }
  QPDFObjectHandle intents = root.getKey("/OutputIntents");
  ASSERT_TRUE(intents.isArray() && intents.getArrayNItems() == 1) << where << ": no output intent";
  QPDFObjectHandle intent = intents.getArrayItem(0);
  EXPECT_TRUE(intent.getKey("/S").isNameAndEquals("/GTS_PDFA1")) << where;
  QPDFObjectHandle profile = intent.getKey("/DestOutputProfile");
  ASSERT_TRUE(profile.isStream()) << where;
  EXPECT_EQ(profile.getDict().getKey("/N").getIntValue(), 3) << where;
  std::shared_ptr<Buffer> icc = profile.getStreamData();
  ASSERT_GT(icc->getSize(), 40u) << where;
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(icc->getBuffer()) + 36, 4), "acsp") << where << ": not an ICC profile";
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(icc->getBuffer()) + 16, 4), "RGB ") << where << ": not an RGB profile";
  int page_number = 0;
  for (QPDFObjectHandle page : pdf.getAllPages()) {
    CheckResources(page.getKey("/Resources"), where + " page " + std::to_string(++page_number));
  }
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
  CheckArchival(result.output->package_pdf, dir.filename().string() + " package");
  for (const RenderedDocument& document : result.output->documents) {
    CheckArchival(document.pdf, dir.filename().string() + " " + document.file_name);
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
