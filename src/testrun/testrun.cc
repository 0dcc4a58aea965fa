#include "testrun/testrun.h"

#include <docgen/render.h>

#include <fontconfig/fontconfig.h>
#include <poppler/cpp/poppler-version.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <iterator>
#include <mutex>
#include <set>
#include <thread>

#include "testrun/pages.h"
#include "testrun/variants.h"
#include "util/files.h"
#include "util/text.h"

namespace docgen::testrun {
namespace {

void Piece(Sha256& hash, std::string_view bytes) {
  hash.Update(std::to_string(bytes.size()));
  hash.Update(std::string_view("\0", 1));
  hash.Update(bytes);
}

// What every render of this process depends on beyond the catalog: docgen
// itself (the bytes of this program, docgen-all: a new build may lay out differently),
// the libraries that draw and finish the PDFs and the font files fontconfig
// offers.
std::string EnvironmentDigest() {
  Sha256 hash;
  Piece(hash, "docgen-testrun/1");
  {
    std::ifstream program("/proc/self/exe", std::ios::binary);
    std::vector<char> chunk(1 << 20);
    while (program.read(chunk.data(), static_cast<std::streamsize>(chunk.size())) || program.gcount() > 0) {
      hash.Update(std::string_view(chunk.data(), static_cast<size_t>(program.gcount())));
    }
  }
  Piece(hash, RenderLibraryVersions());
  Piece(hash, poppler::version_string());
  Piece(hash, std::to_string(kDotsPerInch) + "/" + std::to_string(kChannelTolerance));
  std::set<std::string> fonts;  // sorted: fontconfig's order is not promised
  if (FcConfig* config = FcConfigGetCurrent()) {
    if (FcFontSet* set = FcConfigGetFonts(config, FcSetSystem)) {
      for (int i = 0; i < set->nfont; ++i) {
        FcChar8* file = nullptr;
        if (FcPatternGetString(set->fonts[i], FC_FILE, 0, &file) != FcResultMatch) continue;
        struct stat st {};
        const std::string path = reinterpret_cast<const char*>(file);
        if (stat(path.c_str(), &st) == 0) fonts.insert(path + ":" + std::to_string(st.st_size) + ":" + std::to_string(st.st_mtime));
      }
    }
  }
  for (const auto& f : fonts) Piece(hash, f);
  return hash.HexDigest();
}

// Variants are rendered as plain PDFs: their pages look the same as PDF/A's,
// and poppler rasterises those about five times slower.
RenderOptions TestRunRenderOptions() {
  RenderOptions options;
  options.archive = false;
  return options;
}

// What every variant of this catalog depends on: the environment, the catalog's defaults and its images.
std::string CatalogDigest(const Catalog& catalog) {
  Sha256 hash;
  Piece(hash, EnvironmentDigest());
  Piece(hash, catalog.name);
  Piece(hash, catalog.defaults.dump());
  for (const auto& [path, bytes] : catalog.assets) {
    Piece(hash, path);
    Piece(hash, bytes);
  }
  return hash.HexDigest();
}

std::string InputsDigest(const std::string& catalog_digest, const Catalog& catalog, const Variant& v) {
  const DocumentEdition& e = *v.edition;
  Sha256 hash;
  Piece(hash, catalog_digest);
  for (const std::string& field : {e.id, e.edition, e.title, std::string(ToString(e.kind)), e.template_path}) Piece(hash, field);
  Piece(hash, e.variables_schema.dump());
  auto it = catalog.templates.find(e.template_path);
  Piece(hash, it == catalog.templates.end() ? std::string_view() : std::string_view(it->second));
  Piece(hash, v.vars.dump());
  Piece(hash, v.quote.dump());
  return "sha256:" + hash.HexDigest();
}

std::string ErrorText(const Diagnostics& errors) {
  std::string text;
  std::set<std::string> seen;  // a template error inside a loop is reported once per pass
  for (const auto& d : errors) {
    std::string line = FormatDiagnostic(d);
    if (seen.insert(line).second) text += (text.empty() ? "" : "\n") + line;
  }
  return text;
}

class Worker {
 public:
  Worker(const Catalog& catalog, const GoldenManifest& manifest, PageStore& pages)
      : catalog_(catalog), manifest_(manifest), pages_(pages) {}

