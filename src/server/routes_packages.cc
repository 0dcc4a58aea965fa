// Synchronous resolution and rendering of one quote against the current catalog.
#include <docgen/render.h>
#include <docgen/resolve.h>

#include "server/routes.h"
#include "util/diagnostic_json.h"

namespace docgen::handlers {
namespace {

// The current catalog, or the 503 (none published, or unusable) / store error.
Result<LoadedCatalog> CurrentCatalog(Api& api) { return api.catalogs.Get(0); }

HttpResponse CatalogFailure(const Call& call, const Status& status) {
  if (status.code() == StatusCode::kUnavailable) return call.Fail(status);
  return call.Fail(ApiError{503, "catalog_unavailable", status.message()});
}

}  // namespace

HttpResponse ResolvePackage(Api& api, const Call& call) {
  JsonBody quote = ParseJsonBody(call);
  if (!quote.value) return quote.error;
  Result<LoadedCatalog> catalog = CurrentCatalog(api);
  if (!catalog.ok()) return CatalogFailure(call, catalog.status());
  Package package = Resolve(*catalog->catalog, *quote.value);
  nlohmann::ordered_json body = PackageToJson(package);
  body["catalog"]["version"] = catalog->version;
  return JsonResponse(package.valid ? 200 : 422, body);
}

HttpResponse RenderPackage(Api& api, const Call& call) {
  static thread_local Renderer renderer;  // one font map and layout cache per HTTP thread
  JsonBody quote = ParseJsonBody(call);
  if (!quote.value) return quote.error;
  Result<LoadedCatalog> catalog = CurrentCatalog(api);
  if (!catalog.ok()) return CatalogFailure(call, catalog.status());
  Package package = Resolve(*catalog->catalog, *quote.value);
  if (!package.valid) {
    return call.Fail(ApiError{422, "invalid_package", "The quote does not resolve to a valid package.", DiagnosticsToJson(package.errors)});
  }
  RenderResult rendered = renderer.Render(*catalog->catalog, package, *quote.value);
  if (!rendered.output) {
    return call.Fail(ApiError{422, "render_failed", "The package cannot be rendered.", DiagnosticsToJson(rendered.errors)});
  }
  api.metrics.Add("docgen_pages_rendered_total", {}, rendered.output->pages);
  HttpResponse response;
  response.SetHeader("Content-Disposition", "inline; filename=\"" + package.quote_id + ".pdf\"");
  response.content_type = "application/pdf";
  response.body = std::move(rendered.output->package_pdf);
  return response;
}

}  // namespace docgen::handlers
