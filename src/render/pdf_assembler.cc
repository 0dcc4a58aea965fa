#include "render/pdf_assembler.h"

#define POINTERHOLDER_TRANSITION 4  // qpdf: std::shared_ptr only
#include <qpdf/Pl_Buffer.hh>
#include <qpdf/Pl_Flate.hh>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFPageDocumentHelper.hh>
#include <qpdf/QPDFPageObjectHelper.hh>
#include <qpdf/QPDFWriter.hh>

#include <algorithm>
#include <functional>
#include <optional>
#include <set>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "util/text.h"

namespace docgen {
namespace {

// A PDF opened with qpdf: cairo's, finished, then kept to merge.
// The bytes must outlive the QPDF object, which reads from them.
struct OpenedPdf {
  std::unique_ptr<const std::string> bytes;  // on the heap: QPDF reads them in place, wherever the OpenedPdf moves
  std::unique_ptr<QPDF> pdf;
  explicit OpenedPdf(std::string written)
      : bytes(std::make_unique<const std::string>(std::move(written))), pdf(std::make_unique<QPDF>()) {
    pdf->processMemoryFile("docgen.pdf", bytes->data(), bytes->size());
  }
};

constexpr const char* kCreator = "docgen";
constexpr const char* kProducer = "docgen 0.1.0 (cairo, qpdf)";
constexpr const char* kInfoDate = "D:20000101000000Z";  // fixed: the same inputs give the same bytes
constexpr const char* kXmpDate = "2000-01-01T00:00:00Z";  // the same instant, as XMP writes it

// Text for the document information and XMP alike: XML 1.0 has no place for
// control characters other than tab and line ends, and PDF/A wants the two equal.
std::string WithoutControls(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n' || c == '\r') out += c;
  }
  return out;
}

// Sets the document information dictionary (title, subject, creator,
// producer, fixed dates), the document's language, and asks viewers to show
// the title rather than the file name.
void SetInfo(QPDF& pdf, const PdfInfo& pdf_info) {
  const std::string title = WithoutControls(pdf_info.title);
  const std::string subject = WithoutControls(pdf_info.subject);
  QPDFObjectHandle trailer = pdf.getTrailer();
  QPDFObjectHandle info = trailer.getKey("/Info");
  if (!info.isDictionary()) {
    info = pdf.makeIndirectObject(QPDFObjectHandle::newDictionary());
    trailer.replaceKey("/Info", info);
  }
  info.replaceKey("/Title", QPDFObjectHandle::newUnicodeString(title));
  info.replaceKey("/Subject", QPDFObjectHandle::newUnicodeString(subject));
  info.replaceKey("/Creator", QPDFObjectHandle::newUnicodeString(kCreator));
  info.replaceKey("/Producer", QPDFObjectHandle::newUnicodeString(kProducer));
  info.replaceKey("/CreationDate", QPDFObjectHandle::newString(kInfoDate));
  info.replaceKey("/ModDate", QPDFObjectHandle::newString(kInfoDate));
  QPDFObjectHandle root = pdf.getRoot();
  root.replaceKey("/Lang", QPDFObjectHandle::newUnicodeString(pdf_info.lang));
  QPDFObjectHandle preferences = root.getKey("/ViewerPreferences");
  if (!preferences.isDictionary()) {
    preferences = QPDFObjectHandle::newDictionary();
    root.replaceKey("/ViewerPreferences", preferences);
  }
  preferences.replaceKey("/DisplayDocTitle", QPDFObjectHandle::newBool(true));
}

// The XMP packet PDF/A requires: its identification, and the document
// information dictionary's entries said again, equal to them.
std::string ArchivalXmp(const PdfInfo& info) {
  return "<?xpacket begin=\"\xEF\xBB\xBF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
         "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n"
         "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
         "<rdf:Description rdf:about=\"\" xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\">\n"
         "<pdfaid:part>2</pdfaid:part>\n<pdfaid:conformance>B</pdfaid:conformance>\n"
         "</rdf:Description>\n"
         "<rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n"
         "<dc:format>application/pdf</dc:format>\n"
         "<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">" + EscapeXml(WithoutControls(info.title)) + "</rdf:li></rdf:Alt></dc:title>\n"
         "<dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">" + EscapeXml(WithoutControls(info.subject)) +
         "</rdf:li></rdf:Alt></dc:description>\n"
         "<dc:language><rdf:Bag><rdf:li>" + EscapeXml(info.lang) + "</rdf:li></rdf:Bag></dc:language>\n"
         "</rdf:Description>\n"
         "<rdf:Description rdf:about=\"\" xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\">\n"
         "<xmp:CreatorTool>" + std::string(kCreator) + "</xmp:CreatorTool>\n"
         "<xmp:CreateDate>" + kXmpDate + "</xmp:CreateDate>\n<xmp:ModifyDate>" + kXmpDate + "</xmp:ModifyDate>\n"
         "</rdf:Description>\n"
         "<rdf:Description rdf:about=\"\" xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">\n"
         "<pdf:Producer>" + std::string(kProducer) + "</pdf:Producer>\n"
         "</rdf:Description>\n"
         "</rdf:RDF>\n"
         "</x:xmpmeta>\n"
         "<?xpacket end=\"w\"?>";
}

std::string Deflate(const std::string& bytes) {
  Pl_Buffer out("deflated");
  Pl_Flate flate("deflate", &out, Pl_Flate::a_deflate);
  flate.write(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  flate.finish();
  std::unique_ptr<Buffer> buffer(out.getBuffer());
  return std::string(reinterpret_cast<const char*>(buffer->getBuffer()), buffer->getSize());
}

// What PDF/A forbids or requires in the resources cairo writes, fixed in
// place: images may not ask viewers to interpolate, and an embedded
// TrueType CID font must map CIDs to glyphs (cairo's subsets use the
// identity). Follows forms, Type 3 glyphs, patterns and soft masks.
void FixResources(QPDFObjectHandle resources, std::set<QPDFObjGen>& seen) {
  if (!resources.isDictionary()) return;
  auto each = [&](const char* category, const std::function<void(QPDFObjectHandle)>& fix) {
    QPDFObjectHandle entries = resources.getKey(category);
    if (!entries.isDictionary()) return;
    for (const std::string& key : entries.getKeys()) {
      QPDFObjectHandle object = entries.getKey(key);
      if (object.isIndirect() && !seen.insert(object.getObjGen()).second) continue;
      fix(object);
    }
  };
  each("/XObject", [&](QPDFObjectHandle xobject) {
    if (!xobject.isStream()) return;
    QPDFObjectHandle dict = xobject.getDict();
    if (dict.getKey("/Subtype").isNameAndEquals("/Image")) {
      if (dict.hasKey("/Interpolate")) dict.removeKey("/Interpolate");
      QPDFObjectHandle mask = dict.getKey("/SMask");
      if (mask.isStream() && mask.getDict().hasKey("/Interpolate")) mask.getDict().removeKey("/Interpolate");
    } else {
      FixResources(dict.getKey("/Resources"), seen);
    }
  });
  each("/Font", [&](QPDFObjectHandle font) {
    if (!font.isDictionary()) return;
    FixResources(font.getKey("/Resources"), seen);  // Type 3
    QPDFObjectHandle descendants = font.getKey("/DescendantFonts");
    if (!descendants.isArray()) return;
    for (QPDFObjectHandle cid_font : descendants.aitems()) {
      if (cid_font.getKey("/Subtype").isNameAndEquals("/CIDFontType2") && !cid_font.hasKey("/CIDToGIDMap")) {
        cid_font.replaceKey("/CIDToGIDMap", QPDFObjectHandle::newName("/Identity"));
      }
    }
  });
  each("/Pattern", [&](QPDFObjectHandle pattern) {
    if (pattern.isStream()) FixResources(pattern.getDict().getKey("/Resources"), seen);
  });
  each("/ExtGState", [&](QPDFObjectHandle state) {
    QPDFObjectHandle mask = state.isDictionary() ? state.getKey("/SMask") : QPDFObjectHandle::newNull();
    if (mask.isDictionary() && mask.getKey("/G").isStream()) FixResources(mask.getKey("/G").getDict().getKey("/Resources"), seen);
  });
}

// PDF/A-2b: the XMP identification, the sRGB output intent, and resources
// that PDF/A allows. cairo already embeds every font and writes no
// encryption, JavaScript or actions.
// `resources_fixed`: every page comes from a PDF already made archival.
void MakeArchival(QPDF& pdf, const PdfInfo& info, bool resources_fixed = false) {
  std::set<QPDFObjGen> seen;
  if (!resources_fixed) {
    for (QPDFObjectHandle page : pdf.getAllPages()) FixResources(page.getKey("/Resources"), seen);
  }
  QPDFObjectHandle root = pdf.getRoot();
  QPDFObjectHandle metadata = QPDFObjectHandle::newStream(&pdf, ArchivalXmp(info));  // not compressed, as PDF/A asks
  metadata.getDict().replaceKey("/Type", QPDFObjectHandle::newName("/Metadata"));
  metadata.getDict().replaceKey("/Subtype", QPDFObjectHandle::newName("/XML"));
  root.replaceKey("/Metadata", metadata);
  QPDFObjectHandle profile = QPDFObjectHandle::newStream(&pdf);
  profile.replaceStreamData(info.archive_profile->deflated, QPDFObjectHandle::newName("/FlateDecode"), QPDFObjectHandle::newNull());
  profile.getDict().replaceKey("/N", QPDFObjectHandle::newInteger(3));
  QPDFObjectHandle intent = QPDFObjectHandle::newDictionary();
  intent.replaceKey("/Type", QPDFObjectHandle::newName("/OutputIntent"));
  intent.replaceKey("/S", QPDFObjectHandle::newName("/GTS_PDFA1"));
  intent.replaceKey("/OutputConditionIdentifier", QPDFObjectHandle::newString("sRGB IEC61966-2.1"));
  intent.replaceKey("/Info", QPDFObjectHandle::newString("sRGB IEC61966-2.1"));
  intent.replaceKey("/DestOutputProfile", profile);
  root.replaceKey("/OutputIntents", QPDFObjectHandle::newArray({pdf.makeIndirectObject(intent)}));
}

// cairo 1.16 cannot mark content as an artifact (page headers and footers,
// a table's header row repeated after a break), so the typesetter draws it
// inside a "Private" structure tag, which docgen uses for nothing else.
// Here each becomes a real artifact: its marked content
// (`/Private << /MCID n >> BDC`) becomes `/Artifact << /Type /Pagination >> BDC`
// and its element leaves the structure tree.
class ArtifactMarker : public QPDFObjectHandle::TokenFilter {
 public:
  void handleToken(QPDFTokenizer::Token const& token) override {
    using T = QPDFTokenizer;
    if (state_ == State::kCopy) {
      if (token.getType() == T::tt_name && token.getValue() == "/Private") {
        write("/Artifact");
        state_ = State::kAfterName;
      } else {
        writeToken(token);
      }
      return;
    }
    if (state_ == State::kAfterName) {
      if (token.getType() == T::tt_space) {
        writeToken(token);
      } else if (token.getType() == T::tt_dict_open) {
        state_ = State::kInDictionary;  // cairo's << /MCID n >>, replaced whole
      } else {
        state_ = State::kCopy;
        handleToken(token);
      }
      return;
    }
    if (token.getType() == T::tt_dict_close) {  // kInDictionary: cairo's is flat
      write("<< /Type /Pagination >>");
      state_ = State::kCopy;
    }
  }

 private:
  enum class State { kCopy, kAfterName, kInDictionary };
  State state_ = State::kCopy;
};

}  // namespace

std::optional<std::string> MarkArtifactsInContent(std::string_view content) {
  auto delimiter = [](char c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '\0' || c == '(' || c == ')' ||
           c == '<' || c == '>' || c == '[' || c == ']' || c == '{' || c == '}' || c == '/' || c == '%';
  };
  std::string out;
  out.reserve(content.size() + 256);
  size_t copied = 0;  // content[copied, i) is still to be copied
  const size_t n = content.size();
  for (size_t i = 0; i < n;) {
    const char c = content[i];
    if (c == '(') {  // a literal string: balanced parentheses, backslash escapes
      int depth = 0;
      for (; i < n; ++i) {
        if (content[i] == '\\') {
          ++i;
        } else if (content[i] == '(') {
          ++depth;
        } else if (content[i] == ')' && --depth == 0) {
          break;
        }
      }
      ++i;
    } else if (c == '<' && i + 1 < n && content[i + 1] == '<') {
      i += 2;
    } else if (c == '<') {  // a hex string
      const size_t end = content.find('>', i);
      i = end == std::string_view::npos ? n : end + 1;
    } else if (c == '%') {  // a comment, to the end of the line
      const size_t end = content.find_first_of("\r\n", i);
      i = end == std::string_view::npos ? n : end;
    } else if (c == '/') {
      size_t end = i + 1;
      while (end < n && !delimiter(content[end])) ++end;
      if (content.substr(i, end - i) != "/Private") {
        i = end;
        continue;
      }
      out.append(content.substr(copied, i - copied)).append("/Artifact");
      i = end;
      while (i < n && (content[i] == ' ' || content[i] == '\n' || content[i] == '\r' || content[i] == '\t' ||
                       content[i] == '\f' || content[i] == '\0')) {
        ++i;
      }
      out.append(content.substr(end, i - end));
      copied = i;
      if (content.compare(i, 2, "<<") == 0) {  // cairo's << /MCID n >>, flat: replaced whole
        const size_t close = content.find(">>", i + 2);
        if (close == std::string_view::npos) return std::nullopt;
        out.append("<< /Type /Pagination >>");
        i = copied = close + 2;
      }
    } else if (delimiter(c)) {
      ++i;
    } else {  // an operator, a number or a keyword
      size_t end = i + 1;
      while (end < n && !delimiter(content[end])) ++end;
      if (content.substr(i, end - i) == "BI") return std::nullopt;
      i = end;
    }
  }
  out.append(content.substr(copied));
  return out;
}

namespace {

bool IsArtifact(QPDFObjectHandle node) { return node.isDictionary() && node.getKey("/S").isNameAndEquals("/Private"); }

// Removes the artifacts' elements from the structure tree and its parent tree
// (and the artifacts' MCIDs from the pages, as they are written).
void MarkArtifacts(QPDF& pdf) {
  for (QPDFPageObjectHelper& page : QPDFPageDocumentHelper(pdf).getAllPages()) {
    Pl_Buffer buffer("contents");
    page.pipeContents(&buffer);
    std::unique_ptr<Buffer> data(buffer.getBuffer());
    const std::string_view content(reinterpret_cast<const char*>(data->getBuffer()), data->getSize());
    if (content.find("/Private") == std::string_view::npos) continue;
    std::optional<std::string> marked = MarkArtifactsInContent(content);
    // Content with an inline image goes through qpdf's tokenizer, now and
    // once: a token filter left on the page would be lost when qpdf copies
    // the page into the package.
    if (!marked) {
      ArtifactMarker marker;
      Pl_Buffer filtered("artifacts marked");
      page.filterContents(&marker, &filtered);
      std::unique_ptr<Buffer> bytes(filtered.getBuffer());
      marked.emplace(reinterpret_cast<const char*>(bytes->getBuffer()), bytes->getSize());
    }
    // Deflated here, once: every later write (the document's, the package's) copies it as it is.
    QPDFObjectHandle contents = QPDFObjectHandle::newStream(&pdf);
    contents.replaceStreamData(Deflate(*marked), QPDFObjectHandle::newName("/FlateDecode"),
                               QPDFObjectHandle::newNull());
    page.getObjectHandle().replaceKey("/Contents", contents);
  }
  QPDFObjectHandle tree = pdf.getRoot().getKey("/StructTreeRoot");
  if (!tree.isDictionary()) return;
  std::function<void(QPDFObjectHandle, int)> prune = [&](QPDFObjectHandle node, int depth) {
    if (!node.isDictionary() || depth > 64) return;
    QPDFObjectHandle kids = node.getKey("/K");
    if (IsArtifact(kids)) {
      node.removeKey("/K");
    } else if (kids.isArray()) {
      std::vector<QPDFObjectHandle> kept;
      for (QPDFObjectHandle kid : kids.getArrayAsVector()) {
        if (IsArtifact(kid)) continue;
        prune(kid, depth + 1);
        kept.push_back(kid);
      }
      node.replaceKey("/K", QPDFObjectHandle::newArray(kept));
    } else {
      prune(kids, depth + 1);
    }
  };
  prune(tree, 0);
  QPDFObjectHandle nums = tree.getKey("/ParentTree").getKey("/Nums");
  for (int i = 1; nums.isArray() && i < nums.getArrayNItems(); i += 2) {
    QPDFObjectHandle parents = nums.getArrayItem(i);  // per MCID of a page: the element it belongs to
    for (int m = 0; parents.isArray() && m < parents.getArrayNItems(); ++m) {
      if (IsArtifact(parents.getArrayItem(m))) parents.setArrayItem(m, QPDFObjectHandle::newNull());
    }
  }
}

// What cairo's tags cannot say, added to the structure tree: each Figure's
// alt text (`alts`, in reading order), and each table header cell's scope
// (a Markdown table's header row heads its columns), which PDF/UA asks of
// every TH.
void FinishStructure(QPDF& pdf, const std::vector<std::string>& alts) {
  size_t next = 0;
  std::function<void(QPDFObjectHandle, int)> visit = [&](QPDFObjectHandle node, int depth) {
    if (depth > 64) return;
    if (node.isArray()) {
      for (QPDFObjectHandle kid : node.aitems()) visit(kid, depth + 1);
      return;
    }
    if (!node.isDictionary() || !node.hasKey("/S")) return;  // marked content
    if (node.getKey("/S").isNameAndEquals("/Figure") && next < alts.size()) {
      const std::string& alt = alts[next++];
      if (!alt.empty()) node.replaceKey("/Alt", QPDFObjectHandle::newUnicodeString(alt));
    }
    if (node.getKey("/S").isNameAndEquals("/TH") && !node.hasKey("/A")) {
      QPDFObjectHandle attributes = QPDFObjectHandle::newDictionary();
      attributes.replaceKey("/O", QPDFObjectHandle::newName("/Table"));
      attributes.replaceKey("/Scope", QPDFObjectHandle::newName("/Column"));
      node.replaceKey("/A", attributes);
    }
    visit(node.getKey("/K"), depth + 1);
  };
  visit(pdf.getRoot().getKey("/StructTreeRoot").getKey("/K"), 0);
}

// The package's structure tree: a Document whose Parts are the documents'
// trees (each drawn as one Document element), with the documents' parent
// trees renumbered past the earlier documents' and their pages' keys moved
// to match. qpdf copies pages but not structure trees. `structure_roots`:
// each document's /StructTreeRoot (not a dictionary when it is untagged),
// the first one's already the package's own.
void MergeStructure(QPDF& package, const std::vector<QPDFObjectHandle>& structure_roots,
                    const std::vector<size_t>& first_pages) {
  std::vector<QPDFObjectHandle> pages = package.getAllPages();
  QPDFObjectHandle tree = package.makeIndirectObject(QPDFObjectHandle::newDictionary());
  tree.replaceKey("/Type", QPDFObjectHandle::newName("/StructTreeRoot"));
  QPDFObjectHandle top = package.makeIndirectObject(QPDFObjectHandle::newDictionary());
  top.replaceKey("/Type", QPDFObjectHandle::newName("/StructElem"));
  top.replaceKey("/S", QPDFObjectHandle::newName("/Document"));
  top.replaceKey("/P", tree);
  QPDFObjectHandle parts = QPDFObjectHandle::newArray();
  QPDFObjectHandle nums = QPDFObjectHandle::newArray();
  // The first document's objects are the package's own (MergePackage); the others' are copied.
  const auto InPackage = [&package](QPDFObjectHandle object) {
    return object.getOwningQPDF() == &package ? object : package.copyForeignObject(object);
  };
  long long offset = 0;
  for (size_t d = 0; d < structure_roots.size(); ++d) {
    const size_t end = d + 1 < structure_roots.size() ? first_pages[d + 1] : pages.size();
    QPDFObjectHandle foreign = structure_roots[d];
    QPDFObjectHandle foreign_parents =
        foreign.isDictionary() ? foreign.getKey("/ParentTree") : QPDFObjectHandle::newNull();
    if (!foreign_parents.isIndirect() || !foreign_parents.getKey("/Nums").isArray()) {
      for (size_t p = first_pages[d]; p < end; ++p) pages[p].removeKey("/StructParents");  // untagged
      continue;
    }
    QPDFObjectHandle parents = InPackage(foreign_parents).getKey("/Nums");
    long long next = 0;
    for (int i = 0; i + 1 < parents.getArrayNItems(); i += 2) {
      const long long key = parents.getArrayItem(i).getIntValue();
      nums.appendItem(QPDFObjectHandle::newInteger(key + offset));
      nums.appendItem(parents.getArrayItem(i + 1));
      next = std::max(next, key + 1);
    }
    for (size_t p = first_pages[d]; p < end; ++p) {
      QPDFObjectHandle key = pages[p].getKey("/StructParents");
      if (key.isInteger()) pages[p].replaceKey("/StructParents", QPDFObjectHandle::newInteger(key.getIntValue() + offset));
    }
    QPDFObjectHandle kids = foreign.getKey("/K");
    for (QPDFObjectHandle kid : kids.isArray() ? kids.getArrayAsVector() : std::vector<QPDFObjectHandle>{kids}) {
      if (!kid.isIndirect()) continue;
      QPDFObjectHandle part = InPackage(kid);
      if (part.getKey("/S").isNameAndEquals("/Document")) part.replaceKey("/S", QPDFObjectHandle::newName("/Part"));
      part.replaceKey("/P", top);
      parts.appendItem(part);
    }
    offset += next;
  }
  top.replaceKey("/K", parts);
  tree.replaceKey("/K", QPDFObjectHandle::newArray({top}));
  QPDFObjectHandle parent_tree = QPDFObjectHandle::newDictionary();
  parent_tree.replaceKey("/Nums", nums);
  tree.replaceKey("/ParentTree", package.makeIndirectObject(parent_tree));
  tree.replaceKey("/ParentTreeNextKey", QPDFObjectHandle::newInteger(offset));
  package.getRoot().replaceKey("/StructTreeRoot", tree);
  QPDFObjectHandle mark_info = QPDFObjectHandle::newDictionary();
  mark_info.replaceKey("/Marked", QPDFObjectHandle::newBool(true));
  package.getRoot().replaceKey("/MarkInfo", mark_info);
}

// Lays each of the last `count` pages over the page `count` before it, as
// a form XObject drawn after that page's own content, and removes them. A
// logic error when the PDF is not 2 x `count` pages as cairo draws them.
void LayFurniture(QPDF& pdf, int count) {
  std::vector<QPDFPageObjectHelper> pages = QPDFPageDocumentHelper(pdf).getAllPages();
  QPDFObjectHandle tree = pdf.getRoot().getKey("/Pages");
  const size_t n = static_cast<size_t>(count);
  // cairo writes one flat /Pages, and one content stream a page.
  const bool as_drawn =
      pages.size() == 2 * n && std::all_of(pages.begin(), pages.end(), [&](QPDFPageObjectHelper& page) {
        return page.getObjectHandle().getKey("/Parent").getObjGen() == tree.getObjGen() &&
               page.getObjectHandle().getKey("/Contents").isStream() &&
               page.getObjectHandle().getKey("/Contents").isIndirect();
      });
  if (!as_drawn) throw std::logic_error("the drawn PDF is not a body and its furniture, page for page");
  constexpr const char* kName = "/DocgenFurniture";  // cairo's names are short: /f-0-0, /x5, /a0
  // Every page shares the two streams around its own content.
  const QPDFObjectHandle save = QPDFObjectHandle::newStream(&pdf, "q\n");
  const QPDFObjectHandle restore_and_draw = QPDFObjectHandle::newStream(&pdf, std::string("\nQ\n") + kName + " Do\n");
  std::set<long long> furniture_parents;  // the structure parent keys of the furniture pages (artifacts only)
  for (size_t i = 0; i < n; ++i) {
    // The furniture page's content stream becomes the form: the same object, not a copy.
    QPDFObjectHandle furniture = pages[n + i].getObjectHandle();
    QPDFObjectHandle form = furniture.getKey("/Contents");
    QPDFObjectHandle dict = form.getDict();
    dict.replaceKey("/Type", QPDFObjectHandle::newName("/XObject"));
    dict.replaceKey("/Subtype", QPDFObjectHandle::newName("/Form"));
    dict.replaceKey("/BBox", pages[n + i].getMediaBox().shallowCopy());
    dict.replaceKey("/Resources", furniture.getKey("/Resources"));
    if (furniture.getKey("/StructParents").isInteger())
      furniture_parents.insert(furniture.getKey("/StructParents").getIntValue());
    QPDFObjectHandle resources = pages[i].getObjectHandle().getKey("/Resources");
    if (!resources.isDictionary()) {
      resources = QPDFObjectHandle::newDictionary();
      pages[i].getObjectHandle().replaceKey("/Resources", resources);
    }
    if (!resources.getKey("/XObject").isDictionary())
      resources.replaceKey("/XObject", QPDFObjectHandle::newDictionary());
    resources.getKey("/XObject").replaceKey(kName, form);
    // The page's content leaves its transformation in place (cairo flips the y axis first).
    pages[i].addPageContents(save, /*first=*/true);
    pages[i].addPageContents(restore_and_draw, /*first=*/false);
  }
  // The body's pages become the tree's kids, at once: removing pages one by
  // one costs qpdf time in proportion to the pages, for each.
  std::vector<QPDFObjectHandle> kids;
  for (size_t i = 0; i < n; ++i) kids.push_back(pages[i].getObjectHandle());
  tree.replaceKey("/Kids", QPDFObjectHandle::newArray(kids));
  tree.replaceKey("/Count", QPDFObjectHandle::newInteger(static_cast<long long>(n)));
  pdf.updateAllPagesCache();
  // The furniture pages' entries leave the parent tree with them.
  QPDFObjectHandle structure = pdf.getRoot().getKey("/StructTreeRoot");
  QPDFObjectHandle parents = structure.isDictionary() ? structure.getKey("/ParentTree") : QPDFObjectHandle::newNull();
  QPDFObjectHandle nums = parents.isDictionary() ? parents.getKey("/Nums") : QPDFObjectHandle::newNull();
  if (!furniture_parents.empty() && nums.isArray()) {
    std::vector<QPDFObjectHandle> kept;
    for (int k = 0; k + 1 < nums.getArrayNItems(); k += 2) {
      QPDFObjectHandle key = nums.getArrayItem(k);
      if (key.isInteger() && furniture_parents.count(key.getIntValue()) > 0) continue;
      kept.push_back(key);
      kept.push_back(nums.getArrayItem(k + 1));
    }
    nums.setArrayFromVector(kept);
  }
}

// Writes with a deterministic /ID, object streams as they were (cairo 1.16
// writes none); page streams stay as cairo (or MarkArtifacts) compressed them.
std::string Write(QPDF& pdf, const char* minimum_version = nullptr) {
  QPDFWriter writer(pdf);
  writer.setOutputMemory();
  if (minimum_version != nullptr) writer.setMinimumPDFVersion(minimum_version);  // cairo writes 1.5 features
  writer.setDeterministicID(true);
  writer.setObjectStreamMode(qpdf_o_preserve);  // generating object streams costs a deflate pass per write
  writer.setDecodeLevel(qpdf_dl_none);
  writer.write();
  std::shared_ptr<Buffer> buffer = writer.getBufferSharedPointer();
  return std::string(reinterpret_cast<const char*>(buffer->getBuffer()), buffer->getSize());
}

// The package: every document's pages in order, one bookmark per document.
// It is made in the first document's QPDF (already written as that
// document's PDF), so that its pages are not copied: a long document's
// object model is most of a render's memory. The other documents' pages are
// copied in.
std::string MergePackage(std::vector<OpenedPdf>& documents, const std::vector<std::string>& bookmarks,
                         const PdfInfo& info, bool documents_archival) {
  if (documents.empty()) throw std::logic_error("a package needs a document");
  QPDF& package = *documents.front().pdf;
  std::vector<size_t> first_pages = {0};
  for (size_t d = 1; d < documents.size(); ++d) {
    first_pages.push_back(package.getAllPages().size());
    for (const QPDFObjectHandle& page : documents[d].pdf->getAllPages()) package.addPage(page, false);
  }
  std::vector<QPDFObjectHandle> structure_roots;  // read before the first document's is let go below
  for (OpenedPdf& document : documents) structure_roots.push_back(document.pdf->getRoot().getKey("/StructTreeRoot"));
  // What the first document said of itself as a whole is said again below
  // for the package, or not at all: its catalog keeps only its pages, its
  // information dictionary goes, and so does its /ID (qpdf would keep its
  // first half).
  for (const std::string& key : package.getRoot().getKeys()) {
    if (key != "/Type" && key != "/Pages") package.getRoot().removeKey(key);
  }
  package.getTrailer().removeKey("/ID");
  package.getTrailer().removeKey("/Info");  // made again by SetInfo
  const std::vector<QPDFObjectHandle>& pages = package.getAllPages();
  QPDFObjectHandle outlines = package.makeIndirectObject(QPDFObjectHandle::newDictionary());
  outlines.replaceKey("/Type", QPDFObjectHandle::newName("/Outlines"));
  std::vector<QPDFObjectHandle> items;
  for (size_t i = 0; i < documents.size(); ++i) {
    if (first_pages[i] >= pages.size()) continue;
    QPDFObjectHandle item = package.makeIndirectObject(QPDFObjectHandle::newDictionary());
    item.replaceKey("/Title", QPDFObjectHandle::newUnicodeString(bookmarks[i]));
    item.replaceKey("/Parent", outlines);
    item.replaceKey("/Dest", QPDFObjectHandle::newArray({pages[first_pages[i]], QPDFObjectHandle::newName("/XYZ"),
                                                         QPDFObjectHandle::newNull(), QPDFObjectHandle::newNull(),
                                                         QPDFObjectHandle::newNull()}));
    if (!items.empty()) {
      item.replaceKey("/Prev", items.back());
      items.back().replaceKey("/Next", item);
    }
    items.push_back(item);
  }
  if (!items.empty()) {
    outlines.replaceKey("/First", items.front());
    outlines.replaceKey("/Last", items.back());
    outlines.replaceKey("/Count", QPDFObjectHandle::newInteger(static_cast<long long>(items.size())));
    package.getRoot().replaceKey("/Outlines", outlines);
    package.getRoot().replaceKey("/PageMode", QPDFObjectHandle::newName("/UseOutlines"));
  }
  if (std::any_of(structure_roots.begin(), structure_roots.end(),
                  [](QPDFObjectHandle& root) { return root.isDictionary(); })) {
    MergeStructure(package, structure_roots, first_pages);  // artifacts were marked as each document was finished
  }
  SetInfo(package, info);
  if (info.archive_profile) MakeArchival(package, info, documents_archival);
  return Write(package, "1.5");
}

}  // namespace

std::string QpdfVersion() { return QPDF::QPDFVersion(); }

std::shared_ptr<const IccProfile> MakeIccProfile(const std::string& bytes) {
  return std::make_shared<const IccProfile>(IccProfile{Deflate(bytes)});
}

struct PdfAssembler::Impl {
  bool merges = true;
  std::vector<OpenedPdf> documents;
  std::vector<std::string> bookmarks;
  bool all_archival = true;  // every document was made PDF/A: the package need not fix their resources again
  bool packaged = false;     // Package() made the package in the first document's model
};

PdfAssembler::PdfAssembler(bool merges) : impl_(std::make_unique<Impl>()) { impl_->merges = merges; }
PdfAssembler::~PdfAssembler() = default;

std::string PdfAssembler::AddDocument(std::string cairo_pdf, const PdfInfo& info, const std::string& bookmark) {
  if (impl_->packaged) throw std::logic_error("a document added after its package was made");
  OpenedPdf opened(std::move(cairo_pdf));
  QPDF& pdf = *opened.pdf;
  SetInfo(pdf, info);
  if (info.tagged) {
    MarkArtifacts(pdf);
    FinishStructure(pdf, info.figure_alts);
  }
  if (info.furniture_pages > 0) LayFurniture(pdf, info.furniture_pages);
  if (info.archive_profile) MakeArchival(pdf, info);
  std::string finished = Write(pdf);
  if (!impl_->merges) return finished;
  impl_->bookmarks.push_back(bookmark);
  impl_->all_archival = impl_->all_archival && info.archive_profile != nullptr;
  impl_->documents.push_back(std::move(opened));  // finished in the model: the package copies its pages as they are
  return finished;
}

std::string PdfAssembler::Package(const PdfInfo& info) {
  if (!impl_->merges) throw std::logic_error("this assembler keeps no documents to merge into a package");
  if (impl_->packaged) throw std::logic_error("the package was made already");
  impl_->packaged = true;
  return MergePackage(impl_->documents, impl_->bookmarks, info, impl_->all_archival);
}

}  // namespace docgen
