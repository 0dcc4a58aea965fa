// Compiled as C++17 (see pdf_objects.h): only qpdf, GoogleTest and the
// standard library here.
#include "support/pdf_objects.h"

#include <gtest/gtest.h>
#define POINTERHOLDER_TRANSITION 4  // qpdf: std::shared_ptr only
#include <qpdf/Pl_Buffer.hh>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFPageDocumentHelper.hh>
#include <qpdf/QPDFWriter.hh>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <utility>

namespace docgen::testing {
namespace {

std::string BufferText(const Buffer& buffer) {
  return std::string(reinterpret_cast<const char*>(buffer.getBuffer()), buffer.getSize());
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
    for (size_t at = text.find(entity); at != std::string::npos; at = text.find(entity, at + 1))
      text.replace(at, entity.size(), c);
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
      EXPECT_TRUE(described.hasKey("/CIDToGIDMap"))
          << where << ": " << font.getKey("/BaseFont").unparse() << " has no CIDToGIDMap";
    }
  }
  QPDFObjectHandle xobjects = resources.getKey("/XObject");
  for (const std::string& name : xobjects.isDictionary() ? xobjects.getKeys() : std::set<std::string>{}) {
    QPDFObjectHandle dict = xobjects.getKey(name).getDict();
    if (dict.getKey("/Subtype").isNameAndEquals("/Image")) {
      EXPECT_FALSE(dict.getKey("/Interpolate").isBool() && dict.getKey("/Interpolate").getBoolValue())
          << where << ": an image interpolates";
    } else {
      CheckResources(dict.getKey("/Resources"), where, depth + 1);
    }
  }
}

}  // namespace

void ExpectArchival(const std::string& bytes, const std::string& where) {
  QPDF pdf;
  pdf.processMemoryFile(where.c_str(), bytes.data(), bytes.size());
  EXPECT_FALSE(pdf.getTrailer().hasKey("/Encrypt")) << where;
  EXPECT_TRUE(pdf.getTrailer().getKey("/ID").isArray()) << where;
  QPDFObjectHandle root = pdf.getRoot();
  EXPECT_FALSE(root.hasKey("/OpenAction") || root.hasKey("/AA") || root.getKey("/Names").hasKey("/JavaScript"))
      << where;
  QPDFObjectHandle metadata = root.getKey("/Metadata");
  ASSERT_TRUE(metadata.isStream()) << where << ": no XMP metadata";
  EXPECT_TRUE(metadata.getDict().getKey("/Subtype").isNameAndEquals("/XML")) << where;
  EXPECT_FALSE(metadata.getDict().hasKey("/Filter")) << where << ": PDF/A metadata must not be compressed";
  const std::string xmp = BufferText(*metadata.getStreamData());
  EXPECT_EQ(XmlText(xmp, "pdfaid:part"), "2") << where;
  EXPECT_EQ(XmlText(xmp, "pdfaid:conformance"), "B") << where;
  QPDFObjectHandle info = pdf.getTrailer().getKey("/Info");
  EXPECT_EQ(XmlText(xmp, "rdf:li xml:lang=\"x-default\""), info.getKey("/Title").getUTF8Value()) << where << ": title";
  EXPECT_EQ(XmlText(xmp, "pdf:Producer"), info.getKey("/Producer").getUTF8Value()) << where;
  EXPECT_EQ(XmlText(xmp, "xmp:CreatorTool"), info.getKey("/Creator").getUTF8Value()) << where;
  for (const auto& [key, tag] :
       {std::pair{"/CreationDate", "xmp:CreateDate"}, std::pair{"/ModDate", "xmp:ModifyDate"}}) {
    const std::string d = info.getKey(key).getUTF8Value();  // D:YYYYMMDDHHmmSSZ
    ASSERT_EQ(d.size(), 17u) << where << " " << key << " " << d;
    EXPECT_EQ(XmlText(xmp, tag), d.substr(2, 4) + "-" + d.substr(6, 2) + "-" + d.substr(8, 2) + "T" + d.substr(10, 2) +
                                     ":" + d.substr(12, 2) + ":" + d.substr(14, 2) + "Z")
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
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(icc->getBuffer()) + 36, 4), "acsp")
      << where << ": not an ICC profile";
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(icc->getBuffer()) + 16, 4), "RGB ")
      << where << ": not an RGB profile";
  int page_number = 0;
  for (QPDFObjectHandle page : pdf.getAllPages()) {
    CheckResources(page.getKey("/Resources"), where + " page " + std::to_string(++page_number));
  }
}