  // The variant's result; an outage while keeping its pages stops the run (`outage`).
  VariantResult Run(const Variant& v, const std::string& inputs, docgen::Status& outage) {
    VariantResult r;
    r.key = v.key;
    r.inputs = inputs;
    auto golden = manifest_.find(v.key);
    const GoldenEntry* g = golden == manifest_.end() ? nullptr : &golden->second;
    if (g && g->inputs == inputs) {
      r.status = Status::kSame;
      r.pages = g->pages;
      r.pdf_sha256 = g->pdf_sha256;
      return r;
    }
    RenderResult rendered = renderer_.RenderEdition(catalog_, *v.edition, v.vars, v.quote);
    r.rendered = true;
    if (!rendered.output) return Failed(std::move(r), ErrorText(rendered.errors));
    const std::string& pdf = rendered.output->documents.at(0).pdf;  // an edition on its own: one document
    r.pdf_sha256 = Sha256Hex(pdf);
    r.pages = rendered.output->pages;
    if (g && g->pdf_sha256 == r.pdf_sha256) {
      r.status = Status::kSame;
      return r;
    }
    Rasterised raster = RasterisePdf(pdf);
    if (!raster.error.empty()) return Failed(std::move(r), raster.error);
    r.pages = static_cast<int>(raster.pages.size());
    if (!g) {
      r.status = Status::kNew;
      return Keep(std::move(r), raster.pages, outage);
    }
    return Compare(std::move(r), *g, raster.pages, outage);
  }

 private:
  static VariantResult Failed(VariantResult r, std::string error) {
    r.status = Status::kFailed;
    r.error = std::move(error);
    return r;
  }

  // Keeps one picture; false (the variant failed, or the run stops) when it cannot.
  bool KeepOne(VariantResult& r, const char* kind, int page, const Image& image, std::vector<std::string>& names, docgen::Status& outage) {
    Result<std::string> name = pages_.Keep(r.key, kind, page, EncodePng(image));
    if (name.ok()) {
      names.push_back(std::move(*name));
      return true;
    }
    if (name.status().code() == StatusCode::kUnavailable) outage = name.status();
    r = Failed(std::move(r), name.status().message());
    return false;
  }

  VariantResult Compare(VariantResult r, const GoldenEntry& g, const std::vector<Image>& pages, docgen::Status& outage) {
    long long changed = 0, total = 0;
    const int count = std::max(g.pages, r.pages);
    for (int n = 1; n <= count; ++n) {
      std::optional<Image> was;
      if (n <= g.pages) {
        Result<std::optional<std::string>> png = pages_.Golden(r.key, g, n);
        if (!png.ok()) {  // an outage: the run stops rather than call the page changed
          if (png.status().code() == StatusCode::kUnavailable) outage = png.status();
          return Failed(std::move(r), png.status().message());
        }
        if (*png) was = DecodePng(**png);
      }
      const Image empty;
      const Image& now = n <= r.pages ? pages[static_cast<size_t>(n - 1)] : empty;
      PageComparison c = ComparePages(was ? *was : empty, now);
      total += c.pixels;
      if (c.changed_pixels == 0) {
        r.kept_diffs.emplace_back();
        continue;
      }
      changed += c.changed_pixels;
      r.changed_pages.push_back(n);
      if (!KeepOne(r, "diff", n, c.diff, r.kept_diffs, outage)) return r;
    }
    if (r.changed_pages.empty()) {
      r.status = Status::kSame;
      r.kept_diffs.clear();
      return r;
    }
    r.status = Status::kChanged;
    r.changed_share = total > 0 ? static_cast<double>(changed) / static_cast<double>(total) : 1.0;
    return Keep(std::move(r), pages, outage);
  }

  // The new pages, for the report and for approval.
  VariantResult Keep(VariantResult r, const std::vector<Image>& pages, docgen::Status& outage) {
    for (size_t n = 0; n < pages.size(); ++n) {
      if (!KeepOne(r, "page", static_cast<int>(n + 1), pages[n], r.kept_pages, outage)) return r;
    }
    return r;
  }

