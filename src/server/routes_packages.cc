// Synchronous resolution and rendering of one quote against the current catalog.
#include <docgen/render.h>
#include <docgen/resolve.h>

#include "jobs/work_event.h"
#include "server/routes.h"
#include "util/diagnostic_json.h"

namespace docgen::handlers {
namespace {

// The current catalog, or the 503 (none published, or unusable) / store error.
Result<LoadedCatalog> CurrentCatalog(Api& api) { return api.catalogs.Get(0); }

// Content-Disposition for a quote's PDF (RFC 6266): an ASCII fallback that
// cannot end the quoted string or add parameters (only [A-Za-z0-9._-], the
// rest becomes "_", at most 100 characters before ".pdf"), and the real name
// as filename* (RFC 8187: UTF-8, percent-encoded).
std::string PdfDisposition(const std::string& quote_id) {
  auto plain = [](unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  };
  std::string ascii;
  for (unsigned char c : quote_id.substr(0, 100)) ascii += plain(c) ? static_cast<char>(c) : '_';
  if (ascii.empty()) ascii = "package";
  std::string encoded;
  static const char* kHex = "0123456789ABCDEF";
  for (unsigned char c : quote_id.substr(0, 1000) + ".pdf") {
    if (plain(c)) {
      encoded += static_cast<char>(c);
    } else {
      encoded += '%';
      encoded += kHex[c >> 4];
      encoded += kHex[c & 15];
    }
  }
  return "inline; filename=\"" + ascii + ".pdf\"; filename*=UTF-8''" + encoded;
}

// Resolves `quote`, its time and the package's dimensions in `work`.
Package TimedResolve(const Catalog& catalog, const nlohmann::json& quote, WorkEvent& work) {
  Package package;
  {
    const WorkEvent::Timer timer = work.Time(Stage::kResolve);
    package = Resolve(catalog, quote);
  }
  work.Resolved(package);
  return package;
}

// The work's dimensions and stage times go into the request's log event
// and the stage histograms, however the request ends.
class NotedWork {
 public:
  NotedWork(Api& api, const Call& call) : api_(api), call_(call) {}
  ~NotedWork() {
    nlohmann::json fields = nlohmann::json::object();
    work.AddTo(fields);
    call_.Note(fields);
    work.Observe(api_.metrics);
  }
  NotedWork(const NotedWork&) = delete;
  NotedWork& operator=(const NotedWork&) = delete;
  WorkEvent work;

 private:
  Api& api_;
  const Call& call_;
};

}  // namespace

HttpResponse ResolvePackage(Api& api, const Call& call) {
  JsonBody quote = ParseJsonBody(call);
  if (!quote.value) return quote.error;
  Result<LoadedCatalog> catalog = CurrentCatalog(api);
  if (!catalog.ok()) return CatalogFailure(call, catalog.status());
  NotedWork noted(api, call);
  call.Note({{"catalog_version", catalog->version}});
  Package package = TimedResolve(*catalog->catalog, *quote.value, noted.work);
  nlohmann::ordered_json body = PackageToJson(package);
  body["catalog"]["version"] = catalog->version;
  if (!package.valid && !package.errors.empty()) call.Note({{"error_code", package.errors.front().code}});
  return JsonResponse(package.valid ? 200 : 422, body);
}

Renderer& ThreadRenderer() {
  static thread_local Renderer renderer;  // one font map and layout cache per HTTP thread
  return renderer;
}

HttpResponse RenderPackage(Api& api, const Call& call) {
  Renderer& renderer = ThreadRenderer();
  // Renders are the one expensive thing done while a client waits: a few at
  // a time, so that they cannot take every handler thread.
  const std::optional<WorkSlots::Slot> slot = api.render_slots.TryTake();
  if (!slot) return TooManyRenders(call, "or submit a job (POST /v1/jobs), which waits in the queue.");
  JsonBody quote = ParseJsonBody(call);
  if (!quote.value) return quote.error;
  Result<LoadedCatalog> catalog = CurrentCatalog(api);
  if (!catalog.ok()) return CatalogFailure(call, catalog.status());
  NotedWork noted(api, call);
  call.Note({{"catalog_version", catalog->version}});
  Package package = TimedResolve(*catalog->catalog, *quote.value, noted.work);
  if (!package.valid) {
    return call.Fail(ApiError{422, "invalid_package", "The quote does not resolve to a valid package.", DiagnosticsToJson(package.errors)});
  }
  RenderResult rendered = renderer.Render(*catalog->catalog, package, *quote.value);
  noted.work.Rendered(rendered.timings, rendered.output ? rendered.output->pages : 0);
  if (!rendered.output) {
    return call.Fail(ApiError{422, "render_failed", "The package cannot be rendered.", DiagnosticsToJson(rendered.errors)});
  }
  api.metrics.Add("docgen_pages_rendered_total", {}, rendered.output->pages);
  HttpResponse response;
  response.SetHeader("Content-Disposition", PdfDisposition(package.quote_id));
  response.content_type = "application/pdf";
  response.body = std::move(rendered.output->package_pdf);
  return response;
}

}  // namespace docgen::handlers