PdfCatalog ReadPdfCatalog(const std::string& bytes) {
  QPDF pdf;
  pdf.processMemoryFile("test.pdf", bytes.data(), bytes.size());
  QPDFObjectHandle root = pdf.getRoot();
  PdfCatalog catalog;
  if (root.getKey("/Lang").isString()) catalog.lang = root.getKey("/Lang").getUTF8Value();
  QPDFObjectHandle display = root.getKey("/ViewerPreferences").getKey("/DisplayDocTitle");
  catalog.shows_title = display.isBool() && display.getBoolValue();
  catalog.tagged = root.hasKey("/StructTreeRoot");
  catalog.marked = root.hasKey("/MarkInfo");
  catalog.archival = root.hasKey("/Metadata") && root.hasKey("/OutputIntents");
  QPDFObjectHandle title = pdf.getTrailer().getKey("/Info").getKey("/Title");
  if (title.isString()) catalog.title = title.getUTF8Value();
  QPDFObjectHandle id = pdf.getTrailer().getKey("/ID");
  if (id.isArray() && id.getArrayNItems() == 2 && id.getArrayItem(0).isString())
    catalog.id_first = id.getArrayItem(0).getStringValue();
  return catalog;
}

std::string StructureOutline(const std::string& bytes) {
  QPDF pdf;
  pdf.processMemoryFile("test.pdf", bytes.data(), bytes.size());
  std::string out;
  std::function<void(QPDFObjectHandle, int)> visit = [&](QPDFObjectHandle node, int depth) {
    if (node.isArray()) {
      for (QPDFObjectHandle kid : node.getArrayAsVector()) visit(kid, depth);
      return;
    }
    if (!node.isDictionary() || !node.hasKey("/S")) return;
    out += std::string(2 * depth, ' ') + node.getKey("/S").getName().substr(1);
    QPDFObjectHandle attributes = node.getKey("/A");
    if (attributes.isDictionary() && attributes.getKey("/O").isNameAndEquals("/Table") &&
        attributes.getKey("/Scope").isName()) {
      out += " [" + attributes.getKey("/Scope").getName().substr(1) + "]";
    }
    if (node.hasKey("/Alt")) out += ": " + node.getKey("/Alt").getUTF8Value();
    out += "\n";
    visit(node.getKey("/K"), depth + 1);
  };
  visit(pdf.getRoot().getKey("/StructTreeRoot").getKey("/K"), 0);
  return out;
}

std::vector<PageDrawing> PageDrawings(const std::string& bytes) {
  QPDF pdf;
  pdf.processMemoryFile("test.pdf", bytes.data(), bytes.size());
  std::vector<PageDrawing> drawings;
  for (QPDFPageObjectHelper& page : QPDFPageDocumentHelper(pdf).getAllPages()) {
    PageDrawing drawing;
    Pl_Buffer buffer("contents");
    page.pipeContents(&buffer);
    std::unique_ptr<Buffer> contents(buffer.getBuffer());
    drawing.contents = BufferText(*contents);
    for (auto& [name, form] : page.getFormXObjects()) {
      drawing.contents += BufferText(*form.getStreamData(qpdf_dl_generalized));
      drawing.forms.push_back(name);
    }
    drawings.push_back(std::move(drawing));
  }
  return drawings;
}

std::string OnePagePdf(const std::string& content) {
  QPDF pdf;
  pdf.emptyPDF();
  QPDFObjectHandle page = QPDFObjectHandle::newDictionary();
  page.replaceKey("/Type", QPDFObjectHandle::newName("/Page"));
  page.replaceKey("/MediaBox",
                  QPDFObjectHandle::newArray({QPDFObjectHandle::newInteger(0), QPDFObjectHandle::newInteger(0),
                                              QPDFObjectHandle::newInteger(612), QPDFObjectHandle::newInteger(792)}));
  page.replaceKey("/Resources", QPDFObjectHandle::newDictionary());
  page.replaceKey("/Contents", QPDFObjectHandle::newStream(&pdf, content));
  pdf.addPage(pdf.makeIndirectObject(page), false);
  QPDFWriter writer(pdf);
  writer.setOutputMemory();
  writer.setCompressStreams(false);
  writer.write();
  std::unique_ptr<Buffer> written(writer.getBuffer());
  return BufferText(*written);
}

}  // namespace docgen::testing
