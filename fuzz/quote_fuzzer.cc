// libFuzzer target: arbitrary bytes as a quote, resolved against the example
// catalog and serialised. Must never crash, hang or leak.
#include <docgen/catalog.h>
#include <docgen/resolve.h>

#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {
const docgen::Catalog& ExampleCatalog() {
  static const std::shared_ptr<const docgen::Catalog> catalog = [] {
    docgen::CatalogLoad load = docgen::LoadCatalogDirectory(DOCGEN_SOURCE_DIR "/examples/acme-cyber");
    if (!load.catalog) std::abort();
    return load.catalog;
  }();
  return *catalog;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  docgen::Package package = docgen::ResolveText(ExampleCatalog(), std::string_view(reinterpret_cast<const char*>(data), size));
  (void)docgen::PackageToJson(package).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  return 0;
}
