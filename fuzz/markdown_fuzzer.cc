// libFuzzer target: arbitrary bytes as the Markdown a template evaluates to.
// A long table is parsed in batches of rows under its header; with batches
// of two rows, every document must give the same blocks as when parsed whole.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "render/markdown.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string markdown(reinterpret_cast<const char*>(data), size);
  if (docgen::ParseMarkdown(markdown, 2) != docgen::ParseMarkdown(markdown, 0)) std::abort();
  return 0;
}
