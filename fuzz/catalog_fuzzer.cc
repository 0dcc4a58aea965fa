// libFuzzer target: a catalog made of up to three fuzzed files, separated in
// the input by lines "=====": catalog.yaml, documents/A.yaml, templates/A.md.
// Loading and linting must never crash, hang or leak.
#include <docgen/catalog.h>

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  static const char* kNames[] = {"catalog.yaml", "documents/A.yaml", "templates/A.md"};
  docgen::CatalogFiles files;
  size_t start = 0;
  for (int part = 0; part < 3; ++part) {
    size_t end = part < 2 ? input.find("\n=====\n", start) : std::string::npos;
    files[kNames[part]] = input.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (end == std::string::npos) break;
    start = end + 7;
  }
  docgen::CatalogLoad load = docgen::LoadCatalog(files);
  for (const auto& d : load.diagnostics) (void)docgen::FormatDiagnostic(d);
  return 0;
}