  const Catalog& catalog_;
  const GoldenManifest& manifest_;
  PageStore& pages_;
  Renderer renderer_{TestRunRenderOptions()};
};

}  // namespace

const char* ToString(Status status) {
  switch (status) {
    case Status::kSame: return "same";
    case Status::kChanged: return "changed";
    case Status::kNew: return "new";
    case Status::kFailed: return "failed";
  }
  return "failed";
}

Result<std::optional<std::string>> FolderPages::Golden(const std::string& key, const GoldenEntry&, int page) const {
  return goldens_.Read(goldens_.PagePath(key, page));
}

Result<std::string> FolderPages::Keep(const std::string& key, const char* kind, int page, const std::string& png) {
  const std::filesystem::path file = std::string_view(kind) == "diff" ? scratch_.DiffPath(key, page) : scratch_.PagePath(key, page);
  if (std::string error = scratch_.Write(file, png); !error.empty()) return docgen::Status::Internal(error);
  return file.string();
}

RunResult RunTests(const Catalog& catalog, const GoldenManifest& manifest, PageStore& pages, const RunOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const std::vector<Variant> variants = EnumerateVariants(catalog);
  const std::string catalog_digest = CatalogDigest(catalog);
  RunResult run;
  run.variants.resize(variants.size());

  const int jobs = std::max(1, std::min(options.jobs > 0 ? options.jobs : static_cast<int>(std::thread::hardware_concurrency()),
                                        static_cast<int>(std::max<size_t>(variants.size(), 1))));
  std::atomic<size_t> next{0};
  std::atomic<bool> stop{false};
  std::mutex progress_mutex;  // guards `done` and run.stopped, and makes the callbacks one at a time
  size_t done = 0;
  auto finish = [&](size_t i, docgen::Status outage, bool fresh) {
    std::lock_guard lock(progress_mutex);
    if (stop) return;  // stopped by another thread: nothing more is recorded
    if (!outage.ok()) {
      if (run.stopped.ok()) run.stopped = std::move(outage);
      stop = true;
      return;
    }
    if (fresh && options.on_result) {
      if (docgen::Status recorded = options.on_result(i, run.variants[i]); !recorded.ok()) {
        if (run.stopped.ok()) run.stopped = std::move(recorded);
        stop = true;
        return;
      }
    }
    ++done;
    if (options.progress) options.progress(done, variants.size());
  };
  auto work = [&] {
    Worker worker(catalog, manifest, pages);
    for (size_t i = next++; i < variants.size() && !stop; i = next++) {
      if (auto earlier = options.earlier.find(variants[i].key); earlier != options.earlier.end()) {
        run.variants[i] = earlier->second;
        finish(i, docgen::Status::Ok(), false);
        continue;
      }
      docgen::Status outage = docgen::Status::Ok();
      try {
        run.variants[i] = worker.Run(variants[i], InputsDigest(catalog_digest, catalog, variants[i]), outage);
      } catch (const std::exception& e) {  // a bug, not the variant's fault: still one result, never a lost run
        run.variants[i] = VariantResult{};
        run.variants[i].key = variants[i].key;
        run.variants[i].status = Status::kFailed;
        run.variants[i].error = std::string("internal error: ") + e.what();
      }
      finish(i, std::move(outage), true);
    }
  };
  std::vector<std::thread> threads;
  for (int t = 1; t < jobs; ++t) threads.emplace_back(work);
  work();
  for (auto& t : threads) t.join();

  std::set<std::string> keys;
  for (const auto& v : variants) keys.insert(v.key);
  for (const auto& [key, unused] : manifest) {
    if (!keys.count(key)) run.removed.push_back(key);
  }
  for (const auto& v : run.variants) {
    switch (v.status) {
      case Status::kSame: ++run.counts.same; break;
      case Status::kChanged: ++run.counts.changed; break;
      case Status::kNew: ++run.counts.added; break;
      case Status::kFailed: ++run.counts.failed; break;
    }
  }
  run.counts.removed = static_cast<int>(run.removed.size());
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return run;
}

std::string Approve(const RunResult& run, const PageFolder& scratch, const PageFolder& goldens, GoldenManifest& manifest,
                    const std::vector<std::string>& only) {
  auto chosen = [&](const std::string& key) {
    return only.empty() || std::any_of(only.begin(), only.end(), [&](const std::string& prefix) { return key.rfind(prefix, 0) == 0; });
  };
  for (const auto& v : run.variants) {
    if (v.status == Status::kFailed || !chosen(v.key)) continue;  // a failed variant's golden (if any) stays
    if (v.status == Status::kNew || v.status == Status::kChanged) {
      for (int n = 1; n <= v.pages; ++n) {
        std::optional<std::string> png = scratch.Read(scratch.PagePath(v.key, n));
        if (!png) return "The new page " + std::to_string(n) + " of " + v.key + " is missing from " + scratch.root().string() + ".";
        if (std::string error = goldens.Write(goldens.PagePath(v.key, n), *png); !error.empty()) return error;
      }
      std::error_code ec;  // pages the variant no longer has
      for (int n = v.pages + 1; std::filesystem::remove(goldens.PagePath(v.key, n), ec); ++n) {
      }
    }
    manifest[v.key] = GoldenEntry{v.pages, v.pdf_sha256, v.inputs, {}};
  }
  for (const auto& key : run.removed) {
    if (!chosen(key)) continue;
    std::error_code ec;
    std::filesystem::path folder = goldens.PagePath(key, 1).parent_path();
    std::filesystem::remove_all(folder, ec);
    // Folders of the key left empty (ID@EDITION/PRODUCT/JURISDICTION) go too.
    for (folder = folder.parent_path(); folder != goldens.root() && std::filesystem::is_empty(folder, ec) && !ec; folder = folder.parent_path()) {
      std::filesystem::remove(folder, ec);
    }
    manifest.erase(key);
  }
  // The pages are on disk before the manifest that names them.
  if (std::error_code ec; !std::filesystem::exists(goldens.root(), ec)) return {};  // nothing written there yet
  if (std::string error = SyncFileSystem(goldens.root()); !error.empty()) return error;
  return WriteManifest(goldens.root(), manifest);
}

}  // namespace docgen::testrun
