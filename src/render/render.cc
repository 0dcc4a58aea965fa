// The render pipeline: for each document of a package, evaluate its
// template, parse the Markdown, lay it out; only when every document is
// free of errors, draw the pages (package and per-document PDFs).
#include <docgen/render.h>

#include <cairo-pdf.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <list>
#include <map>
#include <unordered_map>

#include "render/evaluate.h"
#include "render/fonts.h"
#include "render/markdown.h"
#include "render/pdf_assembler.h"
#include "render/typeset.h"
#include "schema/variables_schema.h"
#include "template/mustache.h"
#include "util/text.h"

namespace docgen {
namespace {

constexpr const char* kFixedDate = "2000-01-01T00:00:00Z";  // PDFs carry no clock time

Diagnostic RenderError(std::string code, std::string message, std::string file, int line = 0, std::string document = "",
                       int instance = 0) {
  Diagnostic d;
  d.code = std::move(code);
  d.message = std::move(message);
  d.file = std::move(file);
  d.line = line;
  d.document = std::move(document);
  d.instance = instance;
  return d;
}

// A template file once parsed: style overrides, header, footer and body.
struct ParsedTemplate {
  YAML::Node front_matter;  // null when none
  MustacheParse header, footer, body;
  bool has_header = false, has_footer = false;
  bool counts_pages = false;  // the header or footer names {{pages}}: drawn once the count is known
};

// Whether a tag of `nodes`, or of a section in them, names `pages` (or a
// member of it): the one value of a header or footer known only at the end.
bool NamesPages(const std::vector<MustacheNode>& nodes) {
  return std::any_of(nodes.begin(), nodes.end(), [](const MustacheNode& node) {
    if (node.kind == MustacheNode::Kind::kText || node.kind == MustacheNode::Kind::kComment) return false;
    return node.text == "pages" || node.text.starts_with("pages.") || NamesPages(node.children);
  });
}

// Page and font settings (catalog defaults, then front matter), as lint checked them.
void ApplySettings(const YAML::Node& settings, PageStyle& style) {
  if (!settings || !settings.IsMap()) return;
  try {
    if (const YAML::Node page = settings["page"]; page && page.IsMap()) {
      if (page["size"] && page["size"].IsScalar()) {
        const std::string size = page["size"].Scalar();
        if (size == "a4") {
          style.width = 595.276;
          style.height = 841.89;
        } else if (size == "legal") {
          style.width = 612;
          style.height = 1008;
        } else {
          style.width = 612;
          style.height = 792;
        }
      }
      if (page["margin"] && page["margin"].IsScalar()) style.margin = ParseLengthPoints(page["margin"].Scalar()).value_or(style.margin);
    }
    if (const YAML::Node font = settings["font"]; font && font.IsMap()) {
      if (font["family"] && font["family"].IsScalar()) style.font_family = font["family"].Scalar();
      if (font["size"] && font["size"].IsScalar()) style.font_size = std::stod(font["size"].Scalar());
    }
    if (const YAML::Node lang = settings["lang"]; lang && lang.IsScalar()) style.lang = lang.Scalar();
    if (const YAML::Node pdf = settings["pdf"]; pdf && pdf.IsMap() && pdf["archive"] && pdf["archive"].IsScalar()) {
      style.archive = pdf["archive"].Scalar() != "none";
    }
    if (const YAML::Node pdf = settings["pdf"]; pdf && pdf.IsMap() && pdf["tagged"] && pdf["tagged"].IsScalar()) {
      style.tagged = pdf["tagged"].Scalar() == "true";
    }
  } catch (const std::exception&) {
    // Lint refuses malformed settings; keep the defaults if one slips through.
  }
}

YAML::Node DefaultsNode(const nlohmann::json& defaults) {
  try {
    return YAML::Load(defaults.dump());  // JSON is YAML
  } catch (const std::exception&) {
    return YAML::Node();
  }
}

struct CairoSurfaceDeleter {
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct CairoDeleter {
  void operator()(cairo_t* cr) const { cairo_destroy(cr); }
};

cairo_status_t AppendToString(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

// A Cairo PDF surface that writes into a string.
class PdfSurface {
 public:
  PdfSurface(const std::string& title, const std::string& subject, const PageStyle& first)
      : surface_(cairo_pdf_surface_create_for_stream(AppendToString, &bytes_, first.width, first.height)),
        cr_(cairo_create(surface_.get())) {
    cairo_pdf_surface_set_metadata(surface_.get(), CAIRO_PDF_METADATA_TITLE, title.c_str());
    cairo_pdf_surface_set_metadata(surface_.get(), CAIRO_PDF_METADATA_SUBJECT, subject.c_str());
    cairo_pdf_surface_set_metadata(surface_.get(), CAIRO_PDF_METADATA_CREATOR, "docgen");
    cairo_pdf_surface_set_metadata(surface_.get(), CAIRO_PDF_METADATA_CREATE_DATE, kFixedDate);
    cairo_pdf_surface_set_metadata(surface_.get(), CAIRO_PDF_METADATA_MOD_DATE, kFixedDate);
  }
  cairo_t* cr() { return cr_.get(); }
  void StartPage(const PageStyle& style) { cairo_pdf_surface_set_size(surface_.get(), style.width, style.height); }
  // False when cairo refused something on the page (it then draws nothing more).
  bool EndPage() {
    cairo_show_page(cr_.get());
    return cairo_status(cr_.get()) == CAIRO_STATUS_SUCCESS;
  }
  std::string Problem() { return cairo_status_to_string(cairo_status(cr_.get())); }
  // The PDF, or nullopt and `problem` when cairo refused it as it was
  // finished (a structure tag left open, for one).
  std::optional<std::string> Finish(std::string& problem) {
    cr_.reset();
    cairo_surface_finish(surface_.get());
    const cairo_status_t status = cairo_surface_status(surface_.get());
    surface_.reset();
    if (status != CAIRO_STATUS_SUCCESS) {
      problem = cairo_status_to_string(status);
      return std::nullopt;
    }
    return std::move(bytes_);
  }

 private:
  std::string bytes_;
  std::unique_ptr<cairo_surface_t, CairoSurfaceDeleter> surface_;
  std::unique_ptr<cairo_t, CairoDeleter> cr_;
};

// Splits elapsed time between stages: Lap(stage) adds the time since the
// last lap (or Restart) to that stage.
class StageClock {
 public:
  void Restart() { last_ = std::chrono::steady_clock::now(); }
  void Lap(double& stage) {
    const auto now = std::chrono::steady_clock::now();
    stage += std::chrono::duration<double>(now - last_).count();
    last_ = now;
  }

 private:
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

// One document of the package on its way to pages.
struct DocumentJob {
  const PackageDocument* document = nullptr;
  std::shared_ptr<const ParsedTemplate> parsed;
  std::string file;  // template path
  nlohmann::json context;  // doc and vars; quote, coverage and package live in one frame shared by every job
  PageStyle style;
  std::vector<Block> blocks;  // its Markdown, parsed; laid out just before it is drawn
};

// Decoded bytes an image holds (an SVG: its source, a fair bound of its tree).
size_t ImageBytes(const Image& image, size_t source_bytes) {
  if (image.png) {
    return static_cast<size_t>(cairo_image_surface_get_stride(image.png.get())) *
           static_cast<size_t>(cairo_image_surface_get_height(image.png.get()));
  }
  return source_bytes;
}

}  // namespace

std::string RenderLibraryVersions() {
  return std::string("cairo ") + cairo_version_string() + ", pango " + pango_version_string() + ", qpdf " + QpdfVersion() +
         ", " + Svg::LibraryVersion();
}

struct Renderer::Impl {
  explicit Impl(RenderOptions o) : options(o) {}

  RenderOptions options;
  Typesetter typesetter;
  std::map<std::string, std::shared_ptr<const ParsedTemplate>> templates;  // digest + path
  std::shared_ptr<const IccProfile> srgb_profile;  // read and deflated at the first archival render

  // PDF/A's output intent profile, or null when it cannot be read.
  std::shared_ptr<const IccProfile> SrgbProfile() {
    if (!srgb_profile) {
      std::ifstream in(options.srgb_profile, std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if ((in.good() || in.eof()) && !bytes.empty()) srgb_profile = MakeIccProfile(bytes);
    }
    return srgb_profile;
  }

  // Decoded images, least recently used first out, at most
  // options.image_cache_bytes of them.
  struct CachedImage {
    std::shared_ptr<const Image> image;
    size_t bytes = 0;
    std::list<std::string>::iterator position;  // in lru
  };
  std::unordered_map<std::string, CachedImage> images;  // digest + path
  std::list<std::string> lru;                           // most recent first
  size_t image_bytes = 0;

  std::shared_ptr<const ParsedTemplate> Template(const Catalog& catalog, const std::string& path, Diagnostics& errors) {
    const std::string key = catalog.digest + "\n" + path;
    if (auto it = templates.find(key); it != templates.end()) return it->second;
    auto parsed = std::make_shared<ParsedTemplate>();
    auto text = catalog.templates.find(path);
    TemplateParts parts;
    std::string error;
    if (text == catalog.templates.end() || !SplitFrontMatter(text->second, parts, error)) {
      Diagnostic d;
      d.code = "template_error";
      d.file = path;
      d.message = text == catalog.templates.end() ? "The template is not in the catalog." : error;
      errors.push_back(d);
      return nullptr;
    }
    if (parts.has_front_matter) {
      try {
        parsed->front_matter = YAML::Load(parts.front_matter);
      } catch (const std::exception& e) {
        errors.push_back(RenderError("template_error", std::string("The front matter is not valid YAML: ") + e.what(), path,
                                     parts.front_matter_line));
        return nullptr;
      }
      int line = parts.front_matter_line;
      if (const YAML::Node h = parsed->front_matter["header"]; h && h.IsScalar()) {
        parsed->header = ParseMustache(h.Scalar(), path, line + std::max(0, h.Mark().line));
        parsed->has_header = true;
      }
      if (const YAML::Node f = parsed->front_matter["footer"]; f && f.IsScalar()) {
        parsed->footer = ParseMustache(f.Scalar(), path, line + std::max(0, f.Mark().line));
        parsed->has_footer = true;
      }
    }
    parsed->body = ParseMustache(parts.body, path, parts.body_line);
    parsed->counts_pages = NamesPages(parsed->header.nodes) || NamesPages(parsed->footer.nodes);
    bool broken = false;
    for (const MustacheParse* p : {&parsed->header, &parsed->footer, &parsed->body}) {
      for (auto d : p->diagnostics) {
        d.code = "template_error";
        errors.push_back(std::move(d));
        broken = true;
      }
    }
    if (broken) return nullptr;
    if (templates.size() >= 1024) templates.clear();
    templates.emplace(key, parsed);
    return parsed;
  }

  std::shared_ptr<const Image> ImageFor(const Catalog& catalog, const std::string& path, std::string& error) {
    const std::string key = catalog.digest + "\n" + path;
    if (auto it = images.find(key); it != images.end()) {
      lru.splice(lru.begin(), lru, it->second.position);
      return it->second.image;
    }
    auto bytes = catalog.assets.find(path);
    if (bytes == catalog.assets.end()) {
      error = "image \"" + path + "\" is not in the catalog's assets/ folder";
      return nullptr;
    }
    std::string why;
    auto image = DecodeImage(path, bytes->second, why);
    if (!image) {
      error = "image \"" + path + "\" " + why;
      return nullptr;
    }
    auto shared = std::make_shared<const Image>(std::move(*image));
    const size_t size = ImageBytes(*shared, bytes->second.size());
    if (size > options.image_cache_bytes) return shared;  // used now, not kept
    while (!lru.empty() && image_bytes + size > options.image_cache_bytes) {
      auto victim = images.find(lru.back());
      image_bytes -= victim->second.bytes;
      images.erase(victim);
      lru.pop_back();
    }
    lru.push_front(key);
    images.emplace(key, CachedImage{shared, size, lru.begin()});
    image_bytes += size;
    return shared;
  }
};

Renderer::Renderer() : Renderer(RenderOptions{}) {}
Renderer::Renderer(RenderOptions options) : impl_(std::make_unique<Impl>(options)) {}
Renderer::~Renderer() = default;

namespace {

nlohmann::json PackageDocumentsContext(const Package& package) {
  nlohmann::json documents = nlohmann::json::array();
  for (const auto& d : package.documents) {
    documents.push_back({{"id", d.id},
                         {"edition", d.edition},
                         {"title", d.title},
                         {"kind", ToString(d.kind)},
                         {"instance", d.instance},
                         {"source", ToString(d.source)}});
  }
  return documents;
}

void CheckImages(const std::vector<Block>& blocks, std::vector<std::string>& paths) {
  for (const auto& b : blocks) {
    if (b.kind == Block::Kind::kImage) paths.push_back(b.image);
    CheckImages(b.children, paths);
    for (const auto& item : b.items) CheckImages(item, paths);
  }
}

// A header or footer line: page numbers on their own frame, one line of text.
std::string PlainText(const MustacheParse& parse, const nlohmann::json& shared, const nlohmann::json& quote,
                      const nlohmann::json& context, int page,
                      int pages, const EvaluationOptions& options, Diagnostics& errors) {
  EvaluationOptions plain = options;
  plain.markdown = false;
  const nlohmann::json numbers = {{"page", page}, {"pages", pages}};
  std::string text = EvaluateFrames(parse.nodes, {&shared, {"quote", &quote}, &context, &numbers}, plain, errors);
  for (char& c : text) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return text;
}

}  // namespace

RenderResult Renderer::Render(const Catalog& catalog, const Package& package, const nlohmann::json& quote) {
  return RenderGuarded(catalog, package, {quote});
}

RenderResult Renderer::Render(const Catalog& catalog, const Package& package, nlohmann::json&& quote) {
  return RenderGuarded(catalog, package, {quote, true, &quote});
}

RenderResult Renderer::RenderGuarded(const Catalog& catalog, const Package& package, const Request& request) {
  try {
    return RenderPackage(catalog, package, request);
  } catch (const std::exception& e) {  // qpdf or an allocation failure: never across the stage boundary
    RenderResult result;
    result.errors.push_back(RenderError("pdf_error", std::string("The PDF could not be produced: ") + e.what(), ""));
    return result;
  }
}

RenderResult Renderer::RenderEdition(const Catalog& catalog, const DocumentEdition& edition, const nlohmann::json& vars,
                                     const nlohmann::json& quote) {
  RenderResult result;
  PackageDocument doc;
  doc.id = edition.id;
  doc.edition = edition.edition;
  doc.kind = edition.kind;
  doc.title = edition.title;
  doc.order = edition.order;
  doc.source = DocumentSource::kAdded;
  doc.variables = vars.is_null() ? nlohmann::json::object() : vars;
  doc.edition_ref = &edition;
  if (edition.schema) {
    edition.schema->ApplyDefaults(doc.variables);
    for (const auto& violation : edition.schema->Validate(doc.variables)) {
      Diagnostic d;
      d.code = "invalid_variables";
      d.path = "/vars" + violation.path;
      d.document = edition.id;
      d.instance = 1;
      d.message = edition.id + ": " + violation.message;
      result.errors.push_back(std::move(d));
    }
  }
  if (!result.errors.empty()) return result;
  Package package;
  if (quote.is_object() && quote.contains("quote_id") && quote["quote_id"].is_string()) package.quote_id = quote["quote_id"];
  package.catalog_name = catalog.name;
  package.catalog_digest = catalog.digest;
  package.valid = true;
  package.documents.push_back(std::move(doc));
  const nlohmann::json none = nlohmann::json::object();
  return RenderGuarded(catalog, package, {quote.is_object() ? quote : none, /*package_pdf=*/false});
}

RenderResult Renderer::RenderPackage(const Catalog& catalog, const Package& package, const Request& request) {
  const nlohmann::json& quote = request.quote;
  const bool package_pdf = request.package_pdf;
  RenderResult result;
  if (!package.valid) {
    result.errors = package.errors;
    return result;
  }
  if (package.documents.empty()) {
    result.errors.push_back(RenderError("empty_package", "The package has no documents, so there is nothing to render.", ""));
    return result;
  }
  if (package.documents.size() > kMaxPackageDocuments) {  // Resolve() refuses such packages; a hand-made one too
    result.errors.push_back(RenderError("too_many_documents",
                                        "The package holds " + std::to_string(package.documents.size()) +
                                            " documents; the limit is " + std::to_string(kMaxPackageDocuments) + ".",
                                        ""));
    return result;
  }
  Diagnostics& errors = result.errors;
  // One budget for the whole render: section repetitions and the deadline.
  EvaluationBudget budget;
  if (impl_->options.deadline.count() > 0) budget.deadline = std::chrono::steady_clock::now() + impl_->options.deadline;
  const long long deadline_ms = impl_->options.deadline.count();  // said exactly: "30 s", "182 ms"
  const std::string limit =
      deadline_ms % 1000 == 0 ? std::to_string(deadline_ms / 1000) + " s" : std::to_string(deadline_ms) + " ms";
  // Records the render_timeout; the caller then returns `result`.
  auto timeout = [&](const std::string& where, const std::string& file, const std::string& document, int instance) {
    budget.timed_out = true;
    result.output.reset();
    result.errors.push_back(RenderError(
        "render_timeout", "The render did not finish within its " + limit + " deadline (stopped while " + where + ").",
        file, 0, document, instance));
  };
  auto expired = [&] { return budget.timed_out || std::chrono::steady_clock::now() >= budget.deadline; };

  // Everything the documents share is built once and read by all of them:
  // the quote's coverages by code and the package's document list.
  nlohmann::json shared = nlohmann::json::object();
  shared["package"] = {{"documents", PackageDocumentsContext(package)}};
  nlohmann::json& coverage = shared["coverage"] = nlohmann::json::object();
  if (quote.contains("coverages") && quote["coverages"].is_array()) {
    for (const auto& c : quote["coverages"]) {
      if (c.is_object() && c.contains("code") && c["code"].is_string()) coverage[c["code"].get<std::string>()] = c;
    }
  }
  // The quote itself is a frame of its own, named, not copied (a quote may list 100,000 locations).
  const YAML::Node defaults = DefaultsNode(catalog.defaults);
  PageStyle package_style;  // the package PDF takes the catalog's defaults
  ApplySettings(defaults, package_style);
  // PDF/A needs its colour profile: said once, naming where archiving was asked for.
  bool profile_missing_reported = false;
  auto need_profile = [&](const std::string& file, const PackageDocument* doc) {
    if (impl_->SrgbProfile() || profile_missing_reported) return;
    profile_missing_reported = true;
    errors.push_back(RenderError("pdf_error",
                                 "PDF/A (pdf: {archive: pdf-a-2b}, the default) needs the sRGB colour profile " +
                                     impl_->options.srgb_profile + ", which cannot be read: install icc-profiles-free, or set "
                                     "pdf: {archive: none}.",
                                 file, 0, doc != nullptr ? doc->id : "", doc != nullptr ? doc->instance : 0));
  };
  if (!impl_->options.archive) package_style.archive = false;
  if (package_style.archive) need_profile("catalog.yaml", nullptr);

  std::vector<DocumentJob> jobs(package.documents.size());
  RenderTimings& timings = result.timings;
  StageClock clock;
  for (size_t i = 0; i < package.documents.size(); ++i) {
    DocumentJob& job = jobs[i];
    clock.Restart();
    if (expired()) {
      const PackageDocument& doc = package.documents[i];
      timeout("preparing document " + std::to_string(i + 1), doc.edition_ref->template_path, doc.id, doc.instance);
      return result;
    }
    const PackageDocument& doc = package.documents[i];
    job.document = &doc;
    job.file = doc.edition_ref->template_path;
    const size_t errors_before = errors.size();
    job.parsed = impl_->Template(catalog, job.file, errors);
    if (!job.parsed) continue;
    ApplySettings(defaults, job.style);
    ApplySettings(job.parsed->front_matter, job.style);
    if (!impl_->options.archive) job.style.archive = false;
    if (job.style.width - 2 * job.style.margin < 72 || job.style.height - 2 * job.style.margin < 72) {
      errors.push_back(RenderError("template_error", "The page margins leave less than one inch for the text.", job.file,
                                   0, doc.id, doc.instance));
      continue;
    }
    if (!impl_->typesetter.HasFamily(job.style.font_family)) {
      Diagnostic d;
      d.code = "missing_font";
      d.file = job.file;
      d.document = doc.id;
      d.message = "Font \"" + job.style.font_family + "\" is not installed on this machine.";
      errors.push_back(std::move(d));
    }
    if (job.style.archive) need_profile(job.file, &doc);
    job.context = {{"doc", {{"id", doc.id}, {"title", doc.title}, {"edition", doc.edition}, {"kind", ToString(doc.kind)},
                            {"instance", doc.instance}}},
                   {"vars", doc.variables}};
    EvaluationOptions options{job.file, doc.id, doc.instance, true, &budget};
    const std::string markdown = EvaluateFrames(job.parsed->body.nodes, {&shared, {"quote", &quote}, &job.context}, options, errors);
    // Headers and footers are checked now, with page numbers, so that drawing cannot fail.
    if (job.parsed->has_header) PlainText(job.parsed->header, shared, quote, job.context, 1, 1, options, errors);
    if (job.parsed->has_footer) PlainText(job.parsed->footer, shared, quote, job.context, 1, 1, options, errors);
    clock.Lap(timings.evaluate);
    if (budget.timed_out) {  // the evaluator reported where; nothing else matters now
      result.output.reset();
      return result;
    }
    if (errors.size() != errors_before) continue;
    job.blocks = ParseMarkdown(markdown);
    std::vector<std::string> images;
    CheckImages(job.blocks, images);
    for (const auto& path : images) {
      std::string error;
      if (!impl_->ImageFor(catalog, path, error)) {
        errors.push_back(RenderError("template_error", error + ".", job.file, 0, doc.id, doc.instance));
      }
    }
    clock.Lap(timings.typeset);
  }
  if (!errors.empty()) return result;
  if (expired()) {
    const DocumentJob& last = jobs.back();
    timeout("parsing its Markdown", last.file, last.document->id, last.document->instance);
    return result;
  }
  const Typesetter::ImageLookup image_for = [&](const std::string& path) {
    std::string unused;
    return impl_->ImageFor(catalog, path, unused);
  };
  const auto ArchiveProfile = [&](const PageStyle& style) {
    return style.archive ? impl_->SrgbProfile() : std::shared_ptr<const IccProfile>();
  };

  // Each document's pages are drawn as they are laid out and let go, so that
  // a package holds a few pages of layouts at a time. A header or footer may
  // say how many pages there are: a short document's are drawn with its
  // pages (the typesetter holds them until it knows the count); a long
  // one's after the body, on pages of their own that the assembler lays
  // over the body's. Headers and footers that do not count pages are
  // always drawn with their pages.
  RenderOutput output;
  const std::string subject = package.quote_id;
  const int digits = std::max<int>(2, static_cast<int>(std::to_string(jobs.size()).size()));
  PdfAssembler assembler(/*merges=*/package_pdf);
  for (size_t i = 0; i < jobs.size(); ++i) {
    DocumentJob& job = jobs[i];
    const PackageDocument& doc = *job.document;
    clock.Restart();
    PdfSurface surface(doc.title, subject, job.style);
    // Headers and footers were evaluated within the render's budget once; each
    // page's evaluation costs the same, so it gets a budget of its own.
    const EvaluationOptions options{job.file, doc.id, doc.instance, false};
    const auto draw_furniture = [&](int page, int count) {
      Diagnostics unused;  // checked before drawing
      const std::string header = job.parsed->has_header ? PlainText(job.parsed->header, shared, quote, job.context,
                                                                    page, count, options, unused)
                                                        : "";
      const std::string footer = job.parsed->has_footer ? PlainText(job.parsed->footer, shared, quote, job.context,
                                                                    page, count, options, unused)
                                                        : "";
      impl_->typesetter.DrawFurniture(surface.cr(), job.style, header, footer);
    };
    const bool furniture = job.parsed->has_header || job.parsed->has_footer;
    bool deferred = false;  // the headers and footers count pages not all drawn yet: they go on pages of their own
    bool stopped = false;   // by a timeout or a page cairo refused, as `result` says
    int drawn_pages = 0;
    const auto draw = [&](const Page& page, bool last, int count) {
      clock.Lap(timings.typeset);
      if (expired()) {
        timeout("drawing page " + std::to_string(drawn_pages + 1), job.file, doc.id, doc.instance);
        stopped = true;
        return false;
      }
      surface.StartPage(job.style);
      // The root of the structure tree (a Part in the package), opened on the first page and closed on the last.
      if (drawn_pages == 0 && job.style.tagged) cairo_tag_begin(surface.cr(), "Document", nullptr);
      impl_->typesetter.DrawPage(surface.cr(), job.style, page, image_for);
      ++drawn_pages;
      if (drawn_pages == 1) deferred = furniture && count == 0 && job.parsed->counts_pages;  // the same for every page
      if (furniture && !deferred) draw_furniture(drawn_pages, count);
      if (last && job.style.tagged) cairo_tag_end(surface.cr(), "Document");
      if (!surface.EndPage()) {
        result.errors.push_back(RenderError(
            "pdf_error", "Page " + std::to_string(drawn_pages) + " could not be drawn: " + surface.Problem() + ".",
            job.file, 0, doc.id, doc.instance));
        stopped = true;
        return false;
      }
      clock.Lap(timings.draw);
      return true;
    };
    const LayoutSummary layout = impl_->typesetter.Layout(job.blocks, job.style, image_for, draw, expired);
    job.blocks = {};
    if (stopped) return result;
    if (expired()) {
      timeout("laying out its text", job.file, doc.id, doc.instance);
      return result;
    }
    clock.Lap(timings.typeset);
    const int pages = layout.pages;
    for (int p = 0; deferred && p < pages; ++p) {
      if (expired()) {
        timeout("drawing the header and footer of page " + std::to_string(p + 1), job.file, doc.id, doc.instance);
        return result;
      }
      surface.StartPage(job.style);
      draw_furniture(p + 1, pages);
      if (!surface.EndPage()) {
        result.errors.push_back(RenderError("pdf_error",
                                            "The header and footer of page " + std::to_string(p + 1) +
                                                " could not be drawn: " + surface.Problem() + ".",
                                            job.file, 0, doc.id, doc.instance));
        return result;
      }
    }
    std::string number = std::to_string(i + 1);
    number.insert(0, static_cast<size_t>(std::max(0, digits - static_cast<int>(number.size()))), '0');
    std::string problem;
    std::optional<std::string> drawn = surface.Finish(problem);
    if (!drawn) {
      result.errors.push_back(RenderError("pdf_error", "The PDF could not be finished: " + problem + ".", job.file, 0, doc.id, doc.instance));
      return result;
    }
    clock.Lap(timings.draw);
    if (request.handed_over != nullptr && i + 1 == jobs.size()) *request.handed_over = nullptr;  // every page is drawn
    std::string pdf = assembler.AddDocument(std::move(*drawn),
                                            {doc.title, subject, job.style.lang, ArchiveProfile(job.style),
                                             job.style.tagged, layout.figure_alts, deferred ? pages : 0},
                                            doc.id + " \u2014 " + doc.title);
    clock.Lap(timings.assemble);
    output.documents.push_back({number + "-" + doc.id + ".pdf", std::move(pdf), pages});
    output.pages += pages;
  }
  clock.Restart();
  if (package_pdf) {
    output.package_pdf = assembler.Package(
        {"Policy package " + package.quote_id, subject, package_style.lang, ArchiveProfile(package_style), false, {}});
  }
  clock.Lap(timings.assemble);
  result.output = std::move(output);
  return result;
}

std::vector<MissingFont> MissingFonts(const Catalog& catalog) {
  const Typesetter typesetter;
  const YAML::Node defaults = DefaultsNode(catalog.defaults);
  std::map<std::string, std::vector<std::string>> missing;  // family -> templates
  for (const auto& [path, text] : catalog.templates) {
    PageStyle style;
    ApplySettings(defaults, style);
    TemplateParts parts;
    std::string error;
    if (SplitFrontMatter(text, parts, error) && parts.has_front_matter) {
      try {
        ApplySettings(YAML::Load(parts.front_matter), style);
      } catch (const std::exception&) {
        continue;  // lint reports a front matter that is not YAML
      }
    }
    if (!typesetter.HasFamily(style.font_family)) missing[style.font_family].push_back(path);
  }
  std::vector<MissingFont> out;
  for (auto& [family, templates] : missing) out.push_back({family, std::move(templates)});
  return out;
}

}  // namespace docgen
