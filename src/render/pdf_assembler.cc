#include "render/pdf_assembler.h"

#define POINTERHOLDER_TRANSITION 4  // qpdf: std::shared_ptr only
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFWriter.hh>

#include <vector>

namespace docgen {
namespace {

// A PDF that cairo wrote, opened with qpdf for finishing and merging. The
// bytes must outlive the QPDF object, which reads from them.
struct OpenedPdf {
  std::string bytes;
  std::unique_ptr<QPDF> pdf;
  explicit OpenedPdf(std::string written) : bytes(std::move(written)), pdf(std::make_unique<QPDF>()) {
    pdf->processMemoryFile("docgen.pdf", bytes.data(), bytes.size());
  }
};

// Sets the document information dictionary (title, subject, creator,
// producer, fixed dates), the document's language, and asks viewers to show
// the title rather than the file name.
void SetInfo(QPDF& pdf, const PdfInfo& pdf_info) {
  const std::string& title = pdf_info.title;
  const std::string& subject = pdf_info.subject;
  QPDFObjectHandle trailer = pdf.getTrailer();
  QPDFObjectHandle info = trailer.getKey("/Info");
  if (!info.isDictionary()) {
    info = pdf.makeIndirectObject(QPDFObjectHandle::newDictionary());
    trailer.replaceKey("/Info", info);
  }
  info.replaceKey("/Title", QPDFObjectHandle::newUnicodeString(title));
  info.replaceKey("/Subject", QPDFObjectHandle::newUnicodeString(subject));
  info.replaceKey("/Creator", QPDFObjectHandle::newUnicodeString("docgen"));
  info.replaceKey("/Producer", QPDFObjectHandle::newUnicodeString("docgen 0.1.0 (cairo, qpdf)"));
  info.replaceKey("/CreationDate", QPDFObjectHandle::newString("D:20000101000000Z"));
  info.replaceKey("/ModDate", QPDFObjectHandle::newString("D:20000101000000Z"));
  QPDFObjectHandle root = pdf.getRoot();
  root.replaceKey("/Lang", QPDFObjectHandle::newUnicodeString(pdf_info.lang));
  QPDFObjectHandle preferences = root.getKey("/ViewerPreferences");
  if (!preferences.isDictionary()) {
    preferences = QPDFObjectHandle::newDictionary();
    root.replaceKey("/ViewerPreferences", preferences);
  }
  preferences.replaceKey("/DisplayDocTitle", QPDFObjectHandle::newBool(true));
}

// Writes with a deterministic /ID and object streams; page streams stay as cairo compressed them.
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
std::string MergePackage(std::vector<OpenedPdf>& documents, const std::vector<std::string>& bookmarks,
                         const PdfInfo& info) {
  QPDF package;
  package.emptyPDF();
  std::vector<size_t> first_pages;
  for (auto& document : documents) {
    first_pages.push_back(package.getAllPages().size());
    for (const QPDFObjectHandle& page : document.pdf->getAllPages()) package.addPage(page, false);
  }
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
  SetInfo(package, info);
  return Write(package, "1.5");
}

}  // namespace

struct PdfAssembler::Impl {
  std::vector<OpenedPdf> documents;
  std::vector<std::string> bookmarks;
};

PdfAssembler::PdfAssembler() : impl_(std::make_unique<Impl>()) {}
PdfAssembler::~PdfAssembler() = default;

std::string PdfAssembler::AddDocument(std::string cairo_pdf, const PdfInfo& info, const std::string& bookmark) {
  impl_->documents.emplace_back(std::move(cairo_pdf));
  impl_->bookmarks.push_back(bookmark);
  QPDF& pdf = *impl_->documents.back().pdf;
  SetInfo(pdf, info);
  return Write(pdf);
}

std::string PdfAssembler::Package(const PdfInfo& info) { return MergePackage(impl_->documents, impl_->bookmarks, info); }

}  // namespace docgen
